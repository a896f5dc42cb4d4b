"""Each network is one package under `editorial/channels/`: its adapter (with the
network's limits) and its configuration schema; the registry maps the network to the
adapter and everything else (limits shown and checked, the configuration the channel
forms ask for) follows from that one line."""

from __future__ import annotations

import importlib

import pytest
from django import forms

from editorial.channels import (
    ADAPTERS,
    MissingAdapter,
    adapter_class,
    adapter_for,
    config_for,
    secret_fields,
)
from editorial.channels.base import ChannelAdapter, ChannelConfig, Outgoing, Result
from editorial.channels.planned import PLANNED
from editorial.channels.webhook import WebhookAdapter, WebhookConfig
from editorial.content import channel_publish_problem, content_problems
from editorial.models import Channel, Network
from tests.factories import PostFactory, WebhookChannelFactory

ADDRESS = "https://hooks.chat.example/services/T0/B0/s3cr3t"


@pytest.mark.parametrize("network", sorted(ADAPTERS))
def test_every_network_with_an_adapter_is_a_package_exporting_it_and_its_schema(network):
    adapter = ADAPTERS[network]
    package = importlib.import_module(f"editorial.channels.{network}")

    assert adapter.network == network
    assert adapter.__module__ == f"{package.__name__}.adapter"
    assert getattr(package, adapter.__name__) is adapter
    assert issubclass(adapter.config, ChannelConfig)
    assert adapter.config.__module__ == f"{package.__name__}.config"
    assert getattr(package, adapter.config.__name__) is adapter.config


@pytest.mark.parametrize("network", Network.values)
def test_every_network_cadence_lists_declares_its_limits_on_its_class(network):
    adapter = adapter_class(network)

    assert (network in ADAPTERS) != (network in PLANNED)
    assert adapter.network == network
    assert isinstance(adapter.text_limit, int) and adapter.text_limit > 0
    assert isinstance(adapter.media_limit, int) and adapter.media_limit >= 0


def test_a_network_cadence_does_not_know_gets_the_bare_missing_adapter_and_no_limits():
    adapter = adapter_for(Channel(name="Ancien", network="myspace"))

    assert type(adapter) is MissingAdapter
    assert adapter.validate("x" * 100_000, 50) == []


@pytest.mark.django_db
def test_the_limits_checked_and_shown_are_the_adapter_classes(monkeypatch, dept_a):
    monkeypatch.setattr(WebhookAdapter, "text_limit", 12)
    monkeypatch.setattr(WebhookAdapter, "media_limit", 0)
    hook = WebhookChannelFactory(department=dept_a, endpoint_url=ADDRESS)
    post = PostFactory(origin_department=dept_a, body="Treize lettres", channels=[hook])

    assert (hook.text_limit, hook.media_limit) == (12, 0)
    assert content_problems(post) == [f"{hook} accepts 12 characters, the text has 14."]
    assert adapter_for(hook).validate("", 1) == [f"{hook} accepts 0 images, the post has 1."]


def test_an_adapter_that_counts_otherwise_is_measured_its_way():
    class Words(WebhookAdapter):
        text_limit = 3

        def text_length(self, text: str) -> int:
            return len(text.split())

    adapter = Words(Channel(name="Mots", network=Network.WEBHOOK))

    assert adapter.validate("une deux trois", 0) == []
    assert adapter.validate("une deux trois quatre", 0) == [
        "Mots (Webhook (Slack, Mattermost, Teams)) accepts 3 characters, the text has 4."
    ]


def test_adding_a_network_is_its_adapter_and_one_registry_line(monkeypatch):
    class XConfig(ChannelConfig):
        endpoint_url = forms.URLField(
            assume_scheme="https", error_messages={"required": "Which address?"}
        )

    class XAdapter(ChannelAdapter):
        network = Network.X
        text_limit, media_limit = 280, 4
        config = XConfig

        def publish(self, outgoing: Outgoing) -> Result:
            return Result(external_id="1")

    channel = Channel(name="Police 67", network=Network.X, handle="@police67")
    assert channel_publish_problem(channel) is not None

    monkeypatch.setitem(ADAPTERS, Network.X, XAdapter)

    assert channel_publish_problem(channel) is None
    assert isinstance(adapter_for(channel), XAdapter)
    config = config_for(Network.X)({}, channel=channel)
    assert not config.is_valid()
    assert config.errors == {"endpoint_url": ["Which address?"]}


def test_the_webhook_schema_asks_for_an_http_address_and_keeps_a_stored_one():
    new = Channel(name="Alertes", network=Network.WEBHOOK)
    missing = WebhookConfig({"endpoint_url": ""}, channel=new)
    ftp = WebhookConfig({"endpoint_url": "ftp://files.example/hook"}, channel=new)
    stored = Channel(name="Alertes", network=Network.WEBHOOK)
    stored.set_credentials({"endpoint_url": ADDRESS, "signing_secret": "kept-secret-0123456789"})
    kept = WebhookConfig({"endpoint_url": ""}, channel=stored)

    assert missing.errors == {"endpoint_url": ["A webhook channel needs the address it posts to."]}
    assert list(ftp.errors) == ["endpoint_url"]
    assert kept.is_valid()
    kept.apply(stored)
    assert stored.credentials == {
        "endpoint_url": ADDRESS,
        "signing_secret": "kept-secret-0123456789",
    }
    assert "s3cr3t" not in str(kept)
    assert "endpoint_url" in secret_fields()
