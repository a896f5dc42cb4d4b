from django.db import migrations, models

from editorial import sealing

# PostgreSQL refuses to change or remove an audit entry, whoever asks, short of the
# table's owner disabling the trigger (docs/deploy.md: the application's role is not
# the owner). Row-level, so TRUNCATE (owner only) still empties a test database.
APPEND_ONLY = """
CREATE OR REPLACE FUNCTION cadence_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON editorial_auditentry
    FOR EACH ROW EXECUTE FUNCTION cadence_audit_append_only();
"""
DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS audit_append_only ON editorial_auditentry;
DROP FUNCTION IF EXISTS cadence_audit_append_only();
"""


def seal_existing(apps, schema_editor):
    """Entries written before the seal existed are sealed with the key configured now."""
    AuditEntry = apps.get_model("editorial", "AuditEntry")
    for entry in AuditEntry.objects.filter(seal="").only("pk", "entry_hash").iterator():
        AuditEntry.objects.filter(pk=entry.pk).update(seal=sealing.seal(entry.entry_hash))


def append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY, params=None)


def not_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_APPEND_ONLY, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0009_webhook_address_in_credentials"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="seal",
            field=models.CharField(default="", editable=False, max_length=64),
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        migrations.RunPython(append_only, not_append_only),
    ]
