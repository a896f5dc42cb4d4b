"""Channels in the admin: the network's configuration is checked as on the channels
page (a webhook without its address is refused on that field, what was typed kept),
and the address, which carries the receiver's secret, is written, never shown."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from editorial.audit import entries_for
from editorial.models import AuditEntry, Channel, Network
from tests.factories import WebhookChannelFactory

SECRET = "https://hooks.slack.example/services/T000/B000/s3cr3t-t0k3n"
ADD = reverse("admin:editorial_channel_add")

pytestmark = pytest.mark.django_db


def _data(department, **overrides) -> dict:
    return {
        "name": "Alertes 67",
        "network": Network.WEBHOOK,
        "handle": "alertes67",
        "webhook_format": "generic",
        "department": department.pk,
        "is_active": "on",
        **overrides,
    }


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_a_webhook_channel_without_an_address_is_refused_on_that_field(admin_client, dept_a):
    response = admin_client.post(ADD, _data(dept_a))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {"endpoint_url": ["A webhook channel needs the address it posts to."]}
    assert 'value="Alertes 67"' in response.content.decode()
    assert not Channel.objects.exists()


def test_a_webhook_channel_with_its_address_is_saved_and_the_address_never_shown(
    admin_client, dept_a
):
    response = admin_client.post(ADD, _data(dept_a, endpoint_url=SECRET))

    assert response.status_code == 302
    channel = Channel.objects.get()
    assert channel.credentials["endpoint_url"] == SECRET
    page = admin_client.get(reverse("admin:editorial_channel_change", args=[channel.pk]))
    assert page.status_code == 200
    assert "s3cr3t" not in page.content.decode()


def test_creating_and_changing_a_channel_in_the_admin_is_audited_without_its_secret(
    admin_client, admin_user, dept_a
):
    admin_client.post(ADD, _data(dept_a, endpoint_url=SECRET))
    channel = Channel.objects.get()
    change = reverse("admin:editorial_channel_change", args=[channel.pk])
    admin_client.post(change, _data(dept_a, name="Alertes du 67", endpoint_url=SECRET + "2"))

    created, edited = entries_for(channel).order_by("seq")
    assert (created.action, created.actor) == ("create_channel", admin_user)
    assert created.data["endpoint_url"] == "(changed)"
    assert edited.action == "edit_channel" and edited.data["name"] == "Alertes du 67"
    assert not AuditEntry.objects.filter(data__icontains="s3cr3t").exists()


def test_saving_a_webhook_channel_without_a_new_address_keeps_the_stored_one(admin_client, dept_a):
    hook = WebhookChannelFactory(department=dept_a, endpoint_url=SECRET)
    change = reverse("admin:editorial_channel_change", args=[hook.pk])

    response = admin_client.post(change, _data(dept_a, name="Alertes Bas-Rhin", handle=hook.handle))

    assert response.status_code == 302
    hook.refresh_from_db()
    assert (hook.name, hook.credentials["endpoint_url"]) == ("Alertes Bas-Rhin", SECRET)
    entry = LogEntry.objects.get(object_id=str(hook.pk))
    assert entry.get_change_message() == "Changed Name."
