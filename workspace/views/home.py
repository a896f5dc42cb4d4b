"""The workspace's front page: the sections this person may open, and their account."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.urls import path

from workspace.views.common import page


@login_required
def index(request):
    return page(request, "workspace/index.html", "index")


urlpatterns = [path("", index, name="workspace")]
