"""The rules of the post workflow, through the same functions the views and admin call."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from editorial import workflow as wf
from editorial.content import compute_content_hash, content_matches_approval
from editorial.models import (
    Approval,
    Comment,
    Post,
    PostImage,
    PostState,
    PostVariant,
)
from tests.factories import ChannelFactory, PostFactory, WebhookChannelFactory

S = PostState


# --- leaving draft --------------------------------------------------------------------


def test_a_post_without_a_channel_cannot_leave_draft(post_a, writer_a):
    post_a.channels.clear()
    with pytest.raises(wf.NotReady) as error:
        wf.submit(post_a, writer_a)
    assert "channel" in str(error.value)
    assert post_a.state == S.DRAFT


def test_a_post_scheduled_in_the_past_cannot_leave_draft(post_a, writer_a):
    Post.objects.filter(pk=post_a.pk).update(scheduled_at=timezone.now() - datetime.timedelta(1))
    post_a.refresh_from_db()
    with pytest.raises(wf.NotReady) as error:
        wf.submit(post_a, writer_a)
    assert "future" in str(error.value)


def test_a_post_without_a_time_cannot_leave_draft(post_a, cm):
    Post.objects.filter(pk=post_a.pk).update(scheduled_at=None)
    post_a.refresh_from_db()
    with pytest.raises(wf.NotReady):
        wf.fast_track(post_a, cm)


def test_a_text_too_long_for_a_channel_keeps_the_post_in_draft(writer_a, dept_a, cm):
    hook = WebhookChannelFactory(department=dept_a)
    post = PostFactory(author=writer_a, origin_department=dept_a, channels=[hook], body="é" * 4001)
    with pytest.raises(wf.NotReady) as error:
        wf.fast_track(post, cm)
    assert "4000" in str(error.value)


def test_a_channel_variant_is_measured_instead_of_the_main_text(writer_a, dept_a, cm):
    hook = WebhookChannelFactory(department=dept_a)
    post = PostFactory(author=writer_a, origin_department=dept_a, channels=[hook], body="é" * 4001)
    wf.edit_post(post, writer_a, variants={hook: "Version courte pour le webhook."})
    wf.fast_track(post, cm)
    assert post.state == S.PENDING_APPROVAL


def test_an_action_from_the_wrong_state_says_so(post_a, head):
    with pytest.raises(wf.InvalidState):
        wf.approve(post_a, head)


def test_fast_tracked_hot_news_is_flagged_urgent(pending):
    assert pending.urgent is True
    assert pending.state == S.PENDING_APPROVAL


# --- creating and editing -------------------------------------------------------------


def test_a_contributor_creates_a_draft_in_their_department(contrib_a, dept_a, channel_a):
    post = wf.create_post(
        contrib_a,
        department=dept_a,
        channels=[channel_a],
        title="Vigilance",
        body="Soyez vigilants.",
        category="prevention",
        scheduled_at=timezone.now() + datetime.timedelta(days=2),
    )
    assert (post.state, post.author, post.last_editor) == (S.DRAFT, contrib_a, contrib_a)
    assert post.content_hash == compute_content_hash(post)


def test_a_contributor_cannot_write_for_another_department(contrib_a, dept_b):
    with pytest.raises(wf.ActionNotAllowed):
        wf.create_post(contrib_a, department=dept_b, title="x", body="x", category="prevention")


def test_a_contributor_cannot_target_another_departments_channel(contrib_a, dept_a, dept_b):
    other = ChannelFactory(department=dept_b)
    with pytest.raises(wf.ActionNotAllowed):
        wf.create_post(
            contrib_a,
            department=dept_a,
            channels=[other],
            title="x",
            body="x",
            category="prevention",
        )


def test_a_contributor_cannot_target_a_national_channel(contrib_a, dept_a, national):
    with pytest.raises(wf.ActionNotAllowed):
        wf.create_post(
            contrib_a,
            department=dept_a,
            channels=[ChannelFactory(department=national)],
            title="x",
            body="x",
            category="prevention",
        )


def test_editing_an_approved_post_sends_it_back_to_draft_and_voids_the_approval(approved, writer_a):
    wf.edit_post(approved, writer_a, body="Texte corrigé.")
    approved.refresh_from_db()
    assert approved.state == S.DRAFT
    assert approved.approvals.get().voided_at is not None
    assert not content_matches_approval(approved)


def test_editing_a_post_pending_sign_off_sends_it_back_to_draft(pending, head, cm):
    wf.mark_sensitive(pending, cm, "Victimes.")
    wf.approve(pending, head)
    assert pending.state == S.PENDING_SIGNOFF
    wf.edit_post(pending, cm, body="Autre texte.")
    assert pending.state == S.DRAFT


def test_changing_only_the_title_keeps_the_approval(approved, cm):
    wf.edit_post(approved, cm, title="Nouveau titre interne")
    approved.refresh_from_db()
    assert approved.state == S.APPROVED
    assert content_matches_approval(approved)


def test_a_published_post_cannot_be_edited(approved, cm):
    approved.start_publishing()
    approved.save()
    with pytest.raises(wf.InvalidState):
        wf.edit_post(approved, cm, body="Trop tard.")


# --- approval and the content it binds ------------------------------------------------


def test_an_approval_records_the_hash_of_the_exact_content(approved, head):
    approval = approved.approvals.get()
    assert approval.approver == head
    assert approval.level == "head"
    assert approval.content_hash == compute_content_hash(approved)
    assert content_matches_approval(approved)


def test_a_body_changed_behind_the_workflows_back_no_longer_matches_the_approval(approved):
    Post.objects.filter(pk=approved.pk).update(body="Texte modifié en base.")
    approved.refresh_from_db()
    assert not content_matches_approval(approved)


def test_a_variant_added_behind_the_workflows_back_no_longer_matches(approved, channel_a):
    PostVariant.objects.create(post=approved, channel=channel_a, body="Autre texte.")
    assert not content_matches_approval(approved)


def test_an_image_or_its_alt_text_is_part_of_the_approved_content(approved):
    image = PostImage.objects.create(
        post=approved,
        alt_text="Un gendarme",
        image=SimpleUploadedFile("a.gif", GIF),
    )
    assert not content_matches_approval(approved)
    before = compute_content_hash(approved)
    PostImage.objects.filter(pk=image.pk).update(alt_text="Une gendarme")
    assert compute_content_hash(approved) != before


def test_a_channel_added_behind_the_workflows_back_no_longer_matches(approved, dept_a):
    approved.channels.add(ChannelFactory(department=dept_a))
    assert not content_matches_approval(approved)


def test_approving_content_that_changed_since_the_reviewer_opened_it_fails(pending, head):
    seen = compute_content_hash(pending)
    Post.objects.filter(pk=pending.pk).update(body="Changé entre-temps.")
    with pytest.raises(wf.StaleObject):
        wf.approve(pending, head, expected_hash=seen)
    assert not Approval.objects.exists()


# --- four-eyes ------------------------------------------------------------------------


def test_nobody_approves_a_post_they_wrote(head, dept_a, channel_a, cm):
    post = PostFactory(author=head, origin_department=dept_a, channels=[channel_a])
    wf.fast_track(post, cm)
    with pytest.raises(wf.ActionNotAllowed) as error:
        wf.approve(post, head)
    assert "Four-eyes" in str(error.value)


def test_nobody_approves_a_post_they_last_edited(pending, head):
    wf.edit_post(pending, head, body="Retouché par le chef.")
    wf.fast_track(pending, head)
    with pytest.raises(wf.ActionNotAllowed):
        wf.approve(pending, head)


def test_the_director_does_not_sign_off_a_post_they_last_edited(pending, cm, head, director):
    wf.mark_sensitive(pending, cm, "Crise.")
    wf.edit_post(pending, director, body="Retouché par le directeur.")
    wf.fast_track(pending, cm)
    wf.approve(pending, head)
    with pytest.raises(wf.ActionNotAllowed):
        wf.sign_off(pending, director)


# --- sensitive posts ------------------------------------------------------------------


def test_a_sensitive_post_approved_by_the_head_waits_for_the_directors_sign_off(
    pending, cm, head, director
):
    wf.mark_sensitive(pending, cm, "Affaire judiciaire.")
    wf.approve(pending, head)
    assert pending.state == S.PENDING_SIGNOFF
    wf.sign_off(pending, director)
    assert pending.state == S.APPROVED
    assert list(pending.approvals.values_list("level", flat=True)) == ["head", "director"]
    assert content_matches_approval(pending)


def test_a_sensitive_post_takes_the_heads_approval_then_the_directors_sign_off(
    pending, cm, head, director
):
    wf.mark_sensitive(pending, cm, "Crise.")
    with pytest.raises(wf.ActionNotAllowed, match="head of communication's approval first"):
        wf.approve(pending, director)
    assert "approve" not in wf.available_actions(pending, director)
    wf.approve(pending, head)
    assert pending.state == S.PENDING_SIGNOFF
    wf.sign_off(pending, director)
    assert pending.state == S.APPROVED
    assert [a.level for a in pending.approvals.order_by("pk")] == ["head", "director"]


def test_marking_an_approved_post_sensitive_sends_it_to_the_director(approved, cm):
    wf.mark_sensitive(approved, cm, "Contexte d'attentat.")
    assert approved.state == S.PENDING_SIGNOFF


def test_returning_a_post_needs_a_comment_and_keeps_it(pending, head):
    with pytest.raises(wf.InvalidInput):
        wf.request_changes(pending, head, "   ")
    assert pending.state == S.PENDING_APPROVAL
    wf.request_changes(pending, head, "Ajoutez le lien.")
    assert pending.state == S.CHANGES_REQUESTED
    assert Comment.objects.get(post=pending).body == "Ajoutez le lien."


def test_a_returned_post_can_be_resubmitted_after_changes(pending, head, writer_a):
    wf.request_changes(pending, head, "Ajoutez le lien.")
    wf.edit_post(pending, writer_a, body="Avec le lien https://example.org")
    wf.submit(pending, writer_a)
    assert pending.state == S.SUBMITTED


def test_conversation_posts_need_approval_when_the_setting_is_off(settings, cm, national):
    settings.CONVERSATION_SKIPS_APPROVAL = False
    post = PostFactory(
        author=cm,
        origin_department=national,
        category="conversation",
        channels=[ChannelFactory(department=national)],
    )
    with pytest.raises(wf.ActionNotAllowed):
        wf.self_approve(post, cm)


def test_a_cancelled_post_keeps_no_valid_approval(approved, cm):
    wf.cancel(approved, cm, "Événement annulé.")
    assert approved.state == S.CANCELLED
    assert not content_matches_approval(approved)


# A 1×1 transparent GIF.
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
    b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def test_a_stale_copy_is_refused_and_then_shows_what_is_stored(pending, head, director):
    stale = Post.objects.get(pk=pending.pk)
    wf.request_changes(pending, director, "Pas maintenant.")
    with pytest.raises(wf.StaleObject):
        wf.approve(stale, head)
    assert stale.state == S.CHANGES_REQUESTED
    assert not Approval.objects.exists()
