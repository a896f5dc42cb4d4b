"""Every page that approves shows all that is approved — the whole text, each channel's
own text, the images with their alternative text — and sends the hash of exactly that:
the inbox, the plan review, and the admin's approvals from a list."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from editorial import workflow as wf
from editorial.content import compute_content_hash, shown_hash
from editorial.models import Approval, PlanState, Post, PostImage, PostState, WeeklyPlan
from tests.factories import ChannelFactory, PostFactory
from tests.test_admin import admin_login, errors_of, run_action, submit_intermediate_page

S = PostState
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
    b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
# Longer than the 280 characters an inbox row used to show; its end is what was cut.
LONG = "Cambriolages : fermez portes et fenêtres, même pour une courte absence. " * 4 + (
    "Signalez toute présence suspecte au 17."
)
VARIANT = "Sur ce réseau : pensez à verrouiller, même pour cinq minutes."
ALT = "Affiche bleue : une porte fermée à clé"


def everything(writer, department, channel, cm, title="Prévention cambriolages"):
    """A post pending approval with all that an approval covers: a long main text on one
    channel, its own text on another, an image with its alternative text."""
    other = ChannelFactory(name="Réseau B", department=department)
    post = PostFactory(
        title=title, author=writer, origin_department=department, channels=[channel, other]
    )
    wf.edit_post(
        post,
        writer,
        body=LONG,
        variants={other: VARIANT},
        apply=lambda p: PostImage.objects.create(
            post=p, image=SimpleUploadedFile("affiche.gif", GIF), alt_text=ALT
        ),
    )
    wf.fast_track(post, cm)
    return Post.objects.get(pk=post.pk)


def shows_everything(html: str) -> bool:
    return (
        "Signalez toute présence suspecte au 17." in html
        and VARIANT in html
        and f'alt="{ALT}"' in html
        and f"Alternative text: {ALT}" in html
    )


def test_the_hash_of_what_is_shown_is_the_hash_of_the_stored_content(
    writer_a, dept_a, channel_a, cm
):
    post = everything(writer_a, dept_a, channel_a, cm)
    loaded = Post.objects.prefetch_related("channels", "variants", "images").get(pk=post.pk)
    assert shown_hash(loaded) == compute_content_hash(post) == post.content_hash


def test_an_inbox_row_shows_the_whole_text_each_channels_text_and_the_images(
    client, writer_a, dept_a, channel_a, cm, head
):
    post = everything(writer_a, dept_a, channel_a, cm)
    client.force_login(head)
    html = client.get(reverse("inbox")).content.decode()
    assert shows_everything(html)
    assert f'name="expected_hash" value="{post.content_hash}"' in html


def test_the_inbox_costs_the_same_queries_with_images_and_variants_for_2_or_12_rows(
    client, writer_a, dept_a, channel_a, cm, head
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            html = client.get(reverse("inbox")).content.decode()
        assert html.count(f"Alternative text: {ALT}") == Post.objects.count()
        return len(queries)

    client.force_login(head)
    for n in range(2):
        everything(writer_a, dept_a, channel_a, cm, title=f"Post {n}")
    few = count()
    for n in range(10):
        everything(writer_a, dept_a, channel_a, cm, title=f"Post {n + 2}")
    assert count() == few


def test_the_plan_review_shows_everything_and_the_hash_of_it(
    client, writer_a, dept_a, channel_a, cm, head, national
):
    post = everything(writer_a, dept_a, channel_a, cm)
    wf.request_changes(post, head, "Relisez.")
    plan = wf.plan_for_week(national, 2030, 12, cm)
    wf.plan_into_week(Post.objects.get(pk=post.pk), cm, plan=plan)
    wf.submit_plan(plan, cm)
    client.force_login(head)
    html = client.get(reverse("plan-review", args=[plan.pk])).content.decode()
    assert shows_everything(html)
    assert f'name="shown_{post.pk}" value="{compute_content_hash(post)}"' in html


# --- the admin ------------------------------------------------------------------------


@pytest.fixture
def rich(writer_a, dept_a, channel_a, cm):
    return everything(writer_a, dept_a, channel_a, cm)


def test_approving_from_the_admin_list_first_shows_each_post_whole(client, head, rich):
    admin_login(client, head)
    page = run_action(client, Post, "approve", rich)
    assert page.status_code == 200
    assert page.templates[0].name == "admin/editorial/action_shown.html"
    html = page.content.decode()
    assert shows_everything(html)
    assert f'name="expected_hash_{rich.pk}" value="{rich.content_hash}"' in html
    assert Post.objects.get(pk=rich.pk).state == S.PENDING_APPROVAL


def test_a_forged_confirmation_without_the_pages_hashes_approves_nothing(client, head, rich):
    admin_login(client, head)
    response = run_action(client, Post, "approve", rich, confirm="yes")
    assert response.status_code == 200  # the page showing it, again
    assert Post.objects.get(pk=rich.pk).state == S.PENDING_APPROVAL
    assert not Approval.objects.exists()


def test_confirming_the_page_approves_the_content_it_showed(client, head, rich):
    admin_login(client, head)
    page = run_action(client, Post, "approve", rich)
    submit_intermediate_page(client, Post, page)
    post = Post.objects.get(pk=rich.pk)
    assert post.state == S.APPROVED
    assert post.approvals.get().content_hash == rich.content_hash


def test_a_post_changed_after_the_page_was_shown_is_not_approved(client, head, cm, rich):
    admin_login(client, head)
    page = run_action(client, Post, "approve", rich)
    Post.objects.filter(pk=rich.pk).update(body="Changé entre-temps.")
    response = submit_intermediate_page(client, Post, page)
    assert Post.objects.get(pk=rich.pk).state == S.PENDING_APPROVAL
    assert "The content changed since you opened it" in errors_of(response)[0]


def test_signing_off_from_the_list_shows_the_post_whole_too(client, head, director, rich):
    wf.mark_sensitive(rich, head, "Affaire en cours.")
    wf.approve(rich, head)
    admin_login(client, director)
    page = run_action(client, Post, "sign_off", rich)
    assert shows_everything(page.content.decode())
    submit_intermediate_page(client, Post, page)
    assert Post.objects.get(pk=rich.pk).state == S.APPROVED


def test_the_admin_plan_approval_without_the_pages_hashes_approves_nothing(client, head, week):
    plan, _posts = week
    admin_login(client, head)
    response = run_action(client, WeeklyPlan, "approve_plan", plan, confirm="yes")
    assert "was not among the items shown to you" in errors_of(response)[0]
    assert WeeklyPlan.objects.get(pk=plan.pk).state == PlanState.SUBMITTED
    assert not Approval.objects.exists()


def test_the_admin_plan_approval_page_shows_each_item_whole(
    client, head, writer_a, dept_a, channel_a, cm, national
):
    post = everything(writer_a, dept_a, channel_a, cm)
    wf.request_changes(post, head, "Relisez.")
    plan = wf.plan_for_week(national, 2030, 12, cm)
    wf.plan_into_week(Post.objects.get(pk=post.pk), cm, plan=plan)
    wf.submit_plan(plan, cm)
    admin_login(client, head)
    page = run_action(client, WeeklyPlan, "approve_plan", plan)
    assert shows_everything(page.content.decode())
    submit_intermediate_page(client, WeeklyPlan, page)
    assert Post.objects.get(pk=post.pk).state == S.APPROVED
