"""A Mastodon instance on loopback, answering the endpoints Cadence uses with the bodies
docs.joinmastodon.org documents: `GET /api/v1/accounts/verify_credentials` (an
Account), `GET /api/v2/instance` (`configuration.statuses`), `POST /api/v2/media` (a
MediaAttachment; 202 with `url: null` while processing), `GET /api/v1/media/:id` (206
while processing, then 200), `POST /api/v1/statuses` (a Status; the same one again for
a repeated `Idempotency-Key`; `in_reply_to_id` kept), `GET /api/v1/accounts/:id/statuses`
(newest first).

`queue(method, path, reply)` makes the next such request answer `reply` instead (an
error, a time-out): each queued answer is used once.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import threading

from tests.loopback import LoopbackChannel, Received, Reply

TOKEN = "tok-0123456789-never-in-clear"
ACCOUNT = {
    "id": "7",
    "username": "police33",
    "acct": "police33",
    "display_name": "Police nationale 33",
    "avatar": "https://files.social.example/avatars/7.png",
    "url": "https://social.example/@police33",
}


def header(request: Received, name: str) -> str | None:
    return next((v for k, v in request.headers.items() if k.lower() == name.lower()), None)


class Instance:
    def __init__(self, *, max_characters: int = 500, processing: bool = False):
        self.max_characters = max_characters
        self.processing = processing  # uploads answer 202 first, like big images
        self.statuses: dict[str, dict] = {}  # Idempotency-Key -> status
        self.media: dict[str, dict] = {}
        self.polls: dict[str, int] = {}
        # The next status is made, but its answer comes this many seconds late (once).
        self.slow_answer = 0.0
        # Statuses beyond this many are refused with a 503 (an outage mid-thread).
        self.statuses_before_outage: int | None = None
        self._queued: dict[tuple[str, str], list[Reply]] = {}
        self._ids = itertools.count(100)
        self._lock = threading.Lock()
        self.server = LoopbackChannel(self)

    @property
    def url(self) -> str:
        return self.server.url.removesuffix("/hook")

    def queue(self, method: str, path: str, reply: Reply) -> None:
        self._queued.setdefault((method, path), []).append(reply)

    def posts(self) -> list[Received]:
        return [r for r in self.server.received if r.path == "/api/v1/statuses"]

    def __enter__(self) -> Instance:
        self.server.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.server.__exit__(*exc)

    def __call__(self, request: Received) -> Reply:
        path = request.path.split("?")[0]
        with self._lock:
            queued = self._queued.get((request.method, path))
            if queued:
                return queued.pop(0)
            if header(request, "Authorization") != f"Bearer {TOKEN}":
                return Reply(401, {"error": "The access token is invalid"})
            return self._answer(request, path)

    def _answer(self, request: Received, path: str) -> Reply:
        if path == "/api/v1/accounts/verify_credentials":
            return Reply(200, ACCOUNT)
        if path == "/api/v2/instance":
            statuses = {
                "max_characters": self.max_characters,
                "max_media_attachments": 4,
                "characters_reserved_per_url": 23,
            }
            return Reply(200, {"domain": "social.example", "configuration": {"statuses": statuses}})
        if path == "/api/v2/media":
            return self._upload(request)
        if path.startswith("/api/v1/media/"):
            media = self.media[path.rsplit("/", 1)[-1]]
            self.polls[media["id"]] = self.polls.get(media["id"], 0) + 1
            return Reply(200, {**media, "url": f"https://files.social.example/{media['id']}.png"})
        if path == "/api/v1/statuses":
            return self._post(request)
        if path == f"/api/v1/accounts/{ACCOUNT['id']}/statuses":
            return Reply(200, list(reversed(self.statuses.values())))  # type: ignore[arg-type]
        return Reply(404, {"error": "Record not found"})

    def _upload(self, request: Received) -> Reply:
        raw = request.body.get("raw", "")
        # The multipart body: the description part's value, the file part's presence.
        description = raw.split('name="description"')[1].split("\r\n\r\n", 1)[1].split("\r\n")[0]
        media_id = str(next(self._ids))
        self.media[media_id] = {"id": media_id, "type": "image", "description": description}
        if self.processing:
            return Reply(202, {**self.media[media_id], "url": None})
        return Reply(200, {**self.media[media_id], "url": f"https://files.example/{media_id}"})

    def forget_keys(self) -> None:
        """An hour went by: Mastodon no longer knows the keys, only the statuses."""
        self.statuses = {f"forgotten-{n}": s for n, s in enumerate(self.statuses.values())}

    def _post(self, request: Received) -> Reply:
        key = header(request, "Idempotency-Key")
        if key in self.statuses:
            return Reply(200, self.statuses[key])  # Mastodon: the status the key made
        outage = self.statuses_before_outage
        if outage is not None and len(self.statuses) >= outage:
            return Reply(503, {"error": "Service Unavailable"})
        status_id = str(next(self._ids))
        text = request.body["status"]
        paragraphs = "".join(
            f"<p>{html.escape(part).replace(chr(10), '<br />')}</p>" for part in text.split("\n\n")
        )
        status = {
            "id": status_id,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "in_reply_to_id": request.body.get("in_reply_to_id"),
            "url": f"https://social.example/@police33/{status_id}",
            "content": paragraphs,
            "media_attachments": [self.media[m] for m in request.body.get("media_ids", [])],
        }
        self.statuses[key or status_id] = status
        delay, self.slow_answer = self.slow_answer, 0.0
        return Reply(200, status, delay=delay)
