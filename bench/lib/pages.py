"""What bench/pages.py requests, and as whom: the first person of each role in the
data set `seed_scale` made, signed in as they would be (second factor given)."""

from __future__ import annotations

import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone


def signed_in_client(role: str):
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.models import User
    from accounts.two_factor import needs_two_factor
    from tests.sign_in import enrol

    person = User.objects.filter(groups__name=role, is_active=True).order_by("pk").first()
    client = Client()
    client.force_login(person)
    if needs_two_factor(person):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = enrol(person).persistent_id
        session.save()
    return client, person


def pages_for(person) -> list[tuple[str, str]]:
    from editorial.access import visible_plans, visible_posts

    now = timezone.localtime(timezone.now())
    monday = (now - datetime.timedelta(days=now.weekday())).date()
    first = now.date().replace(day=1)
    month_start = first - datetime.timedelta(days=first.weekday())
    events = reverse("calendar-events")
    post = visible_posts(person).filter(state="published").order_by("-scheduled_at").first()
    plan = visible_plans(person).filter(state="submitted").order_by("iso_year", "iso_week").first()
    pages = [
        ("calendar week events", f"{events}?start={monday}&end={monday + datetime.timedelta(7)}"),
        (
            "calendar month events",
            f"{events}?start={month_start}&end={month_start + datetime.timedelta(42)}",
        ),
        ("calendar page", reverse("calendar")),
        ("inbox", reverse("inbox")),
        ("plan board", reverse("plan-board")),
        ("plan review", reverse("plan-review", args=[plan.pk]) if plan else reverse("plan-board")),
        ("post page", reverse("post-detail", args=[post.pk])),
        ("post list", reverse("post-list")),
        ("reports", reverse("reports")),
        ("api post list", reverse("api-posts")),
    ]
    return pages
