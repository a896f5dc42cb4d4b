"""X's side of the OAuth 2.0 connect flow (editorial/channels/oauth.py): the
authorization code flow with PKCE, user context. Once the token is exchanged, the
account it posts as is the token's own user (`GET /2/users/me`): one account, with its
id and username kept in the channel's settings."""

from __future__ import annotations

import datetime as dt

from editorial.channels.oauth import OAuthAccount, OAuthProvider, network_setting
from editorial.channels.x.api import call, data

USER_FIELDS = "id,name,username,profile_image_url"


def me(token: str, channel=None) -> dict:
    """The token's user (`GET /2/users/me`), raising one of the three errors. `channel`
    names whose token it is in an error (none yet during the connect flow)."""
    url = network_setting("x", "api_url", "https://api.x.com").rstrip("/") + "/2/users/me"
    response = call(channel or "X", "GET", url, token, params={"user.fields": USER_FIELDS})
    return data(channel or "X", response)


class XOAuth(OAuthProvider):
    def accounts(self, token: dict) -> list[OAuthAccount]:
        """The token's own account. `token`: the token endpoint's answer
        (`access_token`, `refresh_token` with `offline.access`, `expires_in` seconds:
        two hours at X)."""
        user = me(str(token.get("access_token") or ""))
        username = str(user.get("username") or "")
        expires_at = None
        try:
            seconds = float(token.get("expires_in"))
        except (TypeError, ValueError):
            seconds = 0
        if seconds > 0:
            expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)
        name = str(user.get("name") or "").strip()
        return [
            OAuthAccount(
                key=str(user.get("id") or ""),
                name=f"{name} (@{username})" if name else f"@{username}",
                credentials={
                    "access_token": token.get("access_token") or "",
                    "refresh_token": token.get("refresh_token") or "",
                },
                settings={"user_id": str(user.get("id") or ""), "username": username},
                expires_at=expires_at,
                avatar_url=str(user.get("profile_image_url") or ""),
            )
        ]
