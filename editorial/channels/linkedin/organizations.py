"""The organisations (LinkedIn pages) a member administers, and what Cadence shows of
one: its name, its logo, its page's address. Read by the connect flow
(`LinkedInOAuth.accounts`) and by Test connection (`check_credentials`)."""

from __future__ import annotations

from dataclasses import dataclass

from editorial.channels.base import PublishError
from editorial.channels.linkedin.http import api_url, call, json_body, urn_path

ADMIN_SCOPE = "rw_organization_admin"
PREFIX = "urn:li:organization:"


@dataclass(frozen=True)
class Organization:
    urn: str
    name: str
    vanity_name: str = ""
    logo_url: str = ""

    @property
    def id(self) -> str:
        return self.urn.removeprefix(PREFIX)

    @property
    def page_url(self) -> str:
        return f"https://www.linkedin.com/company/{self.vanity_name or self.id}/"


def administered(channel, token: str) -> list[str]:
    """The URNs of the organisations the token's member administers (approved roles
    only), in LinkedIn's order (`GET /rest/organizationAcls?q=roleAssignee`)."""
    response = call(
        channel,
        "GET",
        f"{api_url()}/rest/organizationAcls",
        token,
        scope=ADMIN_SCOPE,
        params={"q": "roleAssignee", "role": "ADMINISTRATOR", "state": "APPROVED", "count": 100},
    )
    urns = []
    for element in json_body(channel, response).get("elements") or []:
        if not isinstance(element, dict) or element.get("state", "APPROVED") != "APPROVED":
            continue
        # `organization` since the versioned API; `organizationalTarget` before it.
        urn = str(element.get("organization") or element.get("organizationalTarget") or "")
        if urn.startswith(PREFIX) and urn not in urns:
            urns.append(urn)
    return urns


def read(channel, token: str, urns: list[str]) -> list[Organization]:
    """Each organisation's name and logo, in one batch (`GET /rest/organizations?ids=
    List(…)`); one LinkedIn does not return is left out."""
    if not urns:
        return []
    ids = ",".join(urn.removeprefix(PREFIX) for urn in urns)
    response = call(
        channel, "GET", f"{api_url()}/rest/organizations?ids=List({ids})", token, scope=ADMIN_SCOPE
    )
    results = json_body(channel, response).get("results") or {}
    found = []
    for urn in urns:
        body = results.get(urn.removeprefix(PREFIX)) if isinstance(results, dict) else None
        if isinstance(body, dict):
            found.append(_organization(channel, token, urn, body))
    return found


def read_one(channel, token: str, urn: str) -> Organization:
    response = call(
        channel,
        "GET",
        f"{api_url()}/rest/organizations/{urn_path(urn.removeprefix(PREFIX))}",
        token,
        scope=ADMIN_SCOPE,
    )
    return _organization(channel, token, urn, json_body(channel, response))


def _organization(channel, token: str, urn: str, body: dict) -> Organization:
    name = body.get("localizedName") or _localized(body.get("name")) or urn
    return Organization(
        urn=urn,
        name=str(name)[:200],
        vanity_name=str(body.get("vanityName") or ""),
        logo_url=_logo_url(channel, token, body.get("logoV2")),
    )


def _localized(value) -> str:
    if isinstance(value, dict) and isinstance(value.get("localized"), dict):
        return next(iter(value["localized"].values()), "")
    return ""


def _logo_url(channel, token: str, logo) -> str:
    """The logo's address: `logoV2` names a media asset, which the Images API reads
    under the same id (`GET /rest/images/urn:li:image:…` -> `downloadUrl`). A logo that
    cannot be read is no reason to refuse the connection: no logo then."""
    if not isinstance(logo, dict):
        return ""
    asset = str(logo.get("cropped") or logo.get("original") or "")
    if not asset.startswith("urn:li:digitalmediaAsset:"):
        return ""
    image = "urn:li:image:" + asset.removeprefix("urn:li:digitalmediaAsset:")
    try:
        response = call(channel, "GET", f"{api_url()}/rest/images/{urn_path(image)}", token)
        url = json_body(channel, response).get("downloadUrl")
    except PublishError:
        return ""
    return url if isinstance(url, str) and url.startswith("https://") else ""
