"""A real HTTP server on 127.0.0.1 that records every request it receives: the channel
end of publishing tests. Each request's JSON body is kept (any other body as
`{"raw": text}`); `respond` decides the answer. GET, POST and PUT are answered.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict
    body: dict
    at: float  # time.time() when the request arrived
    method: str = "POST"
    raw: bytes = b""  # the body's exact bytes (what a signature covers)


@dataclass
class Reply:
    status: int = 200
    body: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (a slow network)
    text: str | None = None  # a plain-text answer instead of `body` (Slack's "no_service")
    hang_up: bool = False  # close the connection without answering (a crashed receiver)


class LoopbackChannel:
    """`with LoopbackChannel() as server:` … `server.url`, `server.received`."""

    def __init__(self, respond: Callable[[Received], Reply] | None = None):
        self.respond = respond or (
            lambda request: Reply(body={"id": request.body.get("idempotency_key", "")})
        )
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        # A short poll interval: shutting the server down waits for one poll.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def __enter__(self) -> LoopbackChannel:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, count: int, timeout: float) -> bool:
        """Wait until at least `count` requests arrived; False on time-out."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._arrived.wait(left)
        return True

    def keys(self) -> list[str]:
        with self._lock:
            return [r.body.get("idempotency_key") for r in self.received]

    def _record(self, request: Received) -> None:
        with self._arrived:
            self.received.append(request)
            self._arrived.notify_all()

    def _handler(self):
        channel = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"raw": raw.decode("utf-8", "replace")}
                request = Received(
                    self.path, dict(self.headers), body, time.time(), self.command, raw
                )
                channel._record(request)
                reply = channel.respond(request)
                if reply.delay:
                    time.sleep(reply.delay)  # the simulated network latency itself
                if reply.hang_up:
                    self.close_connection = True
                    return
                payload = (
                    reply.text.encode()
                    if reply.text is not None
                    else json.dumps(reply.body).encode()
                )
                kind = "text/plain" if reply.text is not None else "application/json"
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a time-out test): nothing to answer

            do_GET = do_POST  # a read: the same recording, `method` says which
            do_PUT = do_POST  # an upload (LinkedIn's images)

            def log_message(self, *args):
                pass

        return Handler
