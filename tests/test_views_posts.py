"""The post pages: list, editor, a post's page and its actions, through the test client."""

import dataclasses
import datetime
import hashlib
import io

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from PIL import Image

from editorial import workflow as wf
from editorial.audit import entries_for
from editorial.content import compute_content_hash
from editorial.forms.images import PENDING_SALT
from editorial.models import Approval, Post, PostState
from editorial.workflow.catalog import POST_ACTIONS as ACTIONS
from tests.factories import ChannelFactory, PostFactory, WebhookChannelFactory, in_days
from tests.html_forms import form_data
from tests.refusals import HTMX, refused_page

S = PostState


def _as(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # assert on the English msgids
    return client


def _action(client, post, action, **data):
    return client.post(reverse("post-action", args=[post.pk, action]), data)


def _page(post) -> str:
    return reverse("post-detail", args=[post.pk])


def _png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


def _png() -> SimpleUploadedFile:
    return SimpleUploadedFile("affiche.png", _png_bytes(), content_type="image/png")


def _images(**first) -> dict:
    """The image formset's fields as the editor sends them, with no image chosen."""
    data = {
        "images-TOTAL_FORMS": "1",
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "10",
    }
    data.update({f"images-0-{key}": value for key, value in first.items()})
    return data


def _editor_data(channel, **overrides):
    data = {
        "title": "Vigilance cambriolages",
        "body": "Fermez vos portes et fenêtres.",
        "category": "prevention",
        "channels": [channel.pk],
        "scheduled_at_0": (in_days(3)).strftime("%Y-%m-%dT%H:%M"),
        "campaign": "",
        **_images(),
    }
    data.update(overrides)
    return data


# --- the list -------------------------------------------------------------------------


def test_a_contributor_lists_only_their_departments_posts(client, contrib_a, post_a, dept_b):
    other = PostFactory(origin_department=dept_b, title="Marseille seulement")
    page = _as(client, contrib_a).get(reverse("post-list")).content.decode()
    assert post_a.title in page
    assert other.title not in page
    assert 'name="department"' not in page  # nothing to filter by: one department


def test_the_national_team_filters_the_list_by_state_and_department(client, cm, post_a, dept_b):
    other = PostFactory(origin_department=dept_b, title="Marseille")
    wf.fast_track(other, cm)
    client = _as(client, cm)
    by_state = client.get(reverse("post-list"), {"state": S.PENDING_APPROVAL}).content.decode()
    assert other.title in by_state and post_a.title not in by_state
    by_dept = client.get(
        reverse("post-list"), {"department": post_a.origin_department_id}
    ).content.decode()
    assert post_a.title in by_dept and other.title not in by_dept


def test_the_list_costs_the_same_queries_for_two_posts_as_for_twelve(
    client, cm, dept_a, dept_b, channel_a
):
    client = _as(client, cm)
    for _ in range(2):
        PostFactory(origin_department=dept_a, channels=[channel_a])
    client.get(reverse("post-list"))  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("post-list")).status_code == 200
    for department in [dept_a, dept_b] * 5:
        PostFactory(origin_department=department)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("post-list"))
    assert response.content.decode().count('href="/posts/') >= 12
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# --- scope and refusals ---------------------------------------------------------------


