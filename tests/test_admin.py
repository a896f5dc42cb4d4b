"""The admin: every model usable, scoped to the user's departments, and the workflow's
transitions as admin actions that go through the workflow functions."""

import hashlib
import io
import re

import pytest
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.models import Department, User
from accounts.roles import Role
from accounts.scope import department_ids_of, give_role, has_role
from editorial import workflow
from editorial.audit import entries_for
from editorial.content import compute_content_hash
from editorial.models import (
    Approval,
    AuditEntry,
    Comment,
    Post,
    PostImage,
    PostState,
    PostVariant,
    WeeklyPlan,
)
from editorial.models.plans import PlanState
from tests.factories import (
    CampaignFactory,
    PostFactory,
    SensitivityRuleFactory,
    UserFactory,
)

# Every test here uses the database; saying so up front also makes pytest-django run
# them with the other database tests (personas looked up by name hide the need).
pytestmark = pytest.mark.django_db

PERSONAS = ["cm", "head", "director", "admin_user", "contrib_a", "contrib_b", "outsider"]


# --- helpers ---------------------------------------------------------------------------


def url(model, view: str = "changelist", *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def admin_login(client, user) -> None:
    """The admin is the administrators' tool: `user` holds that role besides their own."""
    if not user.is_superuser and not has_role(user, Role.ADMINISTRATOR):
        give_role(user, Role.ADMINISTRATOR)
    client.force_login(user)


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def errors_of(response) -> list[str]:
    return [text for level, text in messages_of(response) if level == "error"]


def run_action(client, model, action: str, *objects, **extra):
    """Post an admin action on the changelist, as the action dropdown does."""
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [obj.pk for obj in objects], **extra}
    return client.post(url(model), data)


def management_form(prefix: str, total: int = 0, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def post_form(
    *, title, body, channels, when, category="prevention", department=None, variants=()
) -> dict:
    """The admin's post form as a browser submits it."""
    when = timezone.localtime(when)
    data = {
        "title": title,
        "body": body,
        "category": category,
        "channels": [channel.pk for channel in channels],
        "scheduled_at_0": when.strftime("%Y-%m-%d"),
        "scheduled_at_1": when.strftime("%H:%M:%S"),
        "campaign": "",
        **management_form("variants", total=len(variants)),
        **management_form("images"),
    }
    if department is not None:
        data["origin_department"] = department.pk
    for index, (channel, text) in enumerate(variants):
        data[f"variants-{index}-channel"] = channel.pk
        data[f"variants-{index}-body"] = text
    return data


def form_of(post: Post, **changes) -> dict:
    return {
        **post_form(
            title=post.title,
            body=post.body,
            channels=post.channels.all(),
            when=post.scheduled_at,
            category=post.category,
        ),
        **changes,
    }


def reload(post: Post) -> Post:
    return Post.objects.get(pk=post.pk)


@pytest.fixture
def pending(post_a, cm):
    workflow.fast_track(post_a, cm)
    return reload(post_a)


@pytest.fixture
def approved(pending, head):
    workflow.approve(pending, head)
    return reload(pending)


@pytest.fixture
def everything(approved, cm, head, national, dept_a):
    """At least one object of every model, so lists and pages have rows to show."""
    workflow.comment(approved, cm, "Bien vu.")
    workflow.plan_for_week(national, 2030, 1, cm)
    CampaignFactory(department=dept_a)
    SensitivityRuleFactory()
    return approved


# --- every model, for every role -------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_administrators_enter_the_admin(client, request, persona):
    user = request.getfixturevalue(persona)
    assert user.is_staff  # the flag alone, left from before, does not open it
    client.force_login(user)

    response = client.get(reverse("admin:index"))

    if persona == "admin_user":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_a_contributor_is_refused_every_admin_page_and_action(client, contrib_a, post_a):
    client.force_login(contrib_a)
    assert client.get(url(Post)).status_code == 302
    assert client.get(url(Post, "change", post_a.pk)).status_code == 302
    run_action(client, Post, "cancel", post_a)
    assert reload(post_a).state == PostState.DRAFT


def test_the_workflow_actions_are_offered_to_administrators_only(rf, cm, admin_user):
    from editorial.admin.posts import PostAdmin

    model_admin = PostAdmin(Post, admin.site)
    for user, offered in ((cm, False), (admin_user, False)):
        request = rf.get("/")
        request.user = user
        assert ("approve" in model_admin.get_actions(request)) is offered, user
    give_role(cm, Role.ADMINISTRATOR)  # an administrator who also plans the week
    request = rf.get("/")
    request.user = User.objects.get(pk=cm.pk)
    assert "approve" in model_admin.get_actions(request)


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "outsider"])
def test_every_list_and_page_loads_for_each_role_that_may_view_it(
    client, request, persona, everything
):
    user = request.getfixturevalue(persona)
    admin_login(client, user)
    checked = 0
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        may_view = user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
        response = client.get(url(model))
        if not may_view:
            assert response.status_code == 403, opts.label
            continue
        assert response.status_code == 200, opts.label
        fake = RequestFactory().get("/")
        fake.user = user
        obj = model_admin.get_queryset(fake).first()
        if obj is not None:
            assert client.get(url(model, "change", obj.pk)).status_code == 200, opts.label
        checked += 1
    assert checked


