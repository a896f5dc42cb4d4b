"""Every page and action of the product asks who you are first. Walks the project's URL
patterns, so a view added without a login check fails here even if nobody wrote a test
for it; the few public addresses are listed, each on purpose. What each signed-in role
may reach of another department's objects, admin included: tests/test_access_sweep.py."""

import re

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver

# Public on purpose: signing in and out, the language switch, the health check for
# monitors, and the Atom feeds (the public channel itself). The admin has its own login.
PUBLIC = {"login", "logout", "set_language", "healthz", "healthz-json", "channel-atom-feed"}
# The invitation link: the invited person has no password yet, the link's token is the key.
PUBLIC |= {"workspace-invitation"}
# Password reset: for someone who cannot sign in; the e-mailed link's token is the key.
PUBLIC |= {
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
# A post's image: anyone's once the post has gone out, else 404 to whoever may not see
# the post (an <img> cannot follow a login page); tested in tests/test_media.py.
PUBLIC |= {"post-image"}
# A post's image for Instagram to fetch: only through a signed link that names it and
# expires within the hour, else 404; tested in tests/test_channel_instagram.py.
PUBLIC |= {"signed-image"}
# The REST API's schema and its documentation page describe the API, and hold no data.
PUBLIC |= {"api-schema", "api-docs"}
# A calendar subscription, fetched by calendar applications without a session: the
# secret in the address is the key, else 404; tested in tests/test_calendar_feeds.py.
PUBLIC |= {"calendar-feed"}
SAMPLE_ARGS = {"year": "2030", "week": "12"}  # any other int is a pk: 1; a slug: "approve"


def routes(patterns=None, prefix=""):
    """(name, path) of every URL pattern, the admin's excepted, with sample arguments."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route != "admin/":
                yield from routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield pattern.name, "/" + re.sub(r"<(\w+):(\w+)>", _sample, route)


def _sample(match: re.Match) -> str:
    converter, name = match.groups()
    return SAMPLE_ARGS.get(name, "1" if converter == "int" else "approve")


PRIVATE = sorted((name, path) for name, path in routes() if name not in PUBLIC)
# The REST API asks who you are with a 401 (a script follows no login page).
API = {name for name, path in PRIVATE if path.startswith("/api/")}


def test_the_walk_finds_the_product_and_the_public_list_names_real_routes():
    names = {name for name, _path in routes()}
    assert names >= PUBLIC
    assert {"calendar", "inbox", "post-action", "plan-review", "crisis-pause"} <= {
        name for name, _path in PRIVATE
    }


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("name", "path"), PRIVATE, ids=[name for name, _path in PRIVATE])
def test_someone_not_signed_in_is_sent_to_the_login_page(client, db, name, path, method):
    response = getattr(client, method)(path)
    if name in API:
        assert response.status_code == 401, f"{method.upper()} {path}: {response.status_code}"
        assert response["WWW-Authenticate"] == "Bearer"
        return
    if method == "get" and response.status_code == 405:
        # An action that only takes POST says so before anything else, and shows nothing;
        # its POST case (the same route, other parameter) is the one that asks who you are.
        assert response["Allow"] == "POST", f"GET {path}: Allow {response['Allow']}"
        assert response.content == b"", f"GET {path} showed something"
        return
    assert response.status_code == 302, f"{method.upper()} {path} answered {response.status_code}"
    location = response["Location"]
    assert location.startswith(resolve_url(settings.LOGIN_URL) + "?next="), location
