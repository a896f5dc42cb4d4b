"""Placeholder for the plans pages (being built)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path


@login_required
def plan_board(request):
    return render(request, "editorial/placeholder.html", {"section": "plans"})


@login_required
def submissions(request):
    return render(request, "editorial/placeholder.html", {"section": "plans"})


urlpatterns = [
    path("plans/", plan_board, name="plan-board"),
    path("submissions/", submissions, name="submissions"),
]