def test_editors_may_open_the_add_form_of_a_post(client, cm, contrib_a):
    for user in (cm, contrib_a):
        admin_login(client, user)
        assert client.get(url(Post, "add")).status_code == 200


def test_an_administrator_without_a_writing_role_cannot_add_posts(client, admin_user):
    admin_login(client, admin_user)

    assert client.get(url(Post, "add")).status_code == 403


# --- department scope ------------------------------------------------------------------


def test_adding_a_post_in_the_admin_goes_through_the_workflow(client, contrib_a, dept_a, channel_a):
    admin_login(client, contrib_a)
    data = post_form(
        title="Vigilance",
        body="Texte",
        channels=[channel_a],
        when=timezone.now() + timezone.timedelta(days=2),
        department=dept_a,
        variants=[(channel_a, "Texte court")],
    )

    response = client.post(url(Post, "add"), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    post = Post.objects.get(title="Vigilance")
    assert (post.author, post.last_editor, post.state) == (contrib_a, contrib_a, PostState.DRAFT)
    assert PostVariant.objects.get(post=post).body == "Texte court"
    assert [entry.action for entry in entries_for(post)] == ["create"]
    # The content hash was computed with the variant saved, not before it.
    assert post.content_hash == compute_content_hash(post)


def test_editing_an_approved_posts_body_sends_it_to_draft_and_voids_the_approval(
    client, contrib_a, approved
):
    admin_login(client, contrib_a)

    response = client.post(
        url(Post, "change", approved.pk), form_of(approved, body="Un autre texte.")
    )

    assert response.status_code == 302
    post = reload(approved)
    assert post.state == PostState.DRAFT
    assert post.body == "Un autre texte."
    assert post.last_editor == contrib_a
    assert not post.approvals.filter(voided_at__isnull=True).exists()
    assert entries_for(post).last().action == "edit"


def test_saving_a_post_without_changes_records_no_edit(client, contrib_a, approved):
    admin_login(client, contrib_a)
    entries_before = entries_for(approved).count()

    response = client.post(url(Post, "change", approved.pk), form_of(approved))

    assert response.status_code == 302
    assert reload(approved).state == PostState.APPROVED
    assert entries_for(approved).count() == entries_before


def test_a_workflow_refusal_while_saving_is_a_message_not_a_crash(
    client, contrib_a, post_a, monkeypatch
):
    def refuse(*args, **kwargs):
        raise workflow.StaleObject()

    monkeypatch.setattr(workflow, "edit_post", refuse)
    admin_login(client, contrib_a)

    response = client.post(url(Post, "change", post_a.pk), form_of(post_a, body="Nouveau."))

    assert response.status_code == 302
    assert response.url == url(Post, "change", post_a.pk)
    assert errors_of(response) == [str(workflow.StaleObject())]
    assert reload(post_a).body != "Nouveau."


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def png(color: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), color).save(buffer, "PNG")
    return SimpleUploadedFile(f"{color}.png", buffer.getvalue(), content_type="image/png")


