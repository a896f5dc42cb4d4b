"""Every change to the note-cadre is in the audit trail, whichever page made it: created,
edited, switched on or off, deleted; and only those who manage the rules change them."""

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from editorial import workflow
from editorial.audit import entries_for, verify_chain
from editorial.models import AuditEntry, SensitivityRule
from tests.factories import PostFactory, SensitivityRuleFactory, UserFactory

pytestmark = pytest.mark.django_db


def admin_url(view: str = "changelist", *args) -> str:
    return reverse(f"admin:editorial_sensitivityrule_{view}", args=args)


def rule_form(**fields) -> dict:
    return {"topic": "Terrorisme", "kind": "keyword", "pattern": "attentat", **fields}


def rule_entries(pk: int):
    return AuditEntry.objects.filter(object_type="editorial.sensitivityrule", object_id=pk)


def test_a_rule_created_in_the_admin_is_audited_with_its_author(client, admin_user):
    client.force_login(admin_user)

    response = client.post(admin_url("add"), rule_form(active="on"))

    assert response.status_code == 302
    rule = SensitivityRule.objects.get()
    assert rule.created_by == admin_user
    entry = entries_for(rule).get()
    assert (entry.action, entry.actor, entry.to_state) == ("create_rule", admin_user, "on")
    assert entry.data == {
        "topic": "Terrorisme",
        "kind": "keyword",
        "pattern": "attentat",
        "active": True,
    }


def test_a_rule_switched_off_in_the_admin_form_is_audited(client, admin_user):
    rule = SensitivityRuleFactory()
    client.force_login(admin_user)

    # An unticked box is absent from the form: the rule is switched off.
    response = client.post(admin_url("change", rule.pk), rule_form(pattern="attentats"))

    assert response.status_code == 302
    rule.refresh_from_db()
    assert not rule.active
    entry = entries_for(rule).get()
    assert (entry.action, entry.from_state, entry.to_state) == ("edit_rule", "on", "off")
    assert entry.data == {"pattern": "attentats", "active": False}


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_no_role_deletes_a_rule_it_is_switched_off_instead(client, admin_user):
    rule = SensitivityRuleFactory()
    client.force_login(admin_user)

    assert client.post(admin_url("delete", rule.pk), {"post": "yes"}).status_code == 403
    assert SensitivityRule.objects.filter(pk=rule.pk).exists()


def test_a_rule_deleted_in_the_admin_leaves_what_it_was_in_the_audit(client, superuser):
    rule = SensitivityRuleFactory(pattern="garde à vue", topic="Judiciaire")
    pk = rule.pk
    client.force_login(superuser)

    response = client.post(admin_url("delete", pk), {"post": "yes"})

    assert response.status_code == 302
    assert not SensitivityRule.objects.exists()
    entry = rule_entries(pk).get()
    assert (entry.action, entry.actor, entry.from_state) == ("delete_rule", superuser, "on")
    assert entry.data["pattern"] == "garde à vue" and entry.data["topic"] == "Judiciaire"


def test_rules_deleted_in_bulk_in_the_admin_each_leave_an_entry(client, superuser):
    rules = [SensitivityRuleFactory(pattern=word) for word in ("attentat", "crise")]
    client.force_login(superuser)

    response = client.post(
        admin_url(),
        {
            "action": "delete_selected",
            "post": "yes",
            helpers.ACTION_CHECKBOX_NAME: [rule.pk for rule in rules],
        },
    )

    assert response.status_code == 302
    assert not SensitivityRule.objects.exists()
    for rule in rules:
        assert rule_entries(rule.pk).get().action == "delete_rule"
    assert verify_chain() is None


def test_a_deleted_rule_leaves_the_posts_it_flagged_flagged(head, post_a, writer_a):
    rule = SensitivityRuleFactory()
    workflow.edit_post(post_a, writer_a, body="Un attentat déjoué.")
    assert post_a.sensitive

    workflow.delete_rule(head, rule)

    post_a.refresh_from_db()
    assert post_a.sensitive and "attentat" in post_a.sensitive_reason


@pytest.mark.parametrize("persona", ["cm", "contrib_a", "outsider"])
def test_only_those_who_manage_the_rules_change_them_whatever_the_caller(request, persona):
    user = request.getfixturevalue(persona)
    rule = SensitivityRuleFactory()

    with pytest.raises(workflow.ActionNotAllowed):
        workflow.save_rule(user, SensitivityRule(topic="X", kind="keyword", pattern="x"))
    with pytest.raises(workflow.ActionNotAllowed):
        workflow.set_rule_active(user, rule, False)
    with pytest.raises(workflow.ActionNotAllowed):
        workflow.delete_rule(user, rule)

    assert SensitivityRule.objects.get().active
    assert not AuditEntry.objects.filter(object_type="editorial.sensitivityrule").exists()


def test_a_pattern_the_matcher_cannot_run_is_refused_whoever_calls(director):
    backreference = SensitivityRule(topic="X", kind="regex", pattern=r"(attentat) \1")

    with pytest.raises(workflow.InvalidInput) as refusal:
        workflow.save_rule(director, backreference)

    assert "not a valid regular expression" in str(refusal.value)
    assert not SensitivityRule.objects.exists()


def test_a_rule_changed_in_the_workspace_is_audited_through_the_same_function(client, head):
    rule = SensitivityRuleFactory()
    client.force_login(head)

    client.post(reverse("workspace-rule-switch", args=[rule.pk]), {"active": "0"})
    client.post(reverse("workspace-rule-edit", args=[rule.pk]), rule_form(pattern="attentats"))

    assert [(e.action, e.actor) for e in entries_for(rule)] == [
        ("switch_off_rule", head),
        ("edit_rule", head),
    ]
    assert PostFactory(body="Deux attentats.").pk  # the rule still exists, switched off
