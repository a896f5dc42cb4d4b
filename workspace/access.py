"""What a manager may open: one access helper per object type, used by every view.

An object outside the user's department scope answers 404, as in `editorial.access`;
whether the user may manage that kind of object at all is `workspace.permissions`'
question (403 with the reason), asked first by the views.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Department, User
from accounts.scope import department_ids_of
from editorial.access import visible_campaigns, visible_channels, visible_departments
from editorial.models import Campaign, Channel, SensitivityRule


def rule_or_404(user, pk) -> SensitivityRule:
    # The note-cadre is the whole organisation's: no department scope.
    return get_object_or_404(SensitivityRule, pk=pk)


def channel_or_404(user, pk) -> Channel:
    return get_object_or_404(visible_channels(user), pk=pk)


def campaign_or_404(user, pk) -> Campaign:
    return get_object_or_404(visible_campaigns(user), pk=pk)


def department_or_404(user, pk) -> Department:
    return get_object_or_404(visible_departments(user), pk=pk)


def visible_people(user) -> QuerySet[User]:
    """People of the user's departments, and those of no department yet (an account
    made in the admin), whom only a national manager can see to place them."""
    ids = department_ids_of(user)
    in_scope = User.objects.filter(groups__department__in=ids)
    homeless = User.objects.exclude(groups__department__isnull=False)
    return (in_scope | homeless).distinct() if ids else User.objects.none()


def person_or_404(user, pk) -> User:
    return get_object_or_404(visible_people(user), pk=pk)