def test_adding_an_image_to_an_approved_post_sends_it_back_to_draft(
    client, contrib_a, approved, media
):
    admin_login(client, contrib_a)
    data = {
        **form_of(approved),
        **management_form("images", total=1),
        "images-0-image": png("red"),
        "images-0-alt_text": "Un carré rouge.",
        "images-0-position": "0",
    }

    response = client.post(url(Post, "change", approved.pk), data)

    assert response.status_code == 302
    post = reload(approved)
    assert post.images.get().alt_text == "Un carré rouge."
    assert post.state == PostState.DRAFT


def test_replacing_an_images_file_hashes_the_new_bytes(client, contrib_a, post_a, media):
    image = PostImage(post=post_a, image=png("red"), alt_text="Un carré.")
    image.save()
    admin_login(client, contrib_a)
    data = {
        **form_of(post_a),
        **management_form("images", total=1, initial=1),
        "images-0-id": image.pk,
        "images-0-post": post_a.pk,
        "images-0-image": png("blue"),
        "images-0-alt_text": "Un carré.",
        "images-0-position": "0",
    }

    response = client.post(url(Post, "change", post_a.pk), data)

    assert response.status_code == 302
    image.refresh_from_db()
    assert image.sha256 == hashlib.sha256(image.image.read()).hexdigest()
    assert reload(post_a).content_hash == compute_content_hash(post_a)


def test_the_admin_refuses_more_images_than_any_network_takes(client, contrib_a, post_a, media):
    admin_login(client, contrib_a)
    data = {**form_of(post_a), **management_form("images", total=15)}
    for n in range(15):
        data |= {
            f"images-{n}-image": png("red"),
            f"images-{n}-alt_text": f"Carré {n}",
            f"images-{n}-position": str(n),
        }

    response = client.post(url(Post, "change", post_a.pk), data)

    assert response.status_code == 200
    assert "A post carries at most 10 images." in response.content.decode()
    assert not post_a.images.exists()


def test_the_admin_refuses_a_page_named_png_and_rewrites_a_real_image(
    client, contrib_a, post_a, media
):
    admin_login(client, contrib_a)
    fake = SimpleUploadedFile("carre.png", b"<html><script>alert(1)</script>", "image/png")
    data = {
        **form_of(post_a),
        **management_form("images", total=1),
        "images-0-image": fake,
        "images-0-alt_text": "Un carré.",
        "images-0-position": "0",
    }

    refused = client.post(url(Post, "change", post_a.pk), data)
    accepted = client.post(url(Post, "change", post_a.pk), {**data, "images-0-image": png("red")})

    assert "This file is not a JPEG, PNG, WebP or GIF image." in refused.content.decode()
    assert accepted.status_code == 302
    image = post_a.images.get()
    assert image.image.name.startswith("posts/") and "red" not in image.image.name
    assert image.sha256 == hashlib.sha256(image.image.read()).hexdigest()


def test_a_cancelled_post_opens_read_only(client, contrib_a, post_a, writer_a):
    workflow.cancel(post_a, writer_a)
    admin_login(client, contrib_a)

    page = client.get(url(Post, "change", post_a.pk))
    refused = client.post(url(Post, "change", post_a.pk), form_of(post_a, body="Non."))

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert refused.status_code == 403
    assert reload(post_a).body != "Non."


def test_the_post_page_shows_the_actions_history_and_approvals(client, head, pending, cm):
    admin_login(client, head)

    page = client.get(url(Post, "change", pending.pk))

    panel = page.context["workflow"]
    assert [name for name, _label in panel["actions"]][:2] == ["approve", "request_changes"]
    assert [row["entry"].action for row in panel["history"]] == ["fast_track"]
    assert 'id="workflow-panel"' in page.content.decode()


# --- transitions as admin actions ------------------------------------------------------


