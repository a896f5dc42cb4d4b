"""The note-cadre's page: rules listed, created, edited and switched off (each audited),
with a box that says which active rules a sample text would match, and where."""

import pytest
from django.urls import reverse

from editorial import workflow
from editorial.audit import entries_for
from editorial.models import SensitivityRule
from tests.factories import PostFactory, SensitivityRuleFactory
from workspace.matching import rules_matching


@pytest.fixture
def rule(db):
    return SensitivityRuleFactory(pattern="attentat", topic="Terrorisme")


# --- access ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["head", "director", "admin_user"])
def test_the_reviewers_and_the_administrator_see_the_rules(client, persona, request, rule):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("workspace-rules"))
    assert response.status_code == 200
    assert "Terrorisme" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["cm", "contrib_a", "outsider"])
def test_other_roles_may_neither_see_nor_change_the_rules(client, persona, request, rule):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("workspace-rules")).status_code == 403
    assert client.get(reverse("workspace-rule-create")).status_code == 403
    response = client.post(
        reverse("workspace-rule-create"), {"topic": "X", "kind": "keyword", "pattern": "x"}
    )
    assert response.status_code == 403
    response = client.post(reverse("workspace-rule-switch", args=[rule.pk]), {"active": "0"})
    assert response.status_code == 403
    assert client.post(reverse("workspace-rule-test"), {"text": "attentat"}).status_code == 403
    assert SensitivityRule.objects.get() == rule and rule.active
    assert not entries_for(rule).exists()


def test_a_rule_that_does_not_exist_is_404(client, head):
    client.force_login(head)
    assert client.get(reverse("workspace-rule-edit", args=[999])).status_code == 404


# --- create, edit, switch off ---------------------------------------------------------


def test_the_head_creates_a_rule_and_it_flags_the_next_post_saved(client, head, writer_a, dept_a):
    client.force_login(head)
    response = client.post(
        reverse("workspace-rule-create"),
        {"topic": "Affaire judiciaire", "kind": "keyword", "pattern": "garde à vue"},
    )
    assert response.status_code == 302
    rule = SensitivityRule.objects.get()
    assert (rule.topic, rule.pattern, rule.active, rule.created_by) == (
        "Affaire judiciaire",
        "garde à vue",
        True,
        head,
    )
    entry = entries_for(rule).get()
    assert (entry.action, entry.actor) == ("create_rule", head)
    assert entry.data["pattern"] == "garde à vue"
    post = PostFactory(body="Deux personnes en GARDE A VUE.", origin_department=dept_a)
    workflow.edit_post(post, writer_a, title=post.title, body=post.body + " ")
    post.refresh_from_db()
    assert post.sensitive and post.sensitivity_rule == rule


