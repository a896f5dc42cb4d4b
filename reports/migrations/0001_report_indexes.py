"""Indexes for the reports' period filters on editorial's tables.

The reports filter publications by the time they were sent and the audit trail by the
time of its entries, which editorial's own indexes do not cover. The reports app
creates them here, so that editorial's migrations do not depend on a reader of its
data; plain SQL that both SQLite and PostgreSQL understand."""

from django.db import migrations

INDEXES = [
    ("reports_publication_sent_idx", "editorial_publication", "sent_at", "state = 'sent'"),
    ("reports_audit_created_idx", "editorial_auditentry", "created_at", None),
]


def _create(name, table, column, where):
    condition = f" WHERE {where}" if where else ""
    return f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column}){condition}"


class Migration(migrations.Migration):
    dependencies = [("editorial", "0011_oauth_networks")]

    operations = [
        migrations.RunSQL(_create(*index), f"DROP INDEX IF EXISTS {index[0]}") for index in INDEXES
    ]