def test_the_admin_actions_take_a_sensitive_post_from_submission_to_sign_off(
    client, post_a, contrib_a, cm, head, director
):
    admin_login(client, contrib_a)
    run_action(client, Post, "submit", post_a)
    assert reload(post_a).state == PostState.SUBMITTED

    admin_login(client, cm)
    run_action(client, Post, "accept", post_a)
    run_action(client, Post, "mark_sensitive", post_a, confirm="yes", text="Affaire judiciaire")
    post = reload(post_a)
    assert (post.state, post.sensitive) == (PostState.PLANNED, True)

    run_action(client, WeeklyPlan, "submit_plan", post.plan)
    assert reload(post_a).state == PostState.PENDING_APPROVAL

    admin_login(client, head)
    review = run_action(client, WeeklyPlan, "approve_plan", post.plan)
    assert review.status_code == 200 and post_a.title in review.content.decode()
    submit_intermediate_page(client, WeeklyPlan, review)
    assert reload(post_a).state == PostState.PENDING_SIGNOFF
    assert WeeklyPlan.objects.get(pk=post.plan_id).state == PlanState.APPROVED

    admin_login(client, director)
    response = submit_intermediate_page(client, Post, run_action(client, Post, "sign_off", post_a))
    assert reload(post_a).state == PostState.APPROVED
    assert not errors_of(response)
    assert sorted(reload(post_a).approvals.values_list("level", flat=True)) == ["director", "head"]


def test_a_contributor_approving_gets_an_error_and_nothing_changes(client, contrib_a, pending):
    admin_login(client, contrib_a)

    response = submit_intermediate_page(client, Post, run_action(client, Post, "approve", pending))

    assert response.status_code == 302
    assert reload(pending).state == PostState.PENDING_APPROVAL
    assert len(errors_of(response)) == 1 and pending.title in errors_of(response)[0]
    assert not Approval.objects.exists()


def test_the_head_cannot_approve_a_post_whose_text_he_changed(client, head, pending, cm):
    workflow.edit_post(pending, head, body="Texte revu par le chef.")
    workflow.fast_track(pending, cm)
    admin_login(client, head)

    response = submit_intermediate_page(client, Post, run_action(client, Post, "approve", pending))

    assert reload(pending).state == PostState.PENDING_APPROVAL
    assert "Four-eyes" in errors_of(response)[0]


def test_one_refused_post_does_not_stop_the_others(client, head, pending, dept_a, cm):
    other = PostFactory(origin_department=dept_a, author=cm)
    workflow.fast_track(other, cm)
    workflow.edit_post(pending, head, body="Texte revu par le chef.")
    workflow.fast_track(pending, cm)
    admin_login(client, head)

    shown = run_action(client, Post, "approve", pending, other)
    response = submit_intermediate_page(client, Post, shown)

    assert reload(other).state == PostState.APPROVED
    assert reload(pending).state == PostState.PENDING_APPROVAL
    assert sorted(level for level, _text in messages_of(response)) == ["error", "success"]


def submit_intermediate_page(client, model, page, **fields):
    """Post the form an action's intermediate page rendered, as the browser would: its
    hidden fields (the action, the ticked objects, the confirmation) and `fields`."""
    html = page.content.decode()
    data: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html):
        data.setdefault(name, []).append(value)
    return client.post(url(model), {**data, **fields})


def test_the_page_asking_for_a_comment_posts_the_action_back_on_the_same_posts(
    client, head, pending
):
    admin_login(client, head)
    asked = run_action(client, Post, "request_changes", pending)
    submit_intermediate_page(client, Post, asked, text="Préciser l'heure.")
    assert reload(pending).state == PostState.CHANGES_REQUESTED


def test_the_plan_approval_page_posts_the_approval_back_on_the_same_plans(client, head, week):
    plan, posts = week
    admin_login(client, head)
    review = run_action(client, WeeklyPlan, "approve_plan", plan)
    submit_intermediate_page(client, WeeklyPlan, review)
    assert WeeklyPlan.objects.get(pk=plan.pk).state == PlanState.APPROVED
    assert reload(posts[0]).state == PostState.APPROVED


