"""Trigram indexes for the post list's search, on PostgreSQL only.

The search is `icontains` on the title, the text and the channels' own texts, which
Django writes as `UPPER(column::text) LIKE UPPER('%…%')`: a B-tree cannot serve a
leading wildcard, a GIN trigram index on the same `UPPER(column)` expression can (for
three characters or more, which the form requires). Full-text search was the other
choice; it matches whole words after stemming, while people search for fragments
(a street, a hashtag, part of a name) and expect the same results on every database.
SQLite (development, tests) scans, which is fine at its sizes.
"""

from django.db import migrations

INDEXES = {
    "post_title_trgm_idx": ("editorial_post", "title"),
    "post_body_trgm_idx": ("editorial_post", "body"),
    "postvariant_body_trgm_idx": ("editorial_postvariant", "body"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin (UPPER("{column}") gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("editorial", "0004_posts_without_a_time_last")]

    operations = [migrations.RunPython(create, drop)]
