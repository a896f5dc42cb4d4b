"""Sensitivity rules from the note-cadre flag posts; only reviewers lift the flag."""

import pytest
from django.core.exceptions import ValidationError

from accounts.roles import Role
from demo.people import RULES
from editorial import workflow as wf
from editorial.audit import entries_for
from editorial.events import workflow_action
from editorial.inbox import awaiting
from editorial.models import PostState, SensitivityRule
from editorial.sensitivity import matching_rule
from tests.factories import SensitivityRuleFactory, UserFactory


def rule(pattern, kind="keyword", active=True):
    return SensitivityRule(pattern=pattern, kind=kind, topic="Sujet", active=active)


@pytest.mark.parametrize(
    "text",
    ["Attentat déjoué à Lyon", "deux attentats", "ATTENTAT", "après l'attentat,", "(Attentat)"],
)
def test_a_keyword_matches_whatever_the_case_accents_and_plural(text):
    assert matching_rule(text, [rule("attentat")]) is not None


@pytest.mark.parametrize("text", ["un acte attentatoire", "contre-attentats-suicide?"])
def test_a_keyword_matches_whole_words_only(text):
    expected = None if "attentatoire" in text else "attentat"
    found = matching_rule(text, [rule("attentat")])
    assert (found.pattern if found else None) == expected


def test_accents_in_the_rule_or_the_text_do_not_matter():
    assert matching_rule("Visite à l'ELYSEE", [rule("Élysée")])
    assert matching_rule("Visite à l'Élysée", [rule("elysee")])


def test_a_phrase_matches_across_spaces_and_accents():
    assert matching_rule("placé en GARDE A  VUE hier", [rule("garde à vue")])
    assert not matching_rule("garde du corps à vue", [rule("garde à vue")])


NOTE_CADRE = [rule(pattern, kind) for kind, pattern, _topic in RULES]


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("Deux enquêtes judiciaires sont ouvertes.", "enquête judiciaire"),
        ("Trois gardes à vue ont été levées.", "garde à vue"),
        ("Elle est mise en examen pour vol.", "mis en examen"),
        ("Deux personnes mises en examen.", "mis en examen"),
        ("Une ENQUÊTE-JUDICIAIRE est en cours.", "enquête judiciaire"),
        ("Placés en garde-à-vue, puis relâchés.", "garde à vue"),
        ("Il a été mis\u00a0en examen hier.", "mis en examen"),
        ("Ils sont mis en examen, puis libérés.", "mis en examen"),
        ("Une enquête judiciaire est ouverte.", "enquête judiciaire"),
        ("Un attentat déjoué.", "attentat"),
        ("Deux attentats déjoués.", "attentat"),
        ("Une victime, puis d'autres victimes.", "victime"),
        ("Les crises se succèdent.", "crise"),
        ("Deux terroristes interpellés.", "terroriste"),
        ("Deux policiers morts en service.", r"morte?s? en service"),
    ],
)
def test_the_note_cadre_matches_inflected_words_and_phrases(text, pattern):
    found = matching_rule(text, NOTE_CADRE)
    assert found is not None and found.pattern == pattern


@pytest.mark.parametrize(
    "text",
    [
        "Examens du permis de conduire : les dates de la session de juin.",
        "Prenez garde à vous sur la route des vacances.",
        "Les gardes du corps du ministre étaient présents.",
        "Mise en service du nouveau commissariat de Strasbourg.",
        "Mise en ligne de la plainte en ligne pour les escroqueries.",
        "Une enquête de satisfaction auprès des usagers.",
        "Le casier judiciaire se demande en ligne.",
        "Un acte attentatoire à la vie privée est puni par la loi.",
        "Les missions de la police judiciaire expliquées aux collégiens.",
        "Portes ouvertes : venez découvrir nos métiers à vue d'œil.",
        "Opération tranquillité vacances : inscrivez-vous avant de partir.",
        "Un crisp de pommes offert aux enfants du quartier.",
        "Le terrorisme informatique : nos conseils de cybersécurité.",
    ],
)
def test_ordinary_french_sentences_match_no_rule_of_the_note_cadre(text):
    found = matching_rule(text, NOTE_CADRE)
    assert found is None, found and found.pattern


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("policier", "Une policière blessée."),
        ("tribunal", "Devant les tribunaux."),
        ("explosif", "Une ceinture explosive."),
        ("dangereux", "Une conduite dangereuse."),
        ("criminel", "Une organisation criminelle."),
    ],
)
def test_a_keyword_matches_its_other_french_forms(pattern, text):
    assert matching_rule(text, [rule(pattern)]) is not None


