"""What a user may see: one access helper per object type, used by every view.

An object outside the user's scope answers 404, as if it did not exist: a department
contributor must not even learn that another department's post is there. Whether they
may *act* on an object they see is a separate question, answered by
`editorial.permissions` (403 with the reason).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Department
from accounts.scope import department_ids_of
from editorial.models import (
    Campaign,
    Channel,
    Post,
    PostImage,
    Publication,
    PublicationState,
    WeeklyPlan,
)


def visible_posts(user) -> QuerySet[Post]:
    return Post.objects.filter(origin_department_id__in=department_ids_of(user))


def post_or_404(user, pk, queryset: QuerySet[Post] | None = None) -> Post:
    queryset = visible_posts(user) if queryset is None else queryset
    return get_object_or_404(
        queryset.filter(origin_department_id__in=department_ids_of(user)), pk=pk
    )


def visible_plans(user) -> QuerySet[WeeklyPlan]:
    return WeeklyPlan.objects.filter(team_id__in=department_ids_of(user))


def plan_or_404(user, pk) -> WeeklyPlan:
    return get_object_or_404(visible_plans(user), pk=pk)


def visible_departments(user) -> QuerySet[Department]:
    return Department.objects.filter(pk__in=department_ids_of(user))


def usable_channels(user) -> QuerySet[Channel]:
    """The channels the user may publish on: their departments' own, active, on a
    network that has a connector (see `content.channel_publish_problem`)."""
    from editorial.content import publishing_networks

    return Channel.objects.filter(
        department_id__in=department_ids_of(user),
        is_active=True,
        network__in=publishing_networks(),
    ).select_related("department")


def visible_channels(user) -> QuerySet[Channel]:
    return Channel.objects.filter(department_id__in=department_ids_of(user))


def visible_campaigns(user) -> QuerySet[Campaign]:
    """The user's departments' campaigns and the national ones, which every team joins."""
    return Campaign.objects.filter(
        Q(department_id__in=department_ids_of(user)) | Q(department__is_national=True)
    )


def post_image_or_404(user, name: str) -> str:
    """The stored name of a post's image that `user` may look at: anyone's once a post
    carrying it has gone out somewhere (the networks show it to all), otherwise only a
    signed-in user who may see a post carrying it (a copy shares its original's file)."""
    carrying = PostImage.objects.filter(image=name)
    went_out = Publication.objects.filter(
        post__images__image=name, state=PublicationState.SENT
    ).exists()
    if not went_out:
        if not user.is_authenticated:
            raise Http404
        carrying = carrying.filter(post__in=visible_posts(user))
    if not carrying.exists():
        raise Http404
    return name
