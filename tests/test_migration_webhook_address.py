"""Migration 0009: the webhooks made before it keep posting to the same address, now
kept encrypted, in the generic format, signed; and it can be undone."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from editorial import credentials

BEFORE = [("editorial", "0008_channel_settings_and_credentials")]
AFTER = [("editorial", "0009_webhook_address_in_credentials")]
ADDRESS = "https://hooks.slack.example/services/T000/B000/s3cr3t"


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_webhook_address_moves_into_the_encrypted_credentials_and_back():
    try:
        old = migrate(BEFORE)
        # Historical models only: no factory (its permissions may have been flushed).
        group = old.get_model("auth", "Group").objects.create(name="DDSP 67")
        department = old.get_model("accounts", "Department").objects.create(
            name="DDSP 67", code="ddsp-67", group_id=group.pk
        )
        old.get_model("editorial", "Channel").objects.create(
            name="Alertes",
            network="webhook",
            handle="alertes",
            department_id=department.pk,
            endpoint_url=ADDRESS,
        )

        new = migrate(AFTER)
        # The historical model (later migrations add columns the current one reads).
        channel = new.get_model("editorial", "Channel").objects.get()
        secrets = credentials.decrypt(channel.encrypted_credentials)
        assert secrets["endpoint_url"] == ADDRESS
        assert len(secrets["signing_secret"]) >= 32
        assert channel.settings == {"webhook_format": "generic"}
        assert "s3cr3t" not in channel.encrypted_credentials

        back = migrate(BEFORE)
        assert back.get_model("editorial", "Channel").objects.get().endpoint_url == ADDRESS
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