def test_a_keyword_of_three_letters_or_more_does_not_match_a_longer_word():
    assert matching_rule("Miss France en visite.", [rule("mis en examen")]) is None
    assert matching_rule("Une voie criminaliste.", [rule("criminel")]) is None


def test_a_regular_expression_rule_matches_normalized_text():
    assert matching_rule("Opération Sentinelle 2027", [rule(r"op[ée]ration \w+", kind="regex")])


def test_a_regular_expression_keeps_its_upper_case_classes_and_ignores_case():
    found = matching_rule("MORT EN SERVICE", [rule(r"mort\Wen\Wservice", kind="regex")])
    assert found is not None
    assert not matching_rule("mortxenxservice", [rule(r"mort\Wen\Wservice", kind="regex")])


def test_an_invalid_regular_expression_is_refused_with_a_message():
    with pytest.raises(ValidationError) as error:
        rule("(unclosed", kind="regex").clean()
    assert "pattern" in error.value.message_dict


def test_a_post_matching_an_active_rule_is_flagged_on_save_with_the_rule_as_reason(
    contrib_a, dept_a, channel_a
):
    SensitivityRuleFactory(pattern="attentat", topic="Terrorisme")
    post = wf.create_post(
        contrib_a,
        department=dept_a,
        channels=[channel_a],
        title="Alerte",
        body="Hommage aux victimes de l'Attentat.",
        category="institutional",
    )
    assert post.sensitive is True
    assert "Terrorisme" in post.sensitive_reason
    assert post.sensitivity_rule.pattern == "attentat"


def test_an_edit_that_adds_a_sensitive_word_flags_the_post(post_a, writer_a):
    SensitivityRuleFactory(pattern="garde à vue", topic="Judiciaire")
    assert not post_a.sensitive
    wf.edit_post(post_a, writer_a, body="Deux personnes placées en garde à vue.")
    assert post_a.sensitive


def test_an_edit_with_an_inflected_phrase_flags_the_post(post_a, writer_a):
    SensitivityRuleFactory(pattern="mis en examen", topic="Judiciaire")
    wf.edit_post(post_a, writer_a, body="Deux personnes mises en examen à Strasbourg.")
    assert post_a.sensitive and post_a.sensitivity_rule.pattern == "mis en examen"


def test_a_pattern_without_a_word_is_refused_with_a_message():
    with pytest.raises(ValidationError) as error:
        rule(" -- ").clean()
    assert "pattern" in error.value.message_dict


def test_an_inactive_rule_flags_nothing(post_a, writer_a):
    SensitivityRuleFactory(pattern="crise", active=False)
    wf.edit_post(post_a, writer_a, body="Cellule de crise.")
    assert not post_a.sensitive


def test_only_a_reviewer_lifts_the_flag_and_only_with_a_reason(post_a, writer_a, cm, head):
    SensitivityRuleFactory(pattern="victime")
    wf.edit_post(post_a, writer_a, body="Appel à témoins : une victime.")
    for user in (writer_a, cm):
        with pytest.raises(wf.ActionNotAllowed):
            wf.lift_sensitivity(post_a, user, "Pas sensible.")
    with pytest.raises(wf.InvalidInput):
        wf.lift_sensitivity(post_a, head, "")
    wf.lift_sensitivity(post_a, head, "Appel à témoins ordinaire.")
    post_a.refresh_from_db()
    assert not post_a.sensitive


def test_a_lifted_flag_stays_lifted_until_the_content_changes(post_a, writer_a, head):
    SensitivityRuleFactory(pattern="victime")
    wf.edit_post(post_a, writer_a, body="Une victime.")
    wf.lift_sensitivity(post_a, head, "Fait divers sans gravité.")
    wf.edit_post(post_a, writer_a, title="Titre retouché")
    assert not post_a.sensitive
    wf.edit_post(post_a, writer_a, body="Deux victimes.")
    assert post_a.sensitive


# --- lifting the flag of a post that waits for the director ---------------------------


@pytest.fixture
def awaiting_signoff(pending, cm, head):
    """post_a, marked sensitive, approved by the head: it waits for the director."""
    wf.mark_sensitive(pending, cm, "Affaire judiciaire en cours.")
    wf.approve(pending, head)
    assert pending.state == PostState.PENDING_SIGNOFF
    return pending


