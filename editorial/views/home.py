"""Where a signed-in person lands, decided here and nowhere else (the login redirects to
this view): a reviewer with something awaiting them on what awaits them, the rest of the
national team on the calendar, a contributor on their department's posts."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import path

from editorial.inbox import awaiting_count
from editorial.permissions import is_contributor_only, reviews_posts


def landing(user) -> str:
    """The name of the page `user` starts on."""
    if is_contributor_only(user):
        return "post-list"
    # The head of communication and the director come to act: what awaits their approval
    # or sign-off, rather than a week of posts and its filters (on a phone above all).
    if reviews_posts(user) and awaiting_count(user):
        return "inbox"
    return "calendar"


@login_required
def home(request):
    return redirect(landing(request.user))


urlpatterns = [path("", home, name="home")]
