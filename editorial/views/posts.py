"""Placeholder for the posts pages (being built)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path


@login_required
def post_list(request):
    return render(request, "editorial/placeholder.html", {"section": "posts"})


@login_required
def post_create(request):
    return render(request, "editorial/placeholder.html", {"section": "posts"})


@login_required
def post_detail(request, pk):
    return render(request, "editorial/placeholder.html", {"section": "posts"})


@login_required
def post_edit(request, pk):
    return render(request, "editorial/placeholder.html", {"section": "posts"})


urlpatterns = [
    path("posts/<int:pk>/", post_detail, name="post-detail"),
    path("posts/<int:pk>/edit/", post_edit, name="post-edit"),
    path("posts/", post_list, name="post-list"),
    path("posts/new/", post_create, name="post-create"),
]
