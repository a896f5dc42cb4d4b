"""A refused action, as the browser sees it: post/redirect/get (editorial/views/respond.py)."""

from __future__ import annotations

HTMX = {"HTTP_HX_REQUEST": "true"}  # what htmx adds to its requests


def refused_page(client, response, back: str) -> str:
    """The refused form post answers a redirect (303) to `back`, the page it was taken
    from; that page, fetched as the browser does, says why. Its HTML."""
    assert response.status_code == 303, f"answered {response.status_code}, not a redirect"
    assert response["Location"] == back
    page = client.get(back)
    assert page.status_code == 200
    return page.content.decode()