def test_another_departments_post_answers_404_on_every_page(client, contrib_a, dept_b):
    other = PostFactory(origin_department=dept_b)
    client = _as(client, contrib_a)
    assert client.get(reverse("post-detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("post-edit", args=[other.pk])).status_code == 404
    assert _action(client, other, "comment", text="Bonjour").status_code == 404
    assert not other.comments.exists()


def test_a_forbidden_action_sends_the_browser_back_to_the_post_saying_why(
    client, contrib_a, pending
):
    client = _as(client, contrib_a)
    response = _action(client, pending, "approve", expected_hash=pending.content_hash)
    page = refused_page(client, response, _page(pending))
    assert "Only a head of communication" in page
    pending.refresh_from_db()
    assert pending.state == S.PENDING_APPROVAL


def test_a_forbidden_action_from_htmx_answers_403_with_the_reason(client, contrib_a, pending):
    response = _as(client, contrib_a).post(
        reverse("post-action", args=[pending.pk, "approve"]),
        {"expected_hash": pending.content_hash},
        **HTMX,
    )
    assert response.status_code == 403
    assert "Only a head of communication" in response.content.decode()


def test_a_refused_action_keeps_what_was_typed_for_the_page_it_returns_to_once(
    client, head, pending, monkeypatch
):
    def someone_got_there_first(post, user, text):
        raise wf.StaleObject("Someone else acted on this post meanwhile.")

    spec = dataclasses.replace(ACTIONS["request_changes"], run=someone_got_there_first)
    monkeypatch.setitem(ACTIONS, "request_changes", spec)
    client = _as(client, head)
    response = _action(client, pending, "request_changes", text="Préciser l’horaire.")
    page = refused_page(client, response, _page(pending))
    assert "Someone else acted on this post meanwhile." in page
    assert ">Préciser l’horaire.</textarea>" in page
    again = client.get(_page(pending)).content.decode()  # a reload: shown, nothing posted
    assert "Préciser l’horaire." not in again
    assert "Someone else acted" not in again


def test_approving_ones_own_post_is_refused_by_the_four_eyes_rule(client, head, dept_a, cm):
    post = PostFactory(origin_department=dept_a, author=head)
    wf.fast_track(post, cm)
    client = _as(client, head)
    response = _action(client, post, "approve", expected_hash=post.content_hash)
    assert "Four-eyes" in refused_page(client, response, _page(post))


def test_a_stale_action_is_refused_and_shows_the_post_as_it_is(client, contrib_a, post_a):
    client = _as(client, contrib_a)
    assert _action(client, post_a, "submit").status_code == 302
    client.get(_page(post_a))  # the success message, shown
    response = _action(client, post_a, "submit")  # a second tab, still showing the draft
    page = refused_page(client, response, _page(post_a))
    assert "not possible while the item is submitted" in page
    assert "state-submitted" in page


def test_an_approval_is_refused_when_the_content_changed_since_the_page_was_shown(
    client, head, pending, writer_a
):
    seen = pending.content_hash
    Post.objects.filter(pk=pending.pk).update(body="Autre texte, jamais relu.")
    client = _as(client, head)
    response = _action(client, pending, "approve", expected_hash=seen)
    assert "changed since" in refused_page(client, response, _page(pending))
    pending.refresh_from_db()
    assert pending.state == S.PENDING_APPROVAL
    assert not Approval.objects.filter(post=pending).exists()


def test_an_unknown_action_is_404_and_a_get_is_not_allowed(client, contrib_a, post_a):
    client = _as(client, contrib_a)
    assert _action(client, post_a, "publish_now").status_code == 404
    assert client.get(reverse("post-action", args=[post_a.pk, "submit"])).status_code == 405


def test_a_person_without_a_role_cannot_open_the_editor(client, outsider):
    response = _as(client, outsider).get(reverse("post-create"))
    assert response.status_code == 403
    assert "does not let you write posts" in response.content.decode()


def test_a_cancelled_post_cannot_be_edited_and_the_page_says_why(client, cm, post_a):
    wf.cancel(post_a, cm)
    response = _as(client, cm).get(reverse("post-edit", args=[post_a.pk]))
    assert response.status_code == 409
    assert "can no longer be changed" in response.content.decode()


# --- the editor -----------------------------------------------------------------------


def test_a_contributor_writes_a_post_through_the_workflow(client, contrib_a, channel_a, dept_a):
    data = _editor_data(channel_a, **{f"variant_{channel_a.pk}": "Version Mastodon."})
    response = _as(client, contrib_a).post(reverse("post-create"), data)
    post = Post.objects.get(title="Vigilance cambriolages")
    assert response.status_code == 302
    assert response["Location"] == reverse("post-detail", args=[post.pk])
    assert (post.origin_department, post.author, post.state) == (dept_a, contrib_a, S.DRAFT)
    assert list(post.channels.all()) == [channel_a]
    assert post.variants.get().body == "Version Mastodon."
    assert [e.action for e in entries_for(post)] == ["create"]


def test_the_editor_offers_only_the_users_own_channels_grouped_by_department(
    client, contrib_a, channel_a, dept_b
):
    foreign = ChannelFactory(department=dept_b, name="Police 13")
    page = _as(client, contrib_a).get(reverse("post-create")).content.decode()
    assert "Police 67" in page and "Police 13" not in page
    assert f'data-limit="{channel_a.text_limit}"' in page
    response = client.post(reverse("post-create"), _editor_data(foreign))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Post.objects.exists()
    assert foreign.pk  # still there, just not offered


def test_a_form_error_keeps_what_was_typed_and_says_what_is_wrong_by_the_field(
    client, contrib_a, channel_a
):
    data = _editor_data(channel_a, title="", body="Texte tapé avec soin.")
    response = _as(client, contrib_a).post(reverse("post-create"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Texte tapé avec soin." in page
    assert 'class="field has-error"' in page
    assert 'id="id_title_errors"' in page
    assert "checked" in page.split(f'id="id_channels_{channel_a.pk}"')[1][:20]
    assert not Post.objects.exists()


def test_a_time_in_the_spring_dst_gap_is_refused_with_a_clear_message(client, contrib_a, channel_a):
    data = _editor_data(channel_a, scheduled_at_0="2027-03-28T02:30")
    page = _as(client, contrib_a).post(reverse("post-create"), data).content.decode()
    assert "does not exist in Europe/Paris" in page
    assert 'value="2027-03-28T02:30"' in page
    assert not Post.objects.exists()


def test_a_time_in_the_autumn_repeated_hour_asks_which_and_then_saves_it(
    client, contrib_a, channel_a
):
    client = _as(client, contrib_a)
    data = _editor_data(channel_a, scheduled_at_0="2027-10-31T02:30")
    page = client.post(reverse("post-create"), data).content.decode()
    assert "happens twice" in page
    assert 'name="scheduled_at_1" value="0"' in page and 'name="scheduled_at_1" value="1"' in page
    assert not Post.objects.exists()
    client.post(reverse("post-create"), {**data, "scheduled_at_1": "1"})  # the winter one
    post = Post.objects.get()
    assert post.scheduled_at == datetime.datetime(2027, 10, 31, 1, 30, tzinfo=datetime.UTC)


def test_the_editor_is_filled_with_the_post_and_saves_through_edit_post(
    client, contrib_a, post_a, channel_a
):
    client = _as(client, contrib_a)
    page = client.get(reverse("post-edit", args=[post_a.pk])).content.decode()
    assert escape(post_a.body) in page
    data = _editor_data(channel_a, loaded_hash=post_a.content_hash, body="Texte corrigé.")
    assert client.post(reverse("post-edit", args=[post_a.pk]), data).status_code == 302
    post_a.refresh_from_db()
    assert (post_a.body, post_a.last_editor) == ("Texte corrigé.", contrib_a)
    assert entries_for(post_a).last().action == "edit"


def test_saving_over_someone_elses_change_is_refused_and_keeps_the_text(
    client, contrib_a, post_a, channel_a, writer_a
):
    loaded = post_a.content_hash
    wf.edit_post(post_a, writer_a, body="Changé par writer67 entre-temps.")
    data = _editor_data(channel_a, loaded_hash=loaded, body="Ma version.")
    response = _as(client, contrib_a).post(reverse("post-edit", args=[post_a.pk]), data)
    assert "Someone else changed this post" in response.content.decode()
    assert "Ma version." in response.content.decode()
    post_a.refresh_from_db()
    assert post_a.body == "Changé par writer67 entre-temps."


def test_a_text_too_long_for_a_channel_is_saved_but_cannot_be_submitted(client, contrib_a, dept_a):
    hook = WebhookChannelFactory(department=dept_a, name="Webhook 67")
    client = _as(client, contrib_a)
    client.post(reverse("post-create"), _editor_data(hook, body="é" * 4001))
    post = Post.objects.get()
    response = _action(client, post, "submit")
    assert "accepts 4000 characters, the text has 4001" in refused_page(
        client, response, _page(post)
    )


# --- a post's page and its actions ----------------------------------------------------


def test_the_page_offers_the_buttons_of_available_actions_only(client, contrib_a, head, pending):
    contributor_page = (
        _as(client, contrib_a).get(reverse("post-detail", args=[pending.pk])).content.decode()
    )
    assert reverse("post-action", args=[pending.pk, "approve"]) not in contributor_page
    head_page = _as(client, head).get(reverse("post-detail", args=[pending.pk])).content.decode()
    assert reverse("post-action", args=[pending.pk, "approve"]) in head_page
    assert f'name="expected_hash" value="{pending.content_hash}"' in head_page


def test_submitting_goes_through_the_workflow_and_redirects_with_a_message(
    client, contrib_a, post_a
):
    client = _as(client, contrib_a)
    response = _action(client, post_a, "submit")
    assert response.status_code == 302
    post_a.refresh_from_db()
    assert post_a.state == S.SUBMITTED
    page = client.get(response["Location"]).content.decode()
    assert "Submitted to the national team." in page
    assert entries_for(post_a).last().actor == contrib_a


def test_requesting_changes_without_a_comment_says_so_next_to_the_field(client, head, pending):
    client = _as(client, head)
    response = _action(client, pending, "request_changes", text="  ")
    page = refused_page(client, response, _page(pending))
    assert 'id="action-request_changes-error"' in page
    assert "a comment is required" in page
    pending.refresh_from_db()
    assert pending.state == S.PENDING_APPROVAL


def test_the_history_shows_approvals_with_their_content_and_the_comments(
    client, head, director, contrib_a, pending, cm
):
    wf.mark_sensitive(pending, cm, "Victimes identifiables.")
    approved = _action(_as(client, head), pending, "approve", expected_hash=pending.content_hash)
    assert "awaits the director" in client.get(approved["Location"]).content.decode()
    wf.comment(pending, head, "Relu, à signer.")
    pending.refresh_from_db()
    assert pending.state == S.PENDING_SIGNOFF
    page = _as(client, contrib_a).get(reverse("post-detail", args=[pending.pk])).content.decode()
    assert pending.content_hash[:12] in page
    assert "matches the current content" in page
    assert "Relu, à signer." in page
    assert "Victimes identifiables." in page
    for label in ("Sent for approval as urgent", "Marked sensitive", "Commented"):
        assert label in page
    director_page = (
        _as(client, director).get(reverse("post-detail", args=[pending.pk])).content.decode()
    )
    assert reverse("post-action", args=[pending.pk, "sign_off"]) in director_page


def test_an_edit_after_approval_shows_the_approval_voided(client, head, cm, pending):
    _action(_as(client, head), pending, "approve", expected_hash=pending.content_hash)
    pending.refresh_from_db()
    wf.edit_post(pending, cm, body="Nouveau texte.")
    page = client.get(reverse("post-detail", args=[pending.pk])).content.decode()
    assert "Voided" in page


# --- images, departments, held posts --------------------------------------------------


def test_an_image_is_saved_with_its_alternative_text_and_counts_in_the_fingerprint(
    client, contrib_a, channel_a
):
    data = {**_editor_data(channel_a), **_images(image=_png(), alt_text="Affiche de la campagne")}
    response = _as(client, contrib_a).post(reverse("post-create"), data)
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.images.get().alt_text == "Affiche de la campagne"
    assert post.content_hash == compute_content_hash(post)
    page = client.get(response["Location"]).content.decode()
    assert 'alt="Affiche de la campagne"' in page


def test_an_image_without_alternative_text_is_refused_next_to_the_field(
    client, contrib_a, channel_a
):
    data = {**_editor_data(channel_a, body="Gardé."), **_images(image=_png(), alt_text="")}
    response = _as(client, contrib_a).post(reverse("post-create"), data)
    page = response.content.decode()
    assert 'id="id_images-0-alt_text_errors"' in page
    assert "Gardé." in page
    assert not Post.objects.exists()


def test_the_national_team_chooses_the_department_and_starts_from_its_own(
    client, cm, national, dept_a, channel_a
):
    client = _as(client, cm)
    page = client.get(reverse("post-create")).content.decode()
    assert f'<option value="{national.pk}" selected>' in page
    data = _editor_data(channel_a, department=dept_a.pk)
    assert client.post(reverse("post-create"), data).status_code == 302
    assert Post.objects.get().origin_department == dept_a


def test_a_channel_of_another_department_is_refused_for_the_chosen_one(
    client, cm, national, dept_a, dept_b
):
    marseille = ChannelFactory(department=dept_b, name="Police 13")
    response = _as(client, cm).post(
        reverse("post-create"), _editor_data(marseille, department=dept_a.pk)
    )
    assert "Police 13 belongs to another department." in response.content.decode()
    assert not Post.objects.exists()


def test_a_held_post_is_rescheduled_from_its_page_and_a_dst_gap_is_refused(
    client, head, director, pending
):
    wf.approve(pending, head)
    Post.objects.filter(pk=pending.pk).update(held_at=in_days(0), held_reason="Pause")
    client = _as(client, director)
    page = client.get(reverse("post-detail", args=[pending.pk])).content.decode()
    assert reverse("post-action", args=[pending.pk, "reschedule_held"]) in page
    field = "reschedule_held-when_0"
    gap = _action(client, pending, "reschedule_held", **{field: "2027-03-28T02:30"})
    assert gap.status_code == 400
    assert "does not exist" in gap.content.decode()
    ok = _action(client, pending, "reschedule_held", **{field: "2027-07-14T10:00"})
    assert ok.status_code == 302
    pending.refresh_from_db()
    assert pending.held_at is None
    assert pending.scheduled_at == datetime.datetime(2027, 7, 14, 8, 0, tzinfo=datetime.UTC)


def _awaiting_signoff(pending, cm, head):
    wf.mark_sensitive(pending, cm, "Affaire judiciaire en cours.")
    wf.approve(pending, head)
    return pending


def test_the_director_lifting_the_flag_from_the_post_page_approves_the_post(
    client, cm, head, director, pending
):
    post = _awaiting_signoff(pending, cm, head)
    response = _action(_as(client, director), post, "lift_sensitivity", text="Déjà public.")
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.state, post.sensitive) == (S.APPROVED, False)
    page = client.get(response["Location"]).content.decode()
    assert "approved, no sign-off needed" in page
    assert "Déjà public." in page  # the reason, in the history


def test_the_approver_lifting_the_flag_from_the_post_page_sends_it_back_for_another_approver(
    client, cm, head, pending
):
    post = _awaiting_signoff(pending, cm, head)
    response = _action(_as(client, head), post, "lift_sensitivity", text="Je me suis trompé.")
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.state == S.PENDING_APPROVAL
    page = client.get(response["Location"]).content.decode()
    assert "someone else must approve it now" in page
    assert reverse("post-action", args=[post.pk, "approve"]) not in page
    forged = _action(client, post, "approve", expected_hash=post.content_hash)
    assert "someone else must approve it" in refused_page(client, forged, _page(post))
    post.refresh_from_db()
    assert post.state == S.PENDING_APPROVAL


def test_lifting_the_flag_needs_a_reviewer_and_a_reason(client, cm, head, contrib_a, pending):
    post = _awaiting_signoff(pending, cm, head)
    forbidden = _action(_as(client, contrib_a), post, "lift_sensitivity", text="Non.")
    assert "may do this" in refused_page(client, forbidden, _page(post))
    no_reason = _action(_as(client, head), post, "lift_sensitivity", text=" ")
    assert "reason" in refused_page(client, no_reason, _page(post))
    post.refresh_from_db()
    assert (post.state, post.sensitive) == (S.PENDING_SIGNOFF, True)


def test_changing_only_the_text_of_a_post_in_the_repeated_hour_keeps_its_time(
    client, contrib_a, post_a
):
    winter = datetime.datetime(2027, 10, 31, 1, 30, tzinfo=datetime.UTC)  # 02:30 CET
    Post.objects.filter(pk=post_a.pk).update(scheduled_at=winter)
    post_a.refresh_from_db()
    wf.edit_post(post_a, contrib_a, body=post_a.body)  # a fresh content hash, as saved
    client = _as(client, contrib_a)
    page = client.get(reverse("post-edit", args=[post_a.pk])).content.decode()
    assert 'name="scheduled_at_1" value="1" checked' in page
    data = {**form_data(page), "body": "Seul le texte change."}
    response = client.post(reverse("post-edit", args=[post_a.pk]), data)
    assert response.status_code == 302, response.content.decode()
    post_a.refresh_from_db()
    assert post_a.body == "Seul le texte change."
    assert post_a.scheduled_at == winter


def test_line_breaks_sent_by_the_browser_are_stored_and_counted_as_one_character(
    client, contrib_a, channel_a
):
    # A browser sends a textarea's line breaks as \r\n; its counter sees \n.
    typed = "Ligne 1\r\nLigne 2\r\n\r\n👮 https://www.police.fr\r\n"
    data = _editor_data(channel_a, body=typed, **{f"variant_{channel_a.pk}": "A\r\nB"})
    assert _as(client, contrib_a).post(reverse("post-create"), data).status_code == 302
    post = Post.objects.get()
    assert post.body == "Ligne 1\nLigne 2\n\n👮 https://www.police.fr"
    assert post.variants.get().body == "A\nB"


# --- images kept across a form error, and as many slots as the networks take ---------


def test_an_image_chosen_in_a_form_with_an_error_is_kept_with_its_alt_text(
    client, contrib_a, channel_a, django_capture_on_commit_callbacks
):
    client = _as(client, contrib_a)
    data = {**_editor_data(channel_a, title=""), **_images(image=_png(), alt_text="Affiche")}
    page = client.post(reverse("post-create"), data).content.decode()
    assert 'id="id_title_errors"' in page
    assert "Kept from your last try: affiche.png" in page
    sent_again = {**form_data(page), "title": "Avec un titre cette fois"}
    assert "images-0-image" not in sent_again  # a browser never fills a file input again
    assert sent_again["images-0-alt_text"] == "Affiche"

    aside = signing.loads(sent_again["images-0-pending"], salt=PENDING_SALT)["name"]
    assert default_storage.exists(aside)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("post-create"), sent_again)
    assert response.status_code == 302
    image = Post.objects.get().images.get()
    assert image.alt_text == "Affiche"
    # The kept image, written again like any upload: its pixels, and a hash of what is stored.
    assert image.sha256 == hashlib.sha256(image.image.read()).hexdigest()
    with Image.open(image.image.path) as kept, Image.open(io.BytesIO(_png_bytes())) as sent:
        assert kept.convert("RGB").tobytes() == sent.convert("RGB").tobytes()
    assert not default_storage.exists(aside)  # gone once saved with the post


def test_a_kept_image_belongs_to_the_writer_who_chose_it(client, contrib_a, writer_a, channel_a):
    data = {**_editor_data(channel_a, title=""), **_images(image=_png(), alt_text="Affiche")}
    page = _as(client, contrib_a).post(reverse("post-create"), data).content.decode()
    stolen = {**form_data(page), "title": "Par quelqu'un d'autre"}
    response = _as(client, writer_a).post(reverse("post-create"), stolen)
    assert response.status_code == 200
    assert 'id="id_images-0-image_errors"' in response.content.decode()
    assert not Post.objects.exists()


def test_the_editor_takes_several_images_but_no_more_than_any_network_does(
    client, contrib_a, channel_a
):
    client = _as(client, contrib_a)
    slots = {
        **_editor_data(channel_a),
        "images-TOTAL_FORMS": "3",
        **{f"images-{i}-image": _png() for i in range(3)},
        **{f"images-{i}-alt_text": f"Image {i}" for i in range(3)},
    }
    assert client.post(reverse("post-create"), slots).status_code == 302
    assert Post.objects.get().images.count() == 3

    too_many = {
        **_editor_data(channel_a, title="Trop"),
        "images-TOTAL_FORMS": "11",
        **{f"images-{i}-image": _png() for i in range(11)},
        **{f"images-{i}-alt_text": f"Image {i}" for i in range(11)},
    }
    page = client.post(reverse("post-create"), too_many).content.decode()
    assert "A post carries at most 10 images." in page
    assert Post.objects.count() == 1
