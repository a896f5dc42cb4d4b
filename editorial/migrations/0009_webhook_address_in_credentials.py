"""A webhook's address carries the receiver's token (Slack, Mattermost and Teams put it in
the path): it moves from the plain `endpoint_url` column into the encrypted credentials.
Each webhook channel also gets its format (generic, as every one was until now) and a
signing secret, so that it keeps posting exactly as before, now signed; an
administrator gives the receiver a secret by typing it, or by making a new one, on the
channel's page.

Encrypting needs `CADENCE_CREDENTIALS_KEYS` (or DEBUG): without a key, the migration
stops and says so rather than dropping an address it could not keep."""

import secrets

from django.db import migrations

from editorial import credentials


def _keys_required():
    raise RuntimeError(
        "Moving the webhook addresses into the encrypted credentials needs an encryption "
        f"key: set {credentials.ENVIRONMENT_VARIABLE} and run the migration again."
    )


def _readable(token: str) -> dict:
    try:
        return credentials.decrypt(token) if token else {}
    except credentials.InvalidToken:
        return {}  # no key opens them: they had to be entered again anyway


def move_into_credentials(apps, schema_editor):
    Channel = apps.get_model("editorial", "Channel")
    for channel in Channel.objects.filter(network="webhook").iterator():
        try:
            kept = _readable(channel.encrypted_credentials)
            if channel.endpoint_url:
                kept["endpoint_url"] = channel.endpoint_url
            kept.setdefault("signing_secret", secrets.token_urlsafe(32))
            channel.encrypted_credentials = credentials.encrypt(kept)
        except credentials.KeysMissing:
            _keys_required()
        channel.settings = {"webhook_format": "generic", **(channel.settings or {})}
        channel.endpoint_url = ""
        channel.save(update_fields=["encrypted_credentials", "settings", "endpoint_url"])


def move_back(apps, schema_editor):
    Channel = apps.get_model("editorial", "Channel")
    for channel in Channel.objects.filter(network="webhook").exclude(encrypted_credentials=""):
        try:
            kept = credentials.decrypt(channel.encrypted_credentials)
        except credentials.KeysMissing:
            _keys_required()
        channel.endpoint_url = kept.pop("endpoint_url", "")
        channel.encrypted_credentials = credentials.encrypt(kept) if kept else ""
        channel.save(update_fields=["encrypted_credentials", "endpoint_url"])


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0008_channel_settings_and_credentials"),
    ]

    operations = [
        migrations.RunPython(move_into_credentials, move_back),
        migrations.RemoveField(model_name="channel", name="endpoint_url"),
    ]
