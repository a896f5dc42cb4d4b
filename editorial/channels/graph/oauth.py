"""Connecting a Facebook Page or an Instagram professional account: Facebook Login for
Business (the authorisation-code flow, no PKCE: Meta documents PKCE only for its OIDC
flow, still "in testing", and the app's secret stays on the server).

The token the flow gets is a short-lived user token (about an hour). `accounts` swaps it
for a long-lived one (`grant_type=fb_exchange_token`, 60 days), then lists the Pages
the person manages (`GET /me/accounts`), each with its own Page token: a Page token
derived from a long-lived user token has no expiry, so the channel keeps no expiry and
needs no refresh (it stops working only if the person loses their role on the Page,
changes their password or removes the app: code 190, the channel needs reconnecting).
For Instagram, each Page's linked professional account
(`instagram_business_account`) is the account offered, published to with its Page's
token.
"""

from __future__ import annotations

from dataclasses import dataclass

from editorial.channels.base import PermanentError
from editorial.channels.graph.client import GRAPH_VERSION, graph_call
from editorial.channels.oauth import OAuthAccount, OAuthProvider, network_setting
from editorial.messages import message

AUTHORIZE_URL = f"https://www.facebook.com/{GRAPH_VERSION}/dialog/oauth"
TOKEN_URL = f"https://graph.facebook.com/{GRAPH_VERSION}/oauth/access_token"
PAGE_SCOPES = ("pages_show_list", "pages_manage_posts", "pages_read_engagement")
INSTAGRAM_SCOPES = (
    "instagram_basic",
    "instagram_content_publish",
    "pages_show_list",
    "pages_read_engagement",
    "business_management",
)
PAGE_FIELDS = "id,name,access_token,link,picture{url}"
INSTAGRAM_FIELDS = "instagram_business_account{id,username,name,profile_picture_url}"
MAX_PAGES = 100  # the accounts a person may choose from: one page of answers


@dataclass(frozen=True)
class MetaOAuthProvider(OAuthProvider):
    pkce: bool = False
    scope_separator: str = ","
    instagram: bool = False  # offer the Pages' Instagram accounts instead of the Pages

    def accounts(self, token: dict) -> list[OAuthAccount]:
        from editorial.models import Channel

        # A channel not yet made, named for the messages of what may go wrong.
        asking = Channel(name=str(self.network), network=self.network)
        user_token = self.long_lived(asking, str(token.get("access_token") or ""))
        fields = f"{PAGE_FIELDS},{INSTAGRAM_FIELDS}" if self.instagram else PAGE_FIELDS
        body = graph_call(
            asking, "GET", "/me/accounts", user_token, params={"fields": fields, "limit": MAX_PAGES}
        )
        pages = [page for page in body.get("data") or [] if isinstance(page, dict)]
        if self.instagram:
            return [account for page in pages if (account := _instagram_account(page))]
        return [account for page in pages if (account := _page_account(page))]

    def long_lived(self, asking, short_token: str) -> str:
        """The long-lived user token for a short-lived one. In the body of a POST, not in
        the address: addresses end up in logs."""
        if not short_token:
            raise PermanentError(message("channel_not_connected", channel=asking))
        body = graph_call(
            asking,
            "POST",
            "/oauth/access_token",
            short_token,
            data={
                "grant_type": "fb_exchange_token",
                "client_id": network_setting(self.network, "client_id"),
                "client_secret": network_setting(self.network, "client_secret"),
                "fb_exchange_token": short_token,
            },
        )
        return str(body.get("access_token") or short_token)


def _picture(node: dict) -> str:
    picture = node.get("picture")
    if isinstance(picture, dict) and isinstance(picture.get("data"), dict):
        return str(picture["data"].get("url") or "")
    return ""


def _page_account(page: dict) -> OAuthAccount | None:
    if not page.get("id") or not page.get("access_token"):
        return None  # no task on the Page that gives a token: nothing to publish with
    return OAuthAccount(
        key=str(page["id"]),
        name=str(page.get("name") or page["id"]),
        credentials={"access_token": str(page["access_token"])},
        settings={"page_id": str(page["id"]), "page_name": str(page.get("name") or "")},
        expires_at=None,
        avatar_url=_picture(page),
    )


def _instagram_account(page: dict) -> OAuthAccount | None:
    linked = page.get("instagram_business_account")
    if not isinstance(linked, dict) or not linked.get("id") or not page.get("access_token"):
        return None  # a Page without a linked professional account
    username = str(linked.get("username") or linked["id"])
    return OAuthAccount(
        key=str(linked["id"]),
        name=f"@{username} ({page.get('name') or page.get('id')})",
        credentials={"access_token": str(page["access_token"])},
        settings={
            "ig_user_id": str(linked["id"]),
            "username": username,
            "page_id": str(page.get("id") or ""),
        },
        expires_at=None,
        avatar_url=str(linked.get("profile_picture_url") or ""),
    )
