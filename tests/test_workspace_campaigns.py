"""The campaigns page: the community manager and the head of communication list,
create and edit campaigns."""

import datetime

import pytest
from django.http import Http404
from django.urls import reverse

from editorial.audit import entries_for
from editorial.models import Campaign
from tests.factories import CampaignFactory
from workspace.access import campaign_or_404


@pytest.fixture
def campaign(national):
    return CampaignFactory(name="Recrutement 2030", department=national)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["cm", "head", "admin_user"])
def test_the_cm_and_the_head_list_campaigns(client, persona, request, campaign):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("workspace-campaigns"))
    assert response.status_code == 200
    assert "Recrutement 2030" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["director", "contrib_a", "outsider"])
def test_other_roles_may_not_manage_campaigns(client, persona, request, campaign, national):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("workspace-campaigns")).status_code == 403
    response = client.post(
        reverse("workspace-campaign-edit", args=[campaign.pk]),
        {"name": "Pris", "department": str(national.pk)},
    )
    assert response.status_code == 403
    campaign.refresh_from_db()
    assert campaign.name == "Recrutement 2030"


def test_the_cm_creates_and_renames_a_campaign(client, cm, dept_a):
    client.force_login(cm)
    response = client.post(
        reverse("workspace-campaign-create"),
        {
            "name": "Prévention cambriolages",
            "description": "Cinq directs.",
            "department": str(dept_a.pk),
            "starts_on": "2030-03-01",
            "ends_on": "2030-03-31",
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.starts_on == datetime.date(2030, 3, 1) and campaign.department == dept_a
    response = client.post(
        reverse("workspace-campaign-edit", args=[campaign.pk]),
        {"name": "Prévention vols", "department": str(dept_a.pk), "starts_on": "2030-03-01"},
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.ends_on) == ("Prévention vols", None)
    assert [e.action for e in entries_for(campaign)] == ["create_campaign", "edit_campaign"]


def test_a_campaign_ending_before_it_starts_is_refused_and_keeps_what_was_typed(
    client, head, national
):
    client.force_login(head)
    response = client.post(
        reverse("workspace-campaign-create"),
        {
            "name": "À l'envers",
            "department": str(national.pk),
            "starts_on": "2030-03-31",
            "ends_on": "2030-03-01",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot end before it starts" in page
    assert 'value="2030-03-31"' in page and "À l&#x27;envers" in page
    assert not Campaign.objects.exists()


def test_a_campaign_that_does_not_exist_is_404(client, cm):
    client.force_login(cm)
    assert client.get(reverse("workspace-campaign-edit", args=[999])).status_code == 404


def test_another_departments_campaign_is_hidden_but_a_national_one_is_not(
    contrib_b, dept_a, campaign
):
    local = CampaignFactory(department=dept_a)
    with pytest.raises(Http404):
        campaign_or_404(contrib_b, local.pk)
    assert campaign_or_404(contrib_b, campaign.pk) == campaign


def test_the_campaign_form_takes_get_and_post_only(client, cm):
    client.force_login(cm)
    assert client.delete(reverse("workspace-campaign-create")).status_code == 405
