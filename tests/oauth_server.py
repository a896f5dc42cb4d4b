"""A generic OAuth 2 authorisation server on loopback, for the connect flow's tests and
the networks' (X, Facebook, Instagram, LinkedIn) own: the authorisation-code grant
with PKCE (S256 or plain), the refresh-token grant, and one account endpoint.

    with OAuthServer() as server:
        settings.CADENCE_NETWORKS = {"x": server.network_settings()}
        ...
        callback = server.authorize(location)  # what the browser would do: the URL
                                               # the server sends it back to

- `GET /authorize?response_type=code&client_id=…&redirect_uri=…&state=…
  [&code_challenge=…&code_challenge_method=S256]`: answers 302 to `redirect_uri` with
  `code` and `state`; after `server.deny_next()`, with `error=access_denied` instead.
  An unknown `client_id` gets 400 (the network shows its own error page).
- `POST /token` (form-encoded; the client authenticates with `client_secret_post` or
  `client_secret_basic`): `grant_type=authorization_code` checks the code (once
  only), the `redirect_uri` and the PKCE `code_verifier` against the challenge;
  `grant_type=refresh_token` checks the refresh token (rotated: each one works once).
  Answers `{"access_token", "token_type": "bearer", "expires_in", "refresh_token",
  "scope"}`, or 400 `{"error": "invalid_grant"|"invalid_client"|…}`.
  `server.refuse_next(status, error)` makes the next `/token` answer that error.
- `GET /me` with `Authorization: Bearer <access token>`: `{"accounts": server.accounts}`
  (401 for a token it did not issue, or one revoked by `server.revoke_all()`; 403 once
  after `server.refuse_accounts_next()`, as a network refusing a permission).

`server.issue()` makes a token as `/token` would (a channel connected before the test);
`server.issued` lists the access tokens issued, newest last; `server.received` every
request (tests.loopback.Received). `expires_in` (seconds) is what each token lives.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import threading
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.loopback import LoopbackChannel, Received, Reply

CLIENT_ID = "cadence-test-client"
CLIENT_SECRET = "client-secret-never-in-clear"
ACCOUNTS = [
    {"id": "42", "name": "Préfecture de test", "avatar": ""},
]


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def pkce_holds(asked: dict, verifier: str) -> bool:
    """Whether the token request's `code_verifier` matches the authorisation request's
    challenge (RFC 7636 4.6); no challenge asked, no verifier expected."""
    challenge = asked.get("code_challenge")
    if not challenge:
        return not verifier
    if asked.get("code_challenge_method", "plain") == "S256":
        return s256(verifier) == challenge
    return verifier == challenge


def form(request: Received) -> dict:
    """A form-encoded body (the loopback keeps bodies that are not JSON as `raw`)."""
    return dict(parse_qsl(request.body.get("raw", ""), keep_blank_values=True))


def query(request: Received) -> dict:
    return dict(parse_qsl(urlsplit(request.path).query, keep_blank_values=True))


def header(request: Received, name: str) -> str:
    return next((v for k, v in request.headers.items() if k.lower() == name.lower()), "")


class OAuthServer:
    def __init__(self, *, expires_in: int = 3600, accounts: list[dict] | None = None):
        self.expires_in = expires_in
        self.accounts = list(ACCOUNTS if accounts is None else accounts)
        self.client_id = CLIENT_ID
        self.client_secret = CLIENT_SECRET
        self.issued: list[str] = []
        self.codes: dict[str, dict] = {}
        self.refresh_tokens: set[str] = set()
        self.access_tokens: set[str] = set()
        self._deny = False
        self._refuse_accounts = False
        self._refusals: list[tuple[int, str]] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.server = LoopbackChannel(self)

    # --- addresses ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.server.url.removesuffix("/hook")

    @property
    def received(self) -> list[Received]:
        return self.server.received

    def network_settings(self, **more) -> dict:
        """A `CADENCE_NETWORKS[<network>]` entry pointing at this server."""
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "authorize_url": f"{self.url}/authorize",
            "token_url": f"{self.url}/token",
            "api_url": self.url,
            **more,
        }

    # --- what a test asks of it ---------------------------------------------------------

    def deny_next(self) -> None:
        self._deny = True

    def refuse_next(self, status: int = 400, error: str = "invalid_grant") -> None:
        self._refusals.append((status, error))

    def refuse_accounts_next(self) -> None:
        self._refuse_accounts = True

    def revoke_all(self) -> None:
        with self._lock:
            self.access_tokens.clear()
            self.refresh_tokens.clear()

    def issue(self) -> dict:
        """A token as `/token` would answer it: for a channel a test connected before."""
        with self._lock:
            return self._issue("")

    def authorize(self, location: str) -> str:
        """Follow the authorisation redirect as the browser would; the URL the server
        sends the browser back to (the callback, with `code` or `error`)."""
        import httpx

        answer = httpx.get(location, follow_redirects=False, timeout=5)
        assert answer.status_code == 302, (answer.status_code, answer.text)
        return answer.headers["Location"]

    def __enter__(self) -> OAuthServer:
        self.server.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.server.__exit__(*exc)

    # --- the endpoints ------------------------------------------------------------------

    def __call__(self, request: Received) -> Reply:
        path = urlsplit(request.path).path
        with self._lock:
            if path == "/authorize":
                return self._authorize(query(request))
            if path == "/token":
                return self._token(request)
            if path == "/me":
                return self._me(request)
        return Reply(404, {"error": "not_found"})

    def _authorize(self, params: dict) -> Reply:
        if params.get("client_id") != self.client_id or not params.get("redirect_uri"):
            return Reply(400, {"error": "invalid_client"})
        back = {"state": params.get("state", "")}
        if self._deny:
            self._deny = False
            back |= {"error": "access_denied", "error_description": "The user said no."}
        else:
            code = f"code-{next(self._ids)}"
            self.codes[code] = params
            back["code"] = code
        separator = "&" if "?" in params["redirect_uri"] else "?"
        location = params["redirect_uri"] + separator + urlencode(back)
        return Reply(302, headers={"Location": location})

    def _client(self, request: Received, body: dict) -> tuple[str, str]:
        basic = header(request, "Authorization")
        if basic.startswith("Basic "):
            name, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
            return name, secret
        return body.get("client_id", ""), body.get("client_secret", "")

    def _token(self, request: Received) -> Reply:
        body = form(request)
        if self._refusals:
            status, error = self._refusals.pop(0)
            return Reply(status, {"error": error})
        if self._client(request, body) != (self.client_id, self.client_secret):
            return Reply(401, {"error": "invalid_client"})
        grant = body.get("grant_type")
        if grant == "authorization_code":
            asked = self.codes.pop(body.get("code", ""), None)
            if asked is None or asked["redirect_uri"] != body.get("redirect_uri"):
                return Reply(400, {"error": "invalid_grant"})
            if not pkce_holds(asked, body.get("code_verifier", "")):
                return Reply(400, {"error": "invalid_grant", "error_description": "PKCE"})
            return Reply(200, self._issue(asked.get("scope", "")))
        if grant == "refresh_token":
            token = body.get("refresh_token", "")
            if token not in self.refresh_tokens:
                return Reply(400, {"error": "invalid_grant"})
            self.refresh_tokens.discard(token)
            return Reply(200, self._issue(body.get("scope", "")))
        return Reply(400, {"error": "unsupported_grant_type"})

    def _issue(self, scope: str) -> dict:
        n = next(self._ids)
        access, refresh = f"access-{n}", f"refresh-{n}"
        self.access_tokens.add(access)
        self.refresh_tokens.add(refresh)
        self.issued.append(access)
        return {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": self.expires_in,
            "refresh_token": refresh,
            "scope": scope,
        }

    def _me(self, request: Received) -> Reply:
        token = header(request, "Authorization").removeprefix("Bearer ")
        if token not in self.access_tokens:
            return Reply(401, {"error": "invalid_token"})
        if self._refuse_accounts:
            self._refuse_accounts = False
            return Reply(403, {"error": "insufficient_scope"})
        return Reply(200, {"accounts": self.accounts})
