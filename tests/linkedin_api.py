"""LinkedIn's REST API on loopback, answering the endpoints Cadence uses with the bodies
LinkedIn's documentation gives (Community Management API):

- `GET /rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR` (the member's pages),
  `GET /rest/organizations?ids=List(…)` (a batch: `results` by id) and
  `GET /rest/organizations/{id}`;
- `POST /rest/images?action=initializeUpload` (`value.uploadUrl`, `value.image`), the
  `PUT` of the bytes to that URL (201), `GET /rest/images/{urn}` (`status`:
  `WAITING_UPLOAD`, `PROCESSING`, `AVAILABLE`);
- `POST /oauth/v2/accessToken` (the token endpoint, form-encoded: the authorisation
  code `CODE` or the refresh token `REFRESH` for a token, with LinkedIn's lifetimes; its
  `invalid_request` otherwise), so the connect flow and the refresh can run against it;
- `POST /rest/posts` (201, the post's URN in `x-restli-id`; 400 for a commentary over
  3,000 characters, with LinkedIn's words), `GET /rest/posts?q=author` (newest first,
  hashtags given back as `{hashtag|\\#|…}` templates, as LinkedIn reads them).

Every call to `/rest/` must carry the bearer token, `LinkedIn-Version: YYYYMM` and
`X-Restli-Protocol-Version: 2.0.0`: a request without them is answered as LinkedIn
does, and noted in `refused` for the test to assert on. `queue(method, path, reply)`
makes the next such request answer `reply` instead (each used once).
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from urllib.parse import parse_qs, unquote, urlsplit

from tests.loopback import LoopbackChannel, Received, Reply

TOKEN = "li-tok-0123456789-never-in-clear"
ORGANIZATIONS = {
    "2414183": {"localizedName": "Préfecture du Bas-Rhin", "vanityName": "prefecture-67"},
    "5515715": {"localizedName": "Police nationale 67", "vanityName": "police67"},
}
ORG = "urn:li:organization:2414183"
MEMBER = "urn:li:person:8675309"
LOGO_ASSET = "C4D0BAQHlogo67"
CLIENT_ID, CLIENT_SECRET = "cadence-app", "app-secret-never-shown"
CODE, REFRESH = "AQR-authorisation-code", "AQX-refresh-never-shown"
SCOPES = "r_organization_social,rw_organization_admin,w_organization_social"

UNAUTHORIZED = {
    "status": 401,
    "serviceErrorCode": 65600,
    "code": "INVALID_ACCESS_TOKEN",
    "message": "Invalid access token",
}


def header(request: Received, name: str) -> str | None:
    return next((v for k, v in request.headers.items() if k.lower() == name.lower()), None)


class LinkedInAPI:
    def __init__(self):
        self.posts: list[dict] = []  # created, oldest first
        self.images: dict[str, dict] = {}  # urn -> {"owner", "bytes", "polls"}
        self.processing = False  # an uploaded image is PROCESSING at its first read
        self.slow_answer = 0.0  # the next post is made, its answer this late (once)
        self.refused: list[str] = []  # requests missing what LinkedIn requires
        self.tokens = {TOKEN}  # the access tokens LinkedIn accepts
        self._queued: dict[tuple[str, str], list[Reply]] = {}
        self._ids = itertools.count(7_000_000_000)
        self._lock = threading.Lock()
        self.server = LoopbackChannel(self)

    @property
    def url(self) -> str:
        return self.server.url.removesuffix("/hook")

    def queue(self, method: str, path: str, reply: Reply) -> None:
        self._queued.setdefault((method, path), []).append(reply)

    def post_requests(self) -> list[Received]:
        return [r for r in self.server.received if r.method == "POST" and r.path == "/rest/posts"]

    def __enter__(self) -> LinkedInAPI:
        self.server.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.server.__exit__(*exc)

    def __call__(self, request: Received) -> Reply:
        parts = urlsplit(request.path)
        path, query = parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}
        with self._lock:
            queued = self._queued.get((request.method, path))
            if queued:
                return queued.pop(0)
            if path == "/oauth/v2/accessToken" and request.method == "POST":
                return self._token(request)
            bearer = (header(request, "Authorization") or "").removeprefix("Bearer ")
            if bearer not in self.tokens:
                return Reply(401, UNAUTHORIZED)
            if path.startswith("/rest/"):
                missing = self._missing_headers(request)
                if missing:
                    self.refused.append(f"{request.method} {path}: {missing}")
                    return Reply(400, {"status": 400, "message": missing})
            return self._answer(request, path, query)

    def _token(self, request: Received) -> Reply:
        form = {k: v[0] for k, v in parse_qs(request.raw.decode()).items()}
        client = (form.get("client_id"), form.get("client_secret"))
        grant = form.get("grant_type")
        if client != (CLIENT_ID, CLIENT_SECRET):
            return Reply(
                401,
                {"error": "invalid_client", "error_description": "Client authentication failed"},
            )
        if grant == "authorization_code" and form.get("code") == CODE and form.get("redirect_uri"):
            access = TOKEN
        elif grant == "refresh_token" and form.get("refresh_token") == REFRESH:
            access = f"li-tok-refreshed-{next(self._ids)}"
        else:
            description = (
                "The provided authorization grant or refresh token is invalid, expired or revoked."
            )
            return Reply(400, {"error": "invalid_request", "error_description": description})
        self.tokens.add(access)
        answer = {
            "access_token": access,
            "expires_in": 5_184_000,  # 60 days
            "refresh_token": REFRESH,
            "refresh_token_expires_in": 31_536_000,  # 365 days from the first grant
            "scope": SCOPES,
        }
        return Reply(200, answer)

    def _missing_headers(self, request: Received) -> str:
        if not re.fullmatch(r"20\d{4}", header(request, "LinkedIn-Version") or ""):
            return "A version must be present in the LinkedIn-Version header (YYYYMM)"
        if header(request, "X-Restli-Protocol-Version") != "2.0.0":
            return "X-Restli-Protocol-Version 2.0.0 is required"
        return ""

    def _answer(self, request: Received, path: str, query: dict) -> Reply:
        if path == "/rest/organizationAcls":
            return self._acls(query)
        if path == "/rest/organizations":
            ids = re.fullmatch(r"List\((.*)\)", query.get("ids", ""))
            wanted = ids.group(1).split(",") if ids else []
            results = {i: self._organization(i) for i in wanted if i in ORGANIZATIONS}
            return Reply(200, {"results": results, "statuses": {i: 200 for i in results}})
        if path.startswith("/rest/organizations/"):
            org_id = unquote(path.rsplit("/", 1)[-1])
            if org_id not in ORGANIZATIONS:
                return Reply(404, {"status": 404, "message": "Not found"})
            return Reply(200, self._organization(org_id))
        if path == "/rest/images" and query.get("action") == "initializeUpload":
            return self._initialize(request)
        if path.startswith("/upload/") and request.method == "PUT":
            self.images[unquote(path.removeprefix("/upload/"))]["bytes"] = request.raw
            return Reply(201, {})
        if path.startswith("/rest/images/"):
            return self._image(unquote(path.removeprefix("/rest/images/")))
        if path == "/rest/posts" and request.method == "POST":
            return self._create(request)
        if path == "/rest/posts" and query.get("q") == "author":
            return self._by_author(query)
        return Reply(404, {"status": 404, "message": f"No resource at {path}"})

    def _acls(self, query: dict) -> Reply:
        if (query.get("q"), query.get("role")) != ("roleAssignee", "ADMINISTRATOR"):
            return Reply(400, {"status": 400, "message": "q=roleAssignee&role=… expected"})
        elements = [
            {
                "roleAssignee": MEMBER,
                "state": "APPROVED",
                "role": "ADMINISTRATOR",
                "organization": f"urn:li:organization:{org_id}",
            }
            for org_id in ORGANIZATIONS
        ]
        return Reply(200, {"elements": elements, "paging": {"count": 100, "start": 0}})

    def _organization(self, org_id: str) -> dict:
        logo = f"urn:li:digitalmediaAsset:{LOGO_ASSET}" if org_id == "2414183" else None
        body = {"id": int(org_id), **ORGANIZATIONS[org_id]}
        if logo:
            body["logoV2"] = {"original": logo, "cropped": logo}
            self.images.setdefault(
                f"urn:li:image:{LOGO_ASSET}", {"owner": ORG, "bytes": b"logo", "polls": 0}
            )
        return body

    def _initialize(self, request: Received) -> Reply:
        owner = (request.body.get("initializeUploadRequest") or {}).get("owner")
        if owner != ORG:
            return Reply(403, {"status": 403, "code": "ACCESS_DENIED", "message": "Not owner"})
        urn = f"urn:li:image:D4E10AQ{next(self._ids)}"
        self.images[urn] = {"owner": owner, "bytes": None, "polls": 0}
        value = {
            "uploadUrlExpiresAt": int(time.time() * 1000) + 3_600_000,
            "uploadUrl": f"{self.url}/upload/{urn}",
            "image": urn,
        }
        return Reply(200, {"value": value})

    def _image(self, urn: str) -> Reply:
        image = self.images.get(urn)
        if image is None:
            return Reply(404, {"status": 404, "message": "Image not found"})
        image["polls"] += 1
        if image["bytes"] is None:
            status = "WAITING_UPLOAD"
        elif self.processing and image["polls"] == 1:
            status = "PROCESSING"
        else:
            status = "AVAILABLE"
        body = {"id": urn, "owner": image["owner"], "status": status}
        if status == "AVAILABLE":
            body["downloadUrl"] = f"https://media.licdn.example/{urn.rsplit(':', 1)[-1]}"
        return Reply(200, body)

    def _create(self, request: Received) -> Reply:
        body = request.body
        commentary = body.get("commentary", "")
        if len(commentary.encode("utf-16-le")) // 2 > 3000:
            text = (
                "com.linkedin.content.common.exception.BadRequestResponseException: "
                f"ShareCommentary text length ({len(commentary)} characters) exceeded the "
                "maximum allowed (3000 characters)"
            )
            return Reply(400, {"status": 400, "message": text})
        expected = {
            "author": ORG,
            "visibility": "PUBLIC",
            "lifecycleState": "PUBLISHED",
            "distribution": body.get("distribution") or {},
        }
        if {k: body.get(k) for k in expected} != expected or (
            expected["distribution"].get("feedDistribution") != "MAIN_FEED"
        ):
            return Reply(422, {"status": 422, "message": "Invalid post: author or distribution"})
        content = body.get("content") or {}
        media = [content["media"]] if "media" in content else []
        media += (content.get("multiImage") or {}).get("images") or []
        if "multiImage" in content and not 2 <= len(media) <= 20:
            return Reply(422, {"status": 422, "message": "multiImage takes 2 to 20 images"})
        for item in media:
            image = self.images.get(item.get("id"))
            if image is None or image["bytes"] is None or image["owner"] != ORG:
                return Reply(400, {"status": 400, "message": "INVALID_CONTENT_OWNERSHIP"})
        urn = f"urn:li:share:{next(self._ids)}"
        self.posts.append(
            {
                "id": urn,
                "author": ORG,
                "commentary": commentary,
                "content": content,
                "createdAt": int(time.time() * 1000),
                "lifecycleState": "PUBLISHED",
                "visibility": "PUBLIC",
            }
        )
        delay, self.slow_answer = self.slow_answer, 0.0
        return Reply(201, {}, headers={"x-restli-id": urn}, delay=delay)

    def _by_author(self, query: dict) -> Reply:
        if query.get("author") != ORG:
            return Reply(403, {"status": 403, "code": "ACCESS_DENIED", "message": "Not an admin"})
        count = int(query.get("count", 10))
        newest = list(reversed(self.posts))[:count]
        elements = [
            {**post, "commentary": re.sub(r"#(\w+)", r"{hashtag|\\#|\1}", post["commentary"])}
            for post in newest
        ]
        return Reply(200, {"elements": elements, "paging": {"count": count, "start": 0}})
