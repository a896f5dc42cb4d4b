"""The loopback channel of the benchmarks, in a process of its own.

Runs `tests.loopback.LoopbackChannel` (one thread per connection, each request recorded
on arrival, answered after `delay` seconds) so that its threads never take the GIL of
the process that measures. Speaks a line protocol on stdin/stdout:

    count            -> {"count": N}
    dump             -> [[idempotency_key, arrived_at], ...]
    reset            -> {"count": 0}     (forget what was received)
    quit             -> stops

Three changes from the test defaults, all on this process's copies of the standard
library classes: HTTP/1.1 keep-alive (a network API keeps connections open; HTTP/1.0
would cost every publication a new TCP connection and a new server thread), TCP_NODELAY
(without it, keep-alive answers wait ~40 ms for a delayed ACK: measured 95 ms instead of
50), and a listen backlog of 1024 (the default 5 drops SYNs when 32 threads connect at
once, and a dropped SYN costs a one-second retransmission).
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.loopback import LoopbackChannel, Received, Reply  # noqa: E402

ThreadingHTTPServer.request_queue_size = 1024
BaseHTTPRequestHandler.protocol_version = "HTTP/1.1"
# The handler writes the headers and the body in two sends: with Nagle's algorithm on, a
# keep-alive connection then waits for the client's delayed ACK (~40 ms) before the body.
BaseHTTPRequestHandler.disable_nagle_algorithm = True


def main() -> None:
    delay = float(sys.argv[1]) if len(sys.argv) > 1 else 0.05

    def respond(request: Received) -> Reply:
        return Reply(body={"id": request.body.get("idempotency_key", "")}, delay=delay)

    with LoopbackChannel(respond) as server:
        print(json.dumps({"url": server.url}), flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "count":
                answer: object = {"count": len(server.received)}
            elif command == "dump":
                with server._lock:
                    records = list(server.received)
                answer = [[r.body.get("idempotency_key"), r.at] for r in records]
            elif command == "reset":
                with server._lock:
                    server.received.clear()
                answer = {"count": 0}
            elif command == "quit":
                break
            else:
                answer = {"error": f"unknown command {command!r}"}
            print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