@pytest.fixture
def other_head(national):
    return UserFactory(username="head2", role=Role.HEAD_OF_COMMUNICATION, department=national)


def _lift_and_listen(post, user, reason, capture):
    received = []
    workflow_action.connect(
        lambda **kw: received.append((kw["action"], kw["to_state"], kw["comment"])),
        weak=False,
        dispatch_uid="lift-test",
    )
    try:
        with capture(execute=True):
            wf.lift_sensitivity(post, user, reason)
    finally:
        workflow_action.disconnect(dispatch_uid="lift-test")
    return received


def test_the_director_lifting_the_flag_approves_the_post_on_the_heads_approval(
    awaiting_signoff, director, head, django_capture_on_commit_callbacks
):
    received = _lift_and_listen(
        awaiting_signoff, director, "Déjà public.", django_capture_on_commit_callbacks
    )
    awaiting_signoff.refresh_from_db()
    assert (awaiting_signoff.state, awaiting_signoff.sensitive) == (PostState.APPROVED, False)
    assert [a.approver for a in awaiting_signoff.approvals.filter(voided_at__isnull=True)] == [head]
    entry = entries_for(awaiting_signoff).last()
    assert (entry.actor, entry.action, entry.from_state, entry.to_state, entry.comment) == (
        director,
        "lift_sensitivity",
        PostState.PENDING_SIGNOFF,
        PostState.APPROVED,
        "Déjà public.",
    )
    assert received == [("lift_sensitivity", PostState.APPROVED, "Déjà public.")]


def test_another_head_lifting_the_flag_approves_the_post_two_people_agreed(
    awaiting_signoff, other_head
):
    wf.lift_sensitivity(awaiting_signoff, other_head, "Rien de sensible.")
    awaiting_signoff.refresh_from_db()
    assert awaiting_signoff.state == PostState.APPROVED


def test_the_approver_lifting_the_flag_sends_the_post_back_for_another_approver(
    awaiting_signoff, head, other_head, django_capture_on_commit_callbacks
):
    received = _lift_and_listen(
        awaiting_signoff, head, "Je me suis trompé.", django_capture_on_commit_callbacks
    )
    awaiting_signoff.refresh_from_db()
    assert awaiting_signoff.state == PostState.PENDING_APPROVAL
    assert not awaiting_signoff.approvals.filter(voided_at__isnull=True).exists()
    entry = entries_for(awaiting_signoff).last()
    assert (entry.to_state, entry.comment, entry.data["approvals_voided"]) == (
        PostState.PENDING_APPROVAL,
        "Je me suis trompé.",
        1,
    )
    assert received == [("lift_sensitivity", PostState.PENDING_APPROVAL, "Je me suis trompé.")]
    # Not on one person alone: the same head may not approve it again, nor is it in
    # their inbox…
    assert "approve" not in wf.available_actions(awaiting_signoff, head)
    assert awaiting_signoff not in awaiting(head)
    assert awaiting_signoff in awaiting(other_head)
    with pytest.raises(wf.ActionNotAllowed, match="someone else must approve"):
        wf.approve(awaiting_signoff, head)
    # …someone else does, and it goes out without the director: it is not sensitive.
    wf.approve(awaiting_signoff, other_head)
    assert awaiting_signoff.state == PostState.APPROVED


def test_in_crisis_mode_a_post_keeps_waiting_for_the_director_after_its_flag_is_lifted(
    awaiting_signoff, director, head
):
    wf.pause_publishing(head, "Crise.", stops_publishing=False, requires_director=True)
    wf.lift_sensitivity(awaiting_signoff, director, "Pas sensible.")
    awaiting_signoff.refresh_from_db()
    assert (awaiting_signoff.state, awaiting_signoff.sensitive) == (
        PostState.PENDING_SIGNOFF,
        False,
    )


def test_lifting_the_flag_of_a_post_not_awaiting_sign_off_leaves_its_state(
    pending, cm, head, director
):
    wf.mark_sensitive(pending, cm, "Victimes.")
    wf.lift_sensitivity(pending, head, "Pas sensible.")
    pending.refresh_from_db()
    assert (pending.state, pending.sensitive) == (PostState.PENDING_APPROVAL, False)
    # Who cleared the flag does not also approve: two people clear sensitive content.
    with pytest.raises(wf.ActionNotAllowed, match="you lifted this post's sensitivity"):
        wf.approve(pending, head)
    wf.approve(pending, director)
    assert pending.state == PostState.APPROVED
