"""Placeholder for the inbox pages (being built)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path


@login_required
def inbox(request):
    return render(request, "editorial/placeholder.html", {"section": "inbox"})


urlpatterns = [
    path("inbox/", inbox, name="inbox"),
]
