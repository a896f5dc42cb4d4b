// The Bluesky reference servers on loopback, for the Bluesky adapter's tests: a PLC
// directory (identities, in memory) and a PDS (accounts, app passwords, records, blobs),
// both on free ports of 127.0.0.1, their data under the folder given as the only
// argument (the caller makes it, and removes it after).
//
// Prints one JSON line, {"pds": URL, "plc": URL, "admin_password": ...}, once both answer,
// then runs until SIGTERM or SIGINT (or until its standard input closes: a test runner
// that dies cannot leave it behind).
//
// Versions: @atproto/pds 0.4.x and @did-plc/server 0.0.1 are the newest that run on
// Node 20 (the 0.5 PDS needs Node 22): see package.json.
import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'

const require = createRequire(import.meta.url)
const { PDS, envToCfg, envToSecrets, readEnv } = require('@atproto/pds')
const plc = require('@did-plc/server')
const { Secp256k1Keypair } = require('@atproto/crypto')

const dataDir = process.argv[2]
if (!dataDir) {
  console.error('usage: node tests/bluesky/pds.mjs DATA_DIR')
  process.exit(2)
}

// A port the kernel says is free: the PDS needs its port in its configuration (its
// own URL is built from it), so it cannot simply listen on port 0.
const freePort = () =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

const plcServer = plc.PlcServer.create({ db: plc.Database.mock(), port: await freePort() })
const plcListener = await plcServer.start()
const plcUrl = `http://localhost:${plcListener.address().port}`

const rotationKey = await Secp256k1Keypair.create({ exportable: true })
const adminPassword = randomBytes(16).toString('hex')
const pdsPort = await freePort()
mkdirSync(path.join(dataDir, 'blobs'), { recursive: true })
Object.assign(process.env, {
  PDS_HOSTNAME: 'localhost',
  PDS_PORT: String(pdsPort),
  PDS_DEV_MODE: 'true',
  PDS_INVITE_REQUIRED: 'false',
  PDS_DATA_DIRECTORY: dataDir,
  PDS_BLOBSTORE_DISK_LOCATION: path.join(dataDir, 'blobs'),
  PDS_JWT_SECRET: randomBytes(16).toString('hex'),
  PDS_ADMIN_PASSWORD: adminPassword,
  PDS_SERVICE_HANDLE_DOMAINS: '.test',
  PDS_DISABLE_SSRF_PROTECTION: 'true',
  // Its default is the public directory, which is not reachable (nor wanted) here.
  PDS_DID_PLC_URL: plcUrl,
  PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: Buffer.from(await rotationKey.export()).toString('hex'),
  LOG_ENABLED: process.env.LOG_ENABLED ?? 'false',
})
const env = readEnv()
const pds = await PDS.create(envToCfg(env), envToSecrets(env))
await pds.start()
const pdsUrl = `http://localhost:${pdsPort}`

// Ready only when it answers over HTTP, not merely when start() returned.
for (;;) {
  try {
    const response = await fetch(`${pdsUrl}/xrpc/_health`)
    if (response.ok) break
  } catch {}
  await new Promise((resolve) => setTimeout(resolve, 50))
}

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  await pds.destroy().catch(() => {})
  await plcServer.destroy().catch(() => {})
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
process.stdin.on('end', stop)
process.stdin.resume()

console.log(JSON.stringify({ pds: pdsUrl, plc: plcUrl, admin_password: adminPassword }))
