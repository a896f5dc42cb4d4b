"""X's API v2 on loopback, answering the endpoints Cadence uses with the bodies docs.x.com
documents: `GET /2/users/me` (a User), `POST /2/media/upload` (multipart: `media`,
`media_category`; `data.id`, `data.media_key`), `POST /2/media/metadata` (the alt text),
`POST /2/tweets` (201, `data.id` and `data.text`; 403 "duplicate content" for the same
text twice), `GET /2/users/:id/tweets` (newest first, `start_time`, `meta`), and its
errors as problem objects (`title`, `detail`, `type`, `status`).

A post is kept as X shows it back: `&` `<` `>` escaped, each URL replaced by a t.co
address, the media's own t.co address at the end of a post with media.

`queue(method, path, reply)` makes the next such request answer `reply` instead (an
error, a time-out): each queued answer is used once.
"""

from __future__ import annotations

import html
import itertools
import threading
from urllib.parse import parse_qs, urlsplit

from editorial.channels.x.text import urls
from tests.loopback import LoopbackChannel, Received, Reply

TOKEN = "x-oauth2-user-token-never-in-clear"
USER = {
    "id": "1460000000000000001",
    "name": "Préfecture du Bas-Rhin",
    "username": "Prefet67",
    "profile_image_url": "https://pbs.twimg.example/profile_images/67/normal.jpg",
}
DUPLICATE = "You are not allowed to create a Tweet with duplicate content."


def problem(status: int, title: str, detail: str, **headers) -> Reply:
    body = {"title": title, "detail": detail, "type": "about:blank", "status": status}
    return Reply(status, body, headers=headers)


def header(request: Received, name: str) -> str | None:
    return next((v for k, v in request.headers.items() if k.lower() == name.lower()), None)


def form_field(raw: str, name: str) -> str | None:
    """A multipart part's value (the text ones), from the raw body."""
    marker = f'name="{name}"'
    if marker not in raw:
        return None
    return raw.split(marker, 1)[1].split("\r\n\r\n", 1)[1].split("\r\n", 1)[0]


class XServer:
    def __init__(self):
        self.posts: list[dict] = []  # newest last
        self.media: dict[str, dict] = {}
        self.timeline_queries: list[dict] = []
        self.slow_answer = 0.0  # the next post is made, its answer comes this late (once)
        self._queued: dict[tuple[str, str], list[Reply]] = {}
        self._ids = itertools.count(1860000000000000000)
        self._lock = threading.Lock()
        self.server = LoopbackChannel(self)

    @property
    def url(self) -> str:
        return self.server.url.removesuffix("/hook")

    def queue(self, method: str, path: str, reply: Reply) -> None:
        self._queued.setdefault((method, path), []).append(reply)

    def requests(self, path: str) -> list[Received]:
        return [r for r in self.server.received if r.path.split("?")[0] == path]

    def __enter__(self) -> XServer:
        self.server.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.server.__exit__(*exc)

    def __call__(self, request: Received) -> Reply:
        parts = urlsplit(request.path)
        with self._lock:
            queued = self._queued.get((request.method, parts.path))
            if queued:
                return queued.pop(0)
            if header(request, "Authorization") != f"Bearer {TOKEN}":
                return problem(401, "Unauthorized", "Unauthorized")
            return self._answer(request, parts.path, parse_qs(parts.query))

    def _answer(self, request: Received, path: str, query: dict) -> Reply:
        if path == "/2/users/me":
            return Reply(200, {"data": USER})
        if path == "/2/media/upload" and request.method == "POST":
            return self._upload(request)
        if path == "/2/media/metadata" and request.method == "POST":
            media = self.media.get(str(request.body.get("id")))
            if media is None:
                return problem(400, "Invalid Request", "The media id was not found.")
            media["alt_text"] = request.body["metadata"]["alt_text"]["text"]
            return Reply(200, {"data": {"id": media["id"], "associated_metadata": {}}})
        if path == "/2/tweets" and request.method == "POST":
            return self._post(request)
        if path == f"/2/users/{USER['id']}/tweets":
            return self._timeline(query)
        return problem(404, "Not Found Error", "Could not find the resource.")

    def _upload(self, request: Received) -> Reply:
        raw = request.body.get("raw", "")
        if 'name="media"' not in raw:
            return problem(400, "Invalid Request", "One or more parameters are invalid.")
        media_id = str(next(self._ids))
        self.media[media_id] = {
            "id": media_id,
            "category": form_field(raw, "media_category"),
            "alt_text": None,
        }
        answer = {"id": media_id, "media_key": f"3_{media_id}", "expires_after_secs": 86400}
        return Reply(200, {"data": answer})

    def _post(self, request: Received) -> Reply:
        text = request.body["text"]
        if any(post["sent_text"] == text for post in self.posts):
            return problem(403, "Forbidden", DUPLICATE)
        media_ids = (request.body.get("media") or {}).get("media_ids", [])
        if any(m not in self.media for m in media_ids):
            return problem(400, "Invalid Request", "Your media IDs are invalid.")
        post_id = str(next(self._ids))
        shown = html.escape(text, quote=False)
        for start, end in reversed(urls(shown)):
            shown = f"{shown[:start]}https://t.co/{post_id[-10:]}{shown[end:]}"
        if media_ids:
            shown += f" https://t.co/m{post_id[-9:]}"
        self.posts.append(
            {
                "id": post_id,
                "text": shown,
                "sent_text": text,
                "media": [self.media[m] for m in media_ids],
                "created_at": "2030-01-01T00:00:00.000Z",
            }
        )
        delay, self.slow_answer = self.slow_answer, 0.0
        answer = {"id": post_id, "text": shown, "edit_history_tweet_ids": [post_id]}
        return Reply(201, {"data": answer}, delay=delay)

    def _timeline(self, query: dict) -> Reply:
        self.timeline_queries.append(query)
        shown = [
            {"id": p["id"], "text": p["text"], "created_at": p["created_at"]}
            for p in reversed(self.posts)
        ]
        if not shown:
            return Reply(200, {"meta": {"result_count": 0}})
        meta = {
            "result_count": len(shown),
            "newest_id": shown[0]["id"],
            "oldest_id": shown[-1]["id"],
        }
        return Reply(200, {"data": shown, "meta": meta})
