"""The settings pages in a browser: each loads for the role that owns it and passes
axe-core; the rule test box answers as one types; a French user reads them in French."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from accounts.models import User
from accounts.roles import Role
from tests.browser.conftest import assert_accessible, login_as, set_language
from tests.factories import CampaignFactory, ChannelFactory, SensitivityRuleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def visit(page, url: str, heading: str) -> None:
    response = page.goto(url)
    assert response.status == 200, f"{url} answered {response.status}"
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    assert_accessible(page)


def test_the_heads_settings_pages(page, head, dept_a, contrib_a, national):
    rule = SensitivityRuleFactory(pattern="attentat", topic="Terrorisme")
    channel = ChannelFactory(name="Police 67", department=dept_a)
    campaign = CampaignFactory(name="Recrutement", department=national)
    login_as(page, head)
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    assert_accessible(page)

    visit(page, "/workspace/rules/", "Sensitivity rules")
    page.get_by_label("Sample text").fill("Bilan : deux attentats déjoués.")
    result = page.get_by_test_id("rule-test-result")
    expect(result.locator("mark")).to_have_text("attentats")  # no submit: as one types
    expect(result).to_contain_text("Terrorisme")
    assert_accessible(page)
    page.get_by_label("Sample text").fill("Rien à signaler.")
    expect(page.get_by_test_id("no-match")).to_be_visible()

    visit(page, "/workspace/rules/new/", "New rule")
    page.get_by_role("button", name="Save the rule").click()  # nothing typed
    expect(page.locator(".errorlist").first).to_be_visible()
    assert_accessible(page)
    visit(page, f"/workspace/rules/{rule.pk}/", "Edit rule")
    page.get_by_label("Word, phrase or pattern").fill("garde à vue")
    page.get_by_label("Sample text").fill("Une GARDE A VUE cette nuit.")
    expect(page.get_by_test_id("rule-test-result").locator("mark")).to_have_text("GARDE A VUE")
    assert_accessible(page)
    visit(page, "/workspace/channels/", "Channels")
    visit(page, "/workspace/channels/new/", "New channel")
    visit(page, f"/workspace/channels/{channel.pk}/", "Police 67")
    visit(page, "/workspace/campaigns/", "Campaigns")
    visit(page, "/workspace/campaigns/new/", "New campaign")
    visit(page, f"/workspace/campaigns/{campaign.pk}/", "Recrutement")
    visit(page, "/workspace/people/", "People")
    visit(page, f"/workspace/people/{contrib_a.pk}/", "Role and departments")
    visit(page, "/workspace/departments/", "Departments")
    visit(page, "/workspace/departments/new/", "New department")
    visit(page, f"/workspace/departments/{dept_a.pk}/", "Rename")
    visit(page, "/workspace/account/", "My account")
    visit(page, "/workspace/account/password/", "Change my password")


def test_the_administrator_invites_someone(page, admin_user, dept_a):
    login_as(page, admin_user)
    visit(page, "/workspace/people/invite/", "Invite someone")
    page.get_by_label("E-mail address").fill("lea.martin@example.org")
    page.get_by_label("Department contributor").check()
    page.get_by_role("button", name="Send the invitation").click()  # no department
    expect(page.get_by_text("Choose at least one department.")).to_be_visible()
    expect(page.get_by_label("E-mail address")).to_have_value("lea.martin@example.org")
    assert_accessible(page)
    page.get_by_label(dept_a.name).check()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to lea.martin@example.org")
    assert_accessible(page)


def test_an_invited_person_chooses_their_password(page, dept_a):
    person = UserFactory(username="lea@example.org", role=Role.CONTRIBUTOR, department=dept_a)
    User.objects.filter(pk=person.pk).update(is_active=False, password="!invited")
    person.refresh_from_db()
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    page.goto(f"/workspace/invitation/{uid}/{default_token_generator.make_token(person)}/")
    set_language(page, "fr")  # the header's switch works before signing in too
    expect(page.get_by_role("heading", level=1)).to_have_text("Choisissez votre mot de passe")
    assert_accessible(page)
    page.locator("input[name=new_password1]").fill("Bas-Rhin 2030 !")
    page.locator("input[name=new_password2]").fill("Bas-Rhin 2030 !")
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(page.get_by_role("status")).to_contain_text("Bienvenue sur Cadence")


def test_a_contributor_has_only_their_account_in_french(page, contrib_a):
    login_as(page, contrib_a, language="fr")
    expect(page.get_by_role("link", name="Paramètres")).to_have_count(0)
    page.get_by_role("link", name="Mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    assert_accessible(page)
    page.get_by_role("combobox", name="Fuseau horaire").select_option("America/Cayenne")
    page.get_by_role("button", name="Enregistrer le fuseau horaire").click()
    expect(page.get_by_role("status")).to_contain_text(re.compile("America/Cayenne"))
    response = page.goto("/workspace/rules/")
    assert response.status == 403
    assert_accessible(page)
