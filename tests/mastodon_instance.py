"""A Mastodon instance on loopback, answering the endpoints Cadence uses with the bodies
docs.joinmastodon.org documents: `GET /api/v1/accounts/verify_credentials` (an
Account), `GET /api/v2/instance` (`configuration.statuses`), `POST /api/v2/media` (a
MediaAttachment; 202 with `url: null` while processing), `GET /api/v1/media/:id` (206
while processing, then 200), `POST /api/v1/statuses` (a Status; the same one again for
a repeated `Idempotency-Key`; `in_reply_to_id` kept), `GET /api/v1/accounts/:id/statuses`
(newest first).

`queue(method, path, reply)` makes the next such request answer `reply` instead (an
error, a time-out): each queued answer is used once.

Its OAuth side, as Mastodon's (Doorkeeper's) is: `POST /api/v1/apps` registers an
application (`client_id`, `client_secret`; kept in `apps`), `GET /oauth/authorize`
approves at once (302 back to `redirect_uri` with `code` and `state`; with
`error=access_denied` after `deny_next()`), `POST /oauth/token` exchanges the code —
checking the client, the redirect URI and the PKCE verifier (S256) — for a new access
token, which the API then accepts beside `TOKEN`. `revoke_all()` makes every token,
`TOKEN` included, invalid (401), as revoking the application on the instance would.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import threading
from urllib.parse import urlencode

from tests.loopback import LoopbackChannel, Received, Reply
from tests.oauth_server import form, pkce_holds, query

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
    def __init__(
        self, *, max_characters: int = 500, processing: bool = False, account: dict | None = None
    ):
        self.max_characters = max_characters
        self.account = {**ACCOUNT, **(account or {})}
        self.tokens = {TOKEN}  # the access tokens the API accepts
        self.apps: dict[str, dict] = {}  # client_id -> the registered application
        self.codes: dict[str, dict] = {}  # authorisation code -> what was authorised
        self._deny = False
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

    def deny_next(self) -> None:
        self._deny = True

    def revoke_all(self) -> None:
        with self._lock:
            self.tokens.clear()

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
            if path in OAUTH_PATHS:
                return getattr(self, OAUTH_PATHS[path])(request)
            if header(request, "Authorization") not in {f"Bearer {t}" for t in self.tokens}:
                return Reply(401, {"error": "The access token is invalid"})
            return self._answer(request, path)

    def _answer(self, request: Received, path: str) -> Reply:
        if path == "/api/v1/accounts/verify_credentials":
            return Reply(200, self.account)
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
        if path == f"/api/v1/accounts/{self.account['id']}/statuses":
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

    # --- OAuth ------------------------------------------------------------------------------

    def _register(self, request: Received) -> Reply:
        body = request.body
        if not body.get("client_name") or not body.get("redirect_uris"):
            return Reply(422, {"error": "Validation failed: Name can't be blank"})
        client_id = f"app-{next(self._ids)}"
        app = {
            "id": client_id,
            "name": body["client_name"],
            "redirect_uri": body["redirect_uris"],
            "scopes": body.get("scopes", "read").split(),
            "client_id": client_id,
            "client_secret": f"secret-of-{client_id}",
        }
        self.apps[client_id] = app
        return Reply(200, app)

    def _authorize(self, request: Received) -> Reply:
        asked = query(request)
        app = self.apps.get(asked.get("client_id", ""))
        if app is None or asked.get("redirect_uri") != app["redirect_uri"]:
            return Reply(400, {"error": "invalid_client"})
        back = {"state": asked.get("state", "")}
        if self._deny:
            self._deny = False
            back |= {"error": "access_denied"}
        else:
            code = f"code-{next(self._ids)}"
            self.codes[code] = asked
            back["code"] = code
        return Reply(302, headers={"Location": f"{asked['redirect_uri']}?{urlencode(back)}"})

    def _token(self, request: Received) -> Reply:
        body = form(request)
        app = self.apps.get(body.get("client_id", ""))
        if app is None or body.get("client_secret") != app["client_secret"]:
            return Reply(401, {"error": "invalid_client"})
        asked = self.codes.pop(body.get("code", ""), None)
        if (
            body.get("grant_type") != "authorization_code"
            or asked is None
            or asked["redirect_uri"] != body.get("redirect_uri")
            or not pkce_holds(asked, body.get("code_verifier", ""))
        ):
            return Reply(400, {"error": "invalid_grant"})
        token = f"oauth-token-{next(self._ids)}"
        self.tokens.add(token)
        return Reply(
            200,
            {"access_token": token, "token_type": "Bearer", "scope": asked.get("scope", "")},
        )


OAUTH_PATHS = {
    "/api/v1/apps": "_register",
    "/oauth/authorize": "_authorize",
    "/oauth/token": "_token",
}