def test_editing_a_rule_is_audited_with_what_changed(client, director, rule):
    client.force_login(director)
    response = client.post(
        reverse("workspace-rule-edit", args=[rule.pk]),
        {"topic": "Terrorisme", "kind": "keyword", "pattern": "attaque terroriste"},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.pattern == "attaque terroriste"
    entry = entries_for(rule).get()
    assert (entry.action, entry.actor, entry.data) == (
        "edit_rule",
        director,
        {"pattern": "attaque terroriste"},
    )


def test_a_bad_pattern_shows_the_error_and_keeps_what_was_typed(client, head):
    client.force_login(head)
    response = client.post(
        reverse("workspace-rule-create"),
        {"topic": "Crise", "kind": "regex", "pattern": "attentat(s"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "not a valid regular expression" in page
    assert 'value="attentat(s"' in page and 'value="Crise"' in page
    assert not SensitivityRule.objects.exists()


def test_an_empty_form_says_what_is_missing(client, head):
    client.force_login(head)
    response = client.post(reverse("workspace-rule-create"), {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_switching_a_rule_off_stops_it_flagging_and_is_audited(client, head, rule, dept_a):
    client.force_login(head)
    response = client.post(reverse("workspace-rule-switch", args=[rule.pk]), {"active": "0"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert not rule.active
    entry = entries_for(rule).get()
    assert (entry.action, entry.from_state, entry.to_state) == ("switch_off_rule", "on", "off")
    post = PostFactory(body="Un attentat déjoué.", origin_department=dept_a)
    from editorial.sensitivity import apply_rules

    assert apply_rules(post) is None
    client.post(reverse("workspace-rule-switch", args=[rule.pk]), {"active": "1"})
    rule.refresh_from_db()
    assert rule.active
    assert [e.action for e in entries_for(rule)] == ["switch_off_rule", "switch_on_rule"]


def test_switching_off_twice_writes_one_entry(client, head, rule):
    client.force_login(head)
    for _ in range(2):
        client.post(reverse("workspace-rule-switch", args=[rule.pk]), {"active": "0"})
    assert entries_for(rule).count() == 1


@pytest.mark.parametrize("name", ["workspace-rule-switch"])
def test_switching_takes_only_a_post(client, head, rule, name):
    client.force_login(head)
    assert client.get(reverse(name, args=[rule.pk])).status_code == 405
    assert client.get(reverse("workspace-rule-test")).status_code == 405


# --- what would this match ------------------------------------------------------------


def test_the_test_box_names_the_matching_rules_and_where(head, client, rule):
    SensitivityRuleFactory(pattern="manifestation", topic="Ordre public")
    SensitivityRuleFactory(pattern="incendie", topic="Sinistre", active=False)
    client.force_login(head)
    response = client.post(
        reverse("workspace-rule-test"),
        {"text": "Bilan de la nuit.\nDeux ATTENTATS déjoués, un incendie."},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert "<html" not in fragment  # htmx gets the result alone
    assert "matches 1 active rule" in fragment
    assert 'line 2: Deux <mark class="hit">ATTENTATS</mark> déjoués, un incendie.' in fragment
    assert "Sinistre" not in fragment  # switched off: the workflow would not use it


def test_the_test_box_without_javascript_answers_the_whole_page(head, client, rule):
    client.force_login(head)
    response = client.post(reverse("workspace-rule-test"), {"text": "Rien à signaler."})
    page = response.content.decode()
    assert response.status_code == 200 and "<html" in page
    assert "No active rule matches this text" in page
    assert "Rien à signaler." in page  # what was typed stays in the box


def test_rules_matching_finds_each_occurrence_and_phrases_across_words(db):
    phrase = SensitivityRuleFactory(pattern="garde à vue", topic="Justice")
    [result] = rules_matching("En garde  a vue ce soir, puis GARDE À VUE demain.", [phrase])
    assert [(hit.before, hit.match) for hit in result.hits] == [
        ("En ", "garde  a vue"),
        ("En garde  a vue ce soir, puis ", "GARDE À VUE"),
    ]
    assert rules_matching("Regardez à vue d'œil", [phrase]) == []


def test_a_long_pasted_text_costs_a_few_matcher_calls_per_match(db, monkeypatch):
    from workspace import matching

    rule = SensitivityRuleFactory(pattern="attentat")
    calls = []

    def counting(text, rules):
        calls.append(1)
        return matching_rule(text, rules)

    matching_rule = matching.matching_rule
    monkeypatch.setattr(matching, "matching_rule", counting)
    text = "mot " * 600 + "attentat " + "mot " * 600 + "Attentat."
    [result] = rules_matching(text, [rule])
    assert [hit.match for hit in result.hits] == ["attentat", "Attentat."]
    assert len(calls) < 100


def test_the_rule_being_typed_is_tried_before_it_is_saved(client, head, rule):
    client.force_login(head)
    response = client.post(
        reverse("workspace-rule-draft-test", args=[rule.pk]),
        {"topic": "Terrorisme", "kind": "keyword", "pattern": "attaque", "text": "Une ATTAQUE."},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert '<mark class="hit">ATTAQUE.</mark>' in response.content.decode()
    rule.refresh_from_db()
    assert rule.pattern == "attentat" and not entries_for(rule).exists()  # nothing saved
    response = client.post(
        reverse("workspace-rule-draft-test"),
        {"topic": "Crise", "kind": "regex", "pattern": "crise(", "text": "Une crise."},
        headers={"HX-Request": "true"},
    )
    assert "not a valid regular expression" in response.content.decode()
    assert not SensitivityRule.objects.filter(topic="Crise").exists()


def test_without_javascript_trying_the_rule_shows_the_form_with_what_was_typed(client, head):
    client.force_login(head)
    response = client.post(
        reverse("workspace-rule-draft-test"),
        {"topic": "Justice", "kind": "keyword", "pattern": "procès", "text": "Deux procès."},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<html" in page
    assert 'value="procès"' in page and "Deux procès." in page
    assert "This rule matches the text" in page
    assert not SensitivityRule.objects.exists()
