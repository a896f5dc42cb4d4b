"""A community manager's conversation post may go out on their own say, unless a
sensitivity rule matches its text: then a second person approves it, however the text
is disguised and whether or not its flag was lifted."""

import pytest
from django.urls import reverse

from editorial import workflow as wf
from editorial.models import PostState
from tests.factories import ChannelFactory, PostFactory, SensitivityRuleFactory
from tests.refusals import refused_page


@pytest.fixture
def reply(cm, national):
    return PostFactory(
        author=cm,
        origin_department=national,
        category="conversation",
        body="Merci pour votre message, nous transmettons au commissariat.",
        channels=[ChannelFactory(department=national)],
    )


@pytest.fixture
def rule(db):
    return SensitivityRuleFactory(pattern="attentat", topic="Terrorisme")


def test_a_plain_reply_is_cleared_by_its_author_alone(reply, cm, rule):
    assert "self_approve" in wf.available_actions(reply, cm)
    wf.self_approve(reply, cm)
    assert reply.state == PostState.APPROVED


def test_a_reply_with_a_disguised_sensitive_word_is_flagged_and_not_cleared_alone(reply, cm, rule):
    wf.edit_post(reply, cm, body="Suite à l'a\u200btt\u0435ntat, nous vous répondons en privé.")

    assert reply.sensitive
    assert "self_approve" not in wf.available_actions(reply, cm)
    with pytest.raises(wf.ActionNotAllowed):
        wf.self_approve(reply, cm)
    assert reply.state == PostState.DRAFT


def test_a_reply_whose_flag_was_lifted_still_needs_a_second_person(reply, cm, head, rule):
    wf.edit_post(reply, cm, body="Un a.t.t.e.n.t.a.t ? Non, un exercice.")
    wf.lift_sensitivity(reply, head, "Un exercice annoncé, rien de sensible.")
    assert not reply.sensitive

    assert "self_approve" not in wf.available_actions(reply, cm)
    with pytest.raises(wf.ActionNotAllowed) as refusal:
        wf.self_approve(reply, cm)
    assert "Terrorisme: attentat" in str(refusal.value)
    # It goes the ordinary way, through the plan and the head's approval.
    assert "plan_into_week" in wf.available_actions(reply, cm)


def test_a_rule_added_after_the_reply_was_written_takes_away_its_skip(reply, cm):
    SensitivityRuleFactory(pattern="commissariat", topic="Lieux")

    assert not reply.sensitive  # written before the rule: not flagged
    assert "self_approve" not in wf.available_actions(reply, cm)
    with pytest.raises(wf.ActionNotAllowed):
        wf.self_approve(reply, cm)


def test_a_forged_request_to_clear_a_matching_reply_is_refused(client, reply, cm, head, rule):
    wf.edit_post(reply, cm, body="Attentat déjoué : merci de votre vigilance.")
    wf.lift_sensitivity(reply, head, "Message de remerciement validé en réunion.")
    client.force_login(cm)

    response = client.post(reverse("post-action", args=[reply.pk, "self_approve"]))

    page = refused_page(client, response, reverse("post-detail", args=[reply.pk]))
    assert "matches the sensitivity rule" in page
    reply.refresh_from_db()
    assert reply.state == PostState.DRAFT
    assert not reply.approvals.exists()
