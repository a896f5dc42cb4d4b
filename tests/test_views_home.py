"""Where each person lands after signing in."""

import pytest
from django.urls import reverse

from editorial import workflow as wf
from tests.sign_in import code_for, enrol


def lands_on(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("home")).url


@pytest.mark.django_db
@pytest.mark.parametrize("reviewer", ["head", "director"])
def test_a_reviewer_with_nothing_awaiting_lands_on_the_calendar(request, client, reviewer):
    assert lands_on(client, request.getfixturevalue(reviewer)) == reverse("calendar")


def test_the_head_of_communication_lands_on_what_awaits_approval(client, head, pending):
    assert lands_on(client, head) == reverse("inbox")


def test_the_director_lands_on_what_awaits_sign_off(client, head, director, pending):
    wf.mark_sensitive(pending, head, "Affaire judiciaire en cours")
    wf.approve(pending, head)
    assert lands_on(client, director) == reverse("inbox")
    # The head has nothing left to approve: back to the calendar.
    assert lands_on(client, head) == reverse("calendar")


def test_the_community_manager_lands_on_the_calendar_even_with_submissions(
    client, cm, post_a, writer_a
):
    wf.submit(post_a, writer_a)
    assert lands_on(client, cm) == reverse("calendar")


def test_a_contributor_lands_on_their_departments_posts(client, contrib_a):
    assert lands_on(client, contrib_a) == reverse("post-list")


def test_signing_in_goes_through_the_same_rule(client, head, pending):
    head.set_password("demo")
    head.save()
    device = enrol(head)
    response = client.post(reverse("login"), {"username": "head", "password": "demo"})
    assert response.url == reverse("home")
    # A head of communication gives their second factor, then lands as the rule says.
    code = {"code": code_for(device), "next": response.url}
    assert client.post(reverse("two-factor-verify"), code).url == reverse("home")
    assert client.get(reverse("home")).url == reverse("inbox")
