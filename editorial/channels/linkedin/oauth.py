"""LinkedIn's OAuth 2 authorisation-code flow ("3-legged OAuth"), and which pages a
token may publish as.

No PKCE: LinkedIn offers it to native applications only (a loopback redirect, enabled
by LinkedIn on request); a web application authenticates with its client secret.
LinkedIn's token endpoint answers `access_token` and `expires_in` (60 days), and, for
applications LinkedIn approved for programmatic refresh (the Community Management API
is one), `refresh_token` and `refresh_token_expires_in` (365 days, not extended by a
refresh).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from editorial.channels.linkedin import organizations
from editorial.channels.oauth import OAuthAccount, OAuthProvider
from editorial.models import Channel, Network


def expiry(token: dict, field: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """`now` plus the token's `field` seconds (`expires_in`), or None."""
    seconds = token.get(field)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0:
        return None
    return (now or timezone.now()) + dt.timedelta(seconds=seconds)


class LinkedInOAuth(OAuthProvider):
    def accounts(self, token: dict) -> list[OAuthAccount]:
        """One account per organisation the member administers: its URN kept in clear,
        the member's tokens (the same for each page) encrypted. Raises the adapter's
        errors: `CredentialsRejected` for a refused token, `PermanentError` for a
        permission the application lacks, `TransientError` when LinkedIn is away."""
        access = str(token.get("access_token") or "")
        now = timezone.now()
        # No channel exists yet: an unsaved one names LinkedIn in any error.
        someone = Channel(name="LinkedIn", network=Network.LINKEDIN)
        urns = organizations.administered(someone, access)
        credentials = {"access_token": access}
        if token.get("refresh_token"):
            credentials["refresh_token"] = str(token["refresh_token"])
        refresh_expiry = expiry(token, "refresh_token_expires_in", now)
        accounts = []
        for page in organizations.read(someone, access, urns):
            settings = {"organization_urn": page.urn, "page_url": page.page_url}
            if refresh_expiry is not None:
                settings["refresh_token_expires_at"] = refresh_expiry.isoformat()
            accounts.append(
                OAuthAccount(
                    key=page.urn,
                    name=page.name,
                    credentials=dict(credentials),
                    settings=settings,
                    expires_at=expiry(token, "expires_in", now),
                    avatar_url=page.logo_url,
                )
            )
        return accounts


OAUTH = LinkedInOAuth(
    network=Network.LINKEDIN,
    authorize_url="https://www.linkedin.com/oauth/v2/authorization",
    token_url="https://www.linkedin.com/oauth/v2/accessToken",
    scopes=("w_organization_social", "r_organization_social", "rw_organization_admin"),
    pkce=False,
)
