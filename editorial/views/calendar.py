"""Placeholder for the calendar pages (being built)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path


@login_required
def calendar(request):
    return render(request, "editorial/placeholder.html", {"section": "calendar"})


urlpatterns = [
    path("calendar/", calendar, name="calendar"),
]
