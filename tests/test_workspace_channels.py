"""The channels page: the head of communication and the administrator list, create and
edit channels; a webhook's address (its secret) is written, never shown back."""

import pytest
from django.http import Http404
from django.urls import reverse

from editorial.audit import entries_for
from editorial.models import Channel, Network
from tests.factories import ChannelFactory
from workspace.access import channel_or_404

SECRET = "https://hooks.slack.example/services/T000/B000/s3cr3t-t0k3n"


@pytest.fixture
def webhook(dept_a):
    return ChannelFactory(
        name="Alertes 67", network=Network.WEBHOOK, department=dept_a, endpoint_url=SECRET
    )


def _data(department, **overrides):
    return {
        "name": "Police 33",
        "network": Network.MASTODON,
        "handle": "@police33@social.example",
        "instance_url": "https://social.example",
        "access_token": "tok-police33-never-shown",
        "department": str(department.pk),
        "is_active": "on",
        **overrides,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["cm", "director", "contrib_a", "contrib_b", "outsider"])
def test_other_roles_see_none_of_the_channels(client, persona, request, webhook, dept_a):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("workspace-channels")).status_code == 403
    assert client.get(reverse("workspace-channel-edit", args=[webhook.pk])).status_code == 403
    response = client.post(reverse("workspace-channel-create"), _data(dept_a))
    assert response.status_code == 403
    assert list(Channel.objects.all()) == [webhook]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["head", "admin_user"])
def test_the_head_and_the_administrator_list_channels_without_their_secret(
    client, persona, request, webhook
):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("workspace-channels"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Alertes 67" in page and "address set" in page
    assert "s3cr3t" not in page
    edit = client.get(reverse("workspace-channel-edit", args=[webhook.pk])).content.decode()
    assert "Alertes 67" in edit and "s3cr3t" not in edit


def test_the_head_creates_a_channel_and_it_is_audited(client, head, dept_a):
    client.force_login(head)
    response = client.post(reverse("workspace-channel-create"), _data(dept_a))
    assert response.status_code == 302
    channel = Channel.objects.get()
    assert (channel.name, channel.department, channel.is_active) == ("Police 33", dept_a, True)
    assert entries_for(channel).get().action == "create_channel"


def test_editing_without_a_new_address_keeps_the_secret_and_audits_no_secret(
    client, head, webhook, dept_a
):
    client.force_login(head)
    data = _data(dept_a, name="Alertes Bas-Rhin", network=Network.WEBHOOK, handle="alertes")
    data.pop("is_active")
    response = client.post(reverse("workspace-channel-edit", args=[webhook.pk]), data)
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert (webhook.name, webhook.endpoint_url, webhook.is_active) == (
        "Alertes Bas-Rhin",
        SECRET,
        False,
    )
    new = "https://hooks.slack.example/services/T000/B000/n3w"
    client.post(reverse("workspace-channel-edit", args=[webhook.pk]), {**data, "endpoint_url": new})
    webhook.refresh_from_db()
    assert webhook.endpoint_url == new
    entries = list(entries_for(webhook))
    assert entries[-1].data == {"endpoint_url": "(changed)"}
    assert all("n3w" not in str(e.data) and "s3cr3t" not in str(e.data) for e in entries)


def test_a_webhook_channel_without_an_address_is_refused_and_keeps_what_was_typed(
    client, head, dept_a
):
    client.force_login(head)
    response = client.post(
        reverse("workspace-channel-create"),
        _data(dept_a, network=Network.WEBHOOK, name="Sans adresse"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "needs the address it posts to" in page
    assert 'value="Sans adresse"' in page
    assert not Channel.objects.exists()


def test_a_handle_already_used_on_the_network_is_refused(client, head, dept_a, channel_a):
    client.force_login(head)
    response = client.post(
        reverse("workspace-channel-create"),
        _data(dept_a, network=channel_a.network, handle=channel_a.handle),
    )
    assert response.status_code == 400
    assert Channel.objects.count() == 1


def test_a_channel_that_does_not_exist_is_404(client, head):
    client.force_login(head)
    assert client.get(reverse("workspace-channel-edit", args=[999])).status_code == 404


def test_another_departments_channel_is_hidden_as_if_it_did_not_exist(contrib_b, webhook):
    with pytest.raises(Http404):
        channel_or_404(contrib_b, webhook.pk)


def test_the_channel_form_takes_get_and_post_only(client, head):
    client.force_login(head)
    assert client.put(reverse("workspace-channel-create")).status_code == 405


def test_an_address_typed_for_a_network_that_takes_none_is_neither_stored_nor_audited(
    client, head, dept_a
):
    client.force_login(head)
    response = client.post(reverse("workspace-channel-create"), _data(dept_a, endpoint_url=SECRET))
    assert response.status_code == 302
    channel = Channel.objects.get()
    assert (channel.network, channel.endpoint_url) == (Network.MASTODON, "")
    assert "endpoint_url" not in entries_for(channel).get().data


def test_a_webhook_address_the_adapter_could_not_post_to_is_refused_on_its_field(
    client, head, dept_a
):
    client.force_login(head)
    data = _data(dept_a, network=Network.WEBHOOK, endpoint_url="ftp://files.example/hook")
    response = client.post(reverse("workspace-channel-create"), data)
    assert response.status_code == 400
    assert response.context["form"].errors == {"endpoint_url": ["Enter a valid URL."]}
    assert not Channel.objects.exists()
