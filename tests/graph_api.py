"""Meta's Graph API on loopback, answering what the Facebook Page and Instagram adapters
use with the bodies Meta documents, under the pinned version's path (`/v26.0/...`):

- `POST /oauth/access_token` (`grant_type=fb_exchange_token`): the long-lived user token;
- `GET /me/accounts`: the person's Pages, each with its Page token, its picture and its
  linked `instagram_business_account`;
- `GET /{page-id}`, `POST /{page-id}/photos` (multipart `source`, `published=false`,
  `alt_text_custom`), `POST /{page-id}/feed` (`message`, `link`, `attached_media[n]`),
  `GET /{page-id}/posts` (newest first), `GET /{post-id}?fields=permalink_url`;
- `GET /{ig-user-id}`, `POST /{ig-user-id}/media` (a container: `image_url`, `caption`,
  `alt_text`; `is_carousel_item`; `media_type=CAROUSEL` with `children`),
  `GET /{container-id}?fields=status_code` (`IN_PROGRESS` for `in_progress_polls` polls,
  then `FINISHED`), `POST /{ig-user-id}/media_publish` (`creation_id`, refused until the
  container is `FINISHED`), `GET /{ig-user-id}/media`, `GET /{media-id}?fields=permalink`.

A request without the right token gets Meta's code 190 body (HTTP 400, as Meta answers
it); a malformed one code 100. `queue(method, path, reply)` makes the next such request
answer `reply` instead (each queued answer used once); `slow_answer` makes the next
publishing request (feed post, media_publish) take effect but answer that many seconds
late.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
import threading
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qs, urlsplit

from editorial.channels.graph.client import GRAPH_VERSION
from tests.loopback import LoopbackChannel, Received, Reply

CLIENT_ID = "1234567890"
CLIENT_SECRET = "app-secret-never-in-clear"
SHORT_TOKEN = "EAAshort-lived-user-token"
LONG_TOKEN = "EAAlong-lived-user-token"
PAGE_TOKEN = "EAApage-token-never-in-clear"
OTHER_PAGE_TOKEN = "EAAother-page-token"
PAGE = {
    "id": "104000000000001",
    "name": "Préfecture du Bas-Rhin",
    "link": "https://www.facebook.com/prefet67",
    "picture": {"data": {"url": "https://scontent.example/p67.jpg"}},
}
OTHER_PAGE = {
    "id": "104000000000002",
    "name": "Police nationale 67",
    "link": "https://www.facebook.com/police67",
    "picture": {"data": {"url": "https://scontent.example/police67.jpg"}},
}
IG_USER = {
    "id": "17841400000000001",
    "username": "prefet67",
    "name": "Préfet du Bas-Rhin",
    "profile_picture_url": "https://scontent.example/ig67.jpg",
}


def header(request: Received, name: str) -> str | None:
    return next((v for k, v in request.headers.items() if k.lower() == name.lower()), None)


def graph_error(code: int, text: str, *, kind: str = "OAuthException", **extra) -> dict:
    return {"error": {"message": text, "type": kind, "code": code, "fbtrace_id": "AbC", **extra}}


def fields(request: Received) -> dict[str, str]:
    """A request's parameters: its query, and its form or multipart body (a file part as
    `{"filename", "type", "size"}`)."""
    found = {k: v[0] for k, v in parse_qs(urlsplit(request.path).query).items()}
    kind = header(request, "Content-Type") or ""
    if kind.startswith("application/x-www-form-urlencoded"):
        found.update({k: v[0] for k, v in parse_qs(request.raw.decode()).items()})
    elif kind.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {kind}\r\n\r\n".encode() + request.raw
        )
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if part.get_filename():
                found[name] = {
                    "filename": part.get_filename(),
                    "type": part.get_content_type(),
                    "size": len(payload),
                }
            else:
                found[name] = payload.decode()
    return found


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


class GraphAPI:
    def __init__(self):
        self.posts: list[dict] = []  # the Page's feed, oldest first
        self.photos: dict[str, dict] = {}
        self.containers: dict[str, dict] = {}
        self.media: list[dict] = []  # the Instagram account's media, oldest first
        self.in_progress_polls = 1
        # What a container becomes once processed: FINISHED, or ERROR with this status
        # (Instagram's error subcode: the image could not be fetched, a wrong ratio…).
        self.processed = "FINISHED"
        self.error_status = "Error: 2207026"
        # A post's address cannot be read back (`GET /{post-id}` answers 500).
        self.permalinks_fail = False
        self.slow_answer = 0.0
        self._queued: dict[tuple[str, str], list[Reply]] = {}
        self._ids = itertools.count(900)
        self._lock = threading.Lock()
        self.server = LoopbackChannel(self)

    @property
    def url(self) -> str:
        return self.server.url.removesuffix("/hook")

    def __enter__(self) -> GraphAPI:
        self.server.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.server.__exit__(*exc)

    def queue(self, method: str, path: str, reply: Reply) -> None:
        self._queued.setdefault((method, f"/{GRAPH_VERSION}{path}"), []).append(reply)

    def requests(self, method: str, path: str) -> list[Received]:
        full = f"/{GRAPH_VERSION}{path}"
        return [
            r for r in self.server.received if r.method == method and r.path.split("?")[0] == full
        ]

    def __call__(self, request: Received) -> Reply:
        path = request.path.split("?")[0]
        with self._lock:
            queued = self._queued.get((request.method, path))
            if queued:
                return queued.pop(0)
            if not path.startswith(f"/{GRAPH_VERSION}/"):
                return Reply(400, graph_error(2635, "Unknown or deprecated API version"))
            path = path.removeprefix(f"/{GRAPH_VERSION}")
            if path == "/oauth/access_token":
                return self._exchange(fields(request))
            token = (header(request, "Authorization") or "").removeprefix("Bearer ")
            if path == "/me/accounts":
                if token != LONG_TOKEN:
                    return Reply(400, graph_error(190, "Invalid OAuth access token."))
                return Reply(200, {"data": self._pages(), "paging": {"cursors": {}}})
            if token != PAGE_TOKEN:
                return Reply(
                    400,
                    graph_error(
                        190,
                        "Error validating access token: Session has expired.",
                        error_subcode=463,
                    ),
                )
            given = fields(request)
            proof = hmac.new(CLIENT_SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()
            if given.pop("appsecret_proof", None) != proof:
                return Reply(
                    400,
                    graph_error(
                        100,
                        "Invalid appsecret_proof provided in the API argument",
                        kind="GraphMethodException",
                    ),
                )
            return self._answer(request, path, given)

    # --- OAuth -----------------------------------------------------------------------

    def _exchange(self, given: dict) -> Reply:
        if (given.get("grant_type"), given.get("fb_exchange_token")) != (
            "fb_exchange_token",
            SHORT_TOKEN,
        ) or (given.get("client_id"), given.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return Reply(400, graph_error(101, "Error validating client secret."))
        return Reply(
            200, {"access_token": LONG_TOKEN, "token_type": "bearer", "expires_in": 5183944}
        )

    def _pages(self) -> list[dict]:
        linked = {"instagram_business_account": {k: IG_USER[k] for k in IG_USER}}
        return [
            {**PAGE, "access_token": PAGE_TOKEN, **linked},
            {**OTHER_PAGE, "access_token": OTHER_PAGE_TOKEN},
        ]

    # --- the Page and the account -------------------------------------------------------

    def _answer(self, request: Received, path: str, given: dict) -> Reply:
        parts = path.strip("/").split("/")
        node, edge = parts[0], (parts[1] if len(parts) > 1 else "")
        if node == PAGE["id"]:
            return self._page(request.method, edge, given)
        if node == IG_USER["id"]:
            return self._instagram(request.method, edge, given)
        if request.method == "GET" and not edge:
            return self._node(node)
        return Reply(400, graph_error(100, "Unsupported request", kind="GraphMethodException"))

    def _page(self, method: str, edge: str, given: dict) -> Reply:
        if method == "GET" and not edge:
            return Reply(200, PAGE)
        if method == "POST" and edge == "photos":
            source = given.get("source")
            if not isinstance(source, dict) or given.get("published") != "false":
                return Reply(400, graph_error(100, "(#100) source is required"))
            photo_id = str(next(self._ids))
            self.photos[photo_id] = {**source, "alt_text_custom": given.get("alt_text_custom")}
            return Reply(200, {"id": photo_id})
        if method == "POST" and edge == "feed":
            attached = [
                json.loads(given[key])["media_fbid"]
                for key in sorted(given)
                if key.startswith("attached_media[")
            ]
            if any(photo not in self.photos for photo in attached):
                return Reply(400, graph_error(100, "(#100) Invalid media_fbid"))
            post_id = f"{PAGE['id']}_{next(self._ids)}"
            self.posts.append(
                {
                    "id": post_id,
                    "message": given.get("message", ""),
                    "link": given.get("link"),
                    "attached": attached,
                    "created_time": now(),
                    "permalink_url": f"https://www.facebook.com/prefet67/posts/{post_id}",
                }
            )
            delay, self.slow_answer = self.slow_answer, 0.0
            return Reply(200, {"id": post_id}, delay=delay)
        if method == "GET" and edge == "posts":
            shown = ("id", "message", "created_time", "permalink_url")
            newest = [{k: p[k] for k in shown} for p in reversed(self.posts)]
            return Reply(200, {"data": newest[: int(given.get("limit", 25))]})
        return Reply(400, graph_error(100, "Unsupported request", kind="GraphMethodException"))

    def _instagram(self, method: str, edge: str, given: dict) -> Reply:
        if method == "GET" and not edge:
            return Reply(200, IG_USER)
        if method == "POST" and edge == "media":
            return self._container(given)
        if method == "POST" and edge == "media_publish":
            container = self.containers.get(given.get("creation_id", ""))
            if container is None or container["status_code"] != "FINISHED":
                return Reply(
                    400, graph_error(9007, "Media ID is not available", kind="OAuthException")
                )
            container["status_code"] = "PUBLISHED"
            media_id = str(next(self._ids))
            self.media.append(
                {
                    "id": media_id,
                    "caption": container.get("caption", ""),
                    "timestamp": now(),
                    "permalink": f"https://www.instagram.com/p/C{media_id}/",
                    "container": container,
                }
            )
            delay, self.slow_answer = self.slow_answer, 0.0
            return Reply(200, {"id": media_id}, delay=delay)
        if method == "GET" and edge == "media":
            shown = ("id", "caption", "permalink", "timestamp")
            newest = [{k: m[k] for k in shown} for m in reversed(self.media)]
            return Reply(200, {"data": newest[: int(given.get("limit", 25))]})
        return Reply(400, graph_error(100, "Unsupported request", kind="GraphMethodException"))

    def _container(self, given: dict) -> Reply:
        if given.get("media_type") == "CAROUSEL":
            children = given.get("children", "").split(",")
            if not 2 <= len(children) <= 10 or any(
                not self.containers.get(c, {}).get("is_carousel_item") for c in children
            ):
                return Reply(400, graph_error(100, "(#100) Invalid children"))
        elif not given.get("image_url", "").startswith(("http://", "https://")):
            return Reply(400, graph_error(100, "(#100) The parameter image_url is required"))
        container_id = str(next(self._ids))
        self.containers[container_id] = {
            **given,
            "is_carousel_item": given.get("is_carousel_item") == "true",
            "status_code": "IN_PROGRESS",
            "polls": 0,
        }
        return Reply(200, {"id": container_id})

    def _node(self, node: str) -> Reply:
        if node in self.containers:
            container = self.containers[node]
            container["polls"] += 1
            if container["status_code"] == "IN_PROGRESS" and (
                container["polls"] > self.in_progress_polls
            ):
                container["status_code"] = self.processed
            status = {"ERROR": self.error_status}.get(container["status_code"], "")
            return Reply(
                200, {"id": node, "status_code": container["status_code"], "status": status}
            )
        for post in self.posts:
            if post["id"] == node and self.permalinks_fail:
                return Reply(500, graph_error(2, "Service temporarily unavailable"))
            if post["id"] == node:
                return Reply(200, {"id": node, "permalink_url": post["permalink_url"]})
        for media in self.media:
            if media["id"] == node:
                return Reply(200, {"id": node, "permalink": media["permalink"]})
        return Reply(
            400,
            graph_error(
                100,
                f"Unsupported get request. Object with ID '{node}' does not exist",
                kind="GraphMethodException",
                error_subcode=33,
            ),
        )