def test_request_changes_without_a_comment_shows_the_form_again(client, head, pending):
    admin_login(client, head)

    asked = run_action(client, Post, "request_changes", pending)
    empty = run_action(client, Post, "request_changes", pending, confirm="yes", text="  ")

    assert asked.status_code == 200
    assert asked.templates[0].name == "admin/editorial/action_text.html"
    assert empty.status_code == 200
    assert "text" in empty.context["form"].errors
    assert reload(pending).state == PostState.PENDING_APPROVAL


def test_request_changes_with_a_comment_returns_the_post_with_it(client, head, pending):
    admin_login(client, head)

    run_action(client, Post, "request_changes", pending, confirm="yes", text="Préciser l'heure.")

    assert reload(pending).state == PostState.CHANGES_REQUESTED
    assert Comment.objects.get(post=pending).body == "Préciser l'heure."


def test_an_action_from_the_post_page_returns_to_that_page(client, head, pending):
    admin_login(client, head)
    page = client.get(url(Post, "change", pending.pk)).context["workflow"]

    response = run_action(
        client,
        Post,
        "approve",
        pending,
        **{
            "_return_to_change": "1",
            page["expected_hash_field"]: page["expected_hash"],
        },
    )

    assert response.url == url(Post, "change", pending.pk)
    assert reload(pending).state == PostState.APPROVED


def test_approving_from_the_post_page_refuses_content_changed_since_it_was_shown(
    client, head, pending, cm
):
    admin_login(client, head)
    shown = client.get(url(Post, "change", pending.pk)).context["workflow"]
    workflow.edit_post(pending, cm, title=pending.title)  # no content change: still pending
    Post.objects.filter(pk=pending.pk).update(body="Changé en douce.")

    response = run_action(
        client,
        Post,
        "approve",
        pending,
        **{
            shown["expected_hash_field"]: shown["expected_hash"],
        },
    )

    assert reload(pending).state == PostState.PENDING_APPROVAL
    assert errors_of(response)


def test_approving_a_plan_returns_the_items_given_a_comment(client, cm, head, dept_a):
    first, second = (PostFactory(origin_department=dept_a, author=cm) for _ in range(2))
    plan = workflow.plan_for_week(department_of(cm), 2099, 1, cm)
    for post in (first, second):
        workflow.plan_into_week(post, cm, plan=plan)
    workflow.submit_plan(plan, cm)
    admin_login(client, head)

    review = run_action(client, WeeklyPlan, "approve_plan", plan)
    submit_intermediate_page(client, WeeklyPlan, review, **{f"return_{second.pk}": "Image floue."})

    assert reload(first).state == PostState.APPROVED
    assert reload(second).state == PostState.CHANGES_REQUESTED
    assert Comment.objects.get(post=second).body == "Image floue."


def test_returning_a_plan_needs_a_comment(client, cm, head, dept_a):
    post = PostFactory(origin_department=dept_a, author=cm)
    plan = workflow.plan_for_week(department_of(cm), 2099, 2, cm)
    workflow.plan_into_week(post, cm, plan=plan)
    workflow.submit_plan(plan, cm)
    admin_login(client, head)

    empty = run_action(client, WeeklyPlan, "return_plan", plan, confirm="yes", text="")
    run_action(client, WeeklyPlan, "return_plan", plan, confirm="yes", text="Trop chargé.")

    assert "text" in empty.context["form"].errors
    assert WeeklyPlan.objects.get(pk=plan.pk).state == PlanState.RETURNED
    assert reload(post).state == PostState.PLANNED


def department_of(user) -> Department:
    return Department.objects.filter(pk__in=department_ids_of(user)).first()


# --- records that are only ever looked at ----------------------------------------------


