"""Markup where people type text: a data set with a script payload in every free-text
field, saved through the same service functions the pages use, for the escaping tests
(tests/test_escaping.py) and the browser's sweep (tests/browser/test_xss_sweep.py).

Each payload carries its field's name, so a finding says where the text came from:
a script tag, an image whose error handler runs, an attribute break-out, a
`javascript:` address, markup left open, and a right-to-left override (U+202E) that
would turn the rest of a line around.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from urllib.parse import quote

from django.utils import timezone

RLO = "\u202e"


def payload(field: str) -> str:
    return (
        f'<script>alert("xss-{field}")</script><img src=x onerror=alert("{field}")>'
        f"\"'><b class=xss>javascript:alert(1) {RLO}{field}"
    )


# What no page may contain as it is: each would be markup, not text.
RAW = ("<script>alert(", "<img src=x", "<b class=xss>")


def escaped(field: str) -> str:
    """How the payload's start reads in an escaped page (Django's `escape`)."""
    return f"&lt;script&gt;alert(&quot;xss-{field}&quot;)&lt;/script&gt;"


FIELDS = (
    "title",
    "body",
    "variant",
    "alt",
    "comment",
    "reason",  # a sensitivity flag's reason
    "return",  # a submission sent back
    "changes",  # changes requested on a post
    "planret",  # a plan sent back
    "pause",
    "channel",
    "campaign",
    "cdesc",  # a campaign's description
    "dept",
    "rule",
    "first",
    "last",
)


def build(national, cm, head, admin) -> SimpleNamespace:
    """Everything with a payload, in one department, through the service functions."""
    from editorial import workflow as wf
    from editorial.images import sanitize
    from editorial.models import Category, Network, PostImage, SensitivityRule
    from tests.uploads import png
    from workspace import services
    from workspace.forms import CampaignForm, ChannelForm, DepartmentForm, RuleForm

    w = SimpleNamespace()
    form = DepartmentForm({"name": payload("dept"), "code": "ddsp-xss"})
    assert form.is_valid(), form.errors
    w.dept = services.add_department(admin, form)

    from django.contrib.auth.models import Group

    from accounts.roles import Role

    writer = services.invite(
        admin,
        email="writer@xss.example",
        first_name=payload("first"),
        last_name=payload("last"),
        role_group=Group.objects.get(name=Role.CONTRIBUTOR),
        departments=[w.dept],
    )
    writer.is_active = True  # as the invitation's page does, with the password chosen
    writer.set_password("demo")
    writer.save()
    w.writer = writer

    form = ChannelForm(
        {
            "name": payload("channel"),
            "network": Network.LOG,
            "handle": "@police@xss.example",
            "department": w.dept.pk,
            "is_active": "on",
        },
        user=admin,
    )
    assert form.is_valid(), form.errors
    w.channel = services.save_channel(admin, form)
    feed = ChannelForm(
        {
            "name": payload("channel"),
            "network": Network.ATOM,
            "handle": "flux-xss",
            "department": w.dept.pk,
            "is_active": "on",
        },
        user=admin,
    )
    assert feed.is_valid(), feed.errors
    w.feed = services.save_channel(admin, feed)

    form = CampaignForm(
        {"name": payload("campaign"), "description": payload("cdesc"), "department": w.dept.pk},
        user=cm,
    )
    assert form.is_valid(), form.errors
    w.campaign = services.save_campaign(cm, form)

    form = RuleForm(
        {"topic": payload("rule"), "kind": SensitivityRule.Kind.KEYWORD, "pattern": "braquage"}
    )
    assert form.is_valid(), form.errors
    w.rule = services.save_rule(head, form)

    when = timezone.now() + dt.timedelta(days=3)
    year, week, _ = timezone.localdate(when).isocalendar()
    w.year, w.week = year, week

    def write(title: str, **fields):
        fields.setdefault("category", Category.PREVENTION)
        return wf.create_post(
            writer,
            department=w.dept,
            channels=[w.channel, w.feed],
            variants={w.channel: payload("variant")},
            title=title,
            body=payload("body"),
            scheduled_at=when,
            campaign=w.campaign,
            **fields,
        )

    # The post the reviewers read: in the week's plan, flagged, commented, with an image.
    w.post = write(payload("title"))
    PostImage.objects.create(post=w.post, image=sanitize(png()), alt_text=payload("alt"))
    wf.comment(w.post, cm, payload("comment"))
    wf.submit(w.post, writer)
    w.plan = wf.plan_for_week(national, year, week, cm)
    wf.accept(w.post, cm, plan=w.plan)
    wf.mark_sensitive(w.post, cm, payload("reason"))
    wf.submit_plan(w.plan, cm)

    w.returned = write("Renvoyé")
    wf.submit(w.returned, writer)
    wf.return_submission(w.returned, cm, payload("return"))

    w.changed = write("À reprendre", category=Category.HOT_NEWS)
    wf.fast_track(w.changed, cm)
    wf.request_changes(w.changed, head, payload("changes"))

    # Another week's plan, sent back with a reason.
    w.plan2 = wf.plan_for_week(national, year + 1, week, cm)
    other = write("Semaine suivante")
    wf.submit(other, writer)
    wf.accept(other, cm, plan=w.plan2)
    wf.submit_plan(w.plan2, cm)
    wf.return_plan(w.plan2, head, payload("planret"))

    w.pause = wf.pause_publishing(head, payload("pause"), channel=w.channel)
    for name in ("post", "returned", "changed"):
        getattr(w, name).refresh_from_db()
    return w


def pages(w) -> dict[str, list[str]]:
    """Who reads which pages (by username of the conftest personas)."""
    post, plan = w.post.pk, w.plan.pk
    admin = [
        f"/admin/{model}/"
        for model in (
            "editorial/post",
            "editorial/comment",
            "editorial/channel",
            "editorial/campaign",
            "editorial/sensitivityrule",
            "editorial/auditentry",
            "editorial/publishingpause",
            "editorial/weeklyplan",
            "accounts/user",
            "accounts/department",
        )
    ]
    admin += [
        f"/admin/editorial/post/{post}/change/",
        f"/admin/editorial/post/{w.changed.pk}/change/",
        f"/admin/accounts/user/{w.writer.pk}/change/",
        f"/admin/editorial/weeklyplan/{w.plan2.pk}/change/",
    ]
    return {
        "head": [
            "/inbox/",
            f"/posts/{post}/",
            f"/posts/{w.changed.pk}/",
            f"/plans/{plan}/review/",
            f"/calendar/?view=week&date={timezone.localdate(w.post.scheduled_at)}",
            "/notifications/",
            "/crisis/",
            "/workspace/rules/",
            "/posts/",
            f"/posts/?q={quote(w.post.title[:20])}",
        ],
        "cm": [
            f"/plans/{w.year}/{w.week}/",
            f"/plans/{w.year + 1}/{w.week}/",
            "/submissions/",
            f"/posts/{w.returned.pk}/",
            f"/posts/{post}/edit/",
            "/workspace/campaigns/",
            f"/workspace/campaigns/{w.campaign.pk}/",
            "/notifications/",
        ],
        "writer": ["/posts/", f"/posts/{w.returned.pk}/", "/inbox/", "/notifications/"],
        "admin": [
            "/workspace/channels/",
            f"/workspace/channels/{w.channel.pk}/",
            "/workspace/departments/",
            f"/workspace/departments/{w.dept.pk}/",
            "/workspace/people/",
            f"/workspace/people/{w.writer.pk}/",
            "/workspace/rules/",
            *admin,
        ],
    }


def readers(w, cm, head, admin_user) -> dict:
    return {"head": head, "cm": cm, "writer": w.writer, "admin": admin_user}
