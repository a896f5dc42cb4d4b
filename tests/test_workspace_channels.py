"""The channels page: the head of communication and the administrator list, create and
edit channels; a webhook's address (its secret) is written, never shown back."""

import pytest
from django.http import Http404
from django.urls import reverse

from editorial.audit import entries_for
from editorial.models import Channel, Network
from tests.factories import WebhookChannelFactory
from workspace.access import channel_or_404

SECRET = "https://hooks.slack.example/services/T000/B000/s3cr3t-t0k3n"


@pytest.fixture
def webhook(dept_a):
    return WebhookChannelFactory(name="Alertes 67", department=dept_a, endpoint_url=SECRET)


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
    assert "Alertes 67" in page and "credentials set" in page
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
    data = _data(
        dept_a,
        name="Alertes Bas-Rhin",
        network=Network.WEBHOOK,
        handle="alertes",
        webhook_format="generic",
    )
    data.pop("is_active")
    response = client.post(reverse("workspace-channel-edit", args=[webhook.pk]), data)
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert (webhook.name, webhook.credentials["endpoint_url"], webhook.is_active) == (
        "Alertes Bas-Rhin",
        SECRET,
        False,
    )
    new = "https://hooks.slack.example/services/T000/B000/n3w"
    client.post(reverse("workspace-channel-edit", args=[webhook.pk]), {**data, "endpoint_url": new})
    webhook.refresh_from_db()
    assert webhook.credentials["endpoint_url"] == new
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
    assert channel.network == Network.MASTODON
    assert "endpoint_url" not in channel.credentials
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


def test_a_new_generic_webhook_gets_a_signing_secret_shown_once(client, head, dept_a):
    client.force_login(head)
    data = _data(
        dept_a,
        network=Network.WEBHOOK,
        name="Alertes",
        webhook_format="generic",
        endpoint_url=SECRET,
    )
    response = client.post(reverse("workspace-channel-create"), data)

    channel = Channel.objects.get()
    secret = channel.credentials["signing_secret"]
    assert response.status_code == 200
    assert len(secret) >= 32 and secret in response.content.decode()
    again = client.get(reverse("workspace-channel-edit", args=[channel.pk])).content.decode()
    assert secret not in again
    assert all(secret not in str(entry.data) for entry in entries_for(channel))


def test_a_typed_signing_secret_is_kept_and_nothing_is_shown(client, head, dept_a):
    client.force_login(head)
    typed = "the-secret-agreed-with-the-receiver"
    data = _data(
        dept_a,
        network=Network.WEBHOOK,
        name="Alertes",
        webhook_format="generic",
        endpoint_url=SECRET,
        signing_secret=typed,
    )
    response = client.post(reverse("workspace-channel-create"), data)

    assert response.status_code == 302
    assert Channel.objects.get().credentials["signing_secret"] == typed


def test_a_slack_webhook_needs_no_signing_secret(client, head, dept_a):
    client.force_login(head)
    data = _data(
        dept_a, network=Network.WEBHOOK, name="Slack", webhook_format="slack", endpoint_url=SECRET
    )
    response = client.post(reverse("workspace-channel-create"), data)

    channel = Channel.objects.get()
    assert response.status_code == 302
    assert channel.settings["webhook_format"] == "slack"
    assert channel.credentials == {"endpoint_url": SECRET}


def test_making_a_new_signing_secret_replaces_the_old_and_shows_it_once(
    client, head, webhook, dept_a
):
    client.force_login(head)
    old = webhook.credentials["signing_secret"]
    data = _data(
        dept_a,
        network=Network.WEBHOOK,
        name="Alertes 67",
        handle=webhook.handle,
        webhook_format="generic",
        new_signing_secret="on",
    )
    response = client.post(reverse("workspace-channel-edit", args=[webhook.pk]), data)

    webhook.refresh_from_db()
    new = webhook.credentials["signing_secret"]
    assert new != old and new in response.content.decode()
    assert webhook.credentials["endpoint_url"] == SECRET