def test_the_audit_trail_refuses_add_change_and_delete_even_to_a_superuser(client, approved):
    superuser = UserFactory(username="root", is_superuser=True)
    entry = AuditEntry.objects.first()
    admin_login(client, superuser)

    assert client.get(url(AuditEntry)).status_code == 200
    assert client.get(url(AuditEntry, "add")).status_code == 403
    assert client.post(url(AuditEntry, "change", entry.pk), {"comment": "x"}).status_code == 403
    assert client.post(url(AuditEntry, "delete", entry.pk), {"post": "yes"}).status_code == 403
    assert client.get(url(AuditEntry)).context["action_form"] is None  # no bulk delete
    assert AuditEntry.objects.filter(pk=entry.pk, comment=entry.comment).exists()


def test_approvals_and_comments_are_read_only_even_to_a_superuser(client, approved, cm):
    workflow.comment(approved, cm, "Vu.")
    admin_login(client, UserFactory(username="root", is_superuser=True))

    for record in (Approval.objects.first(), Comment.objects.first()):
        model = type(record)
        assert client.get(url(model, "add")).status_code == 403
        assert client.get(url(model, "change", record.pk)).context["has_change_permission"] is False
        assert client.post(url(model, "delete", record.pk), {"post": "yes"}).status_code == 403


# --- people and departments ------------------------------------------------------------


def test_a_department_created_in_the_admin_gets_its_group_and_scope(client, admin_user):
    admin_login(client, admin_user)

    response = client.post(url(Department, "add"), {"name": "DDSP 33 Gironde", "code": "ddsp-33"})

    assert response.status_code == 302
    department = Department.objects.get(code="ddsp-33")
    member = UserFactory(role=Role.CONTRIBUTOR, department=department)
    assert department_ids_of(member) == {department.pk}
    created = entries_for(department).get()
    assert (created.action, created.actor) == ("create_department", admin_user)


def test_an_administrator_gives_roles_and_departments_through_the_user_form(
    client, admin_user, dept_a, dept_b
):
    user = UserFactory(username="newcomer", role=Role.CONTRIBUTOR, department=dept_b)
    admin_login(client, admin_user)
    contributor = user.groups.get(name=Role.CONTRIBUTOR)
    page = client.get(url(User, "change", user.pk))
    assert list(page.context["adminform"].form.initial["departments"]) == [dept_b]

    response = client.post(
        url(User, "change", user.pk),
        {
            "username": "newcomer",
            "time_zone": "Europe/Paris",
            "is_active": "on",
            "roles": [contributor.pk],
            "departments": [dept_a.pk],
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2025-01-06",
            "date_joined_1": "09:00:00",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(pk=user.pk)
    assert department_ids_of(user) == {dept_a.pk}
    assert set(user.groups.values_list("name", flat=True)) == {
        Role.CONTRIBUTOR,
        dept_a.group.name,
    }
    change = entries_for(user).get(action="change_person")
    assert change.actor == admin_user
    assert change.data["from"]["departments"] == [str(dept_b)]
    assert change.data["to"]["departments"] == [str(dept_a)]


def test_only_a_superuser_may_grant_superuser_status(client, admin_user):
    admin_login(client, admin_user)

    form = client.get(url(User, "change", admin_user.pk)).context["adminform"]

    assert "is_superuser" in form.readonly_fields
    assert "user_permissions" in form.readonly_fields


def test_an_administrator_adds_a_person_with_a_role_and_a_department(client, admin_user, dept_a):
    admin_login(client, admin_user)
    contributor = Group.objects.get(name=Role.CONTRIBUTOR)

    response = client.post(
        url(User, "add"),
        {
            "username": "newcontrib",
            "usable_password": "true",
            "password1": "a-long-demo-passphrase",
            "password2": "a-long-demo-passphrase",
            "time_zone": "Europe/Paris",
            "roles": [contributor.pk],
            "departments": [dept_a.pk],
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    person = User.objects.get(username="newcontrib")
    assert has_role(person, Role.CONTRIBUTOR)
    assert department_ids_of(person) == {dept_a.pk}
    assert not person.is_staff  # a contributor works in the pages, not the admin
    created = entries_for(person).get(action="create_person")
    assert created.data == {"roles": [Role.CONTRIBUTOR], "departments": [str(dept_a)]}
