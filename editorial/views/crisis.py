"""Placeholder for the crisis pages (being built)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path


@login_required
def crisis(request):
    return render(request, "editorial/placeholder.html", {"section": "crisis"})


urlpatterns = [
    path("crisis/", crisis, name="crisis"),
]
