"""Where a signed-in person lands: the calendar for the national team, the
department's posts for a contributor."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import path

from accounts.roles import Role
from accounts.scope import roles_of


@login_required
def home(request):
    if roles_of(request.user) == {Role.CONTRIBUTOR}:
        return redirect("post-list")
    return redirect("calendar")


urlpatterns = [path("", home, name="home")]
