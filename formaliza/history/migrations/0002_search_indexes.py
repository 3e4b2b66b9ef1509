"""Indexes the history's search needs on tables of the apps below it (see docs/history.md).

- "Nome" (part of the contact's name, case-insensitive): on PostgreSQL a trigram GIN index on
  contacts_contact.name lets `ILIKE '%...%'` use an index. SQLite has no trigram index: it scans
  the tenant's contacts (a far smaller table than conversations or messages).
- "E-mail": the contact's registered e-mails by (tenant, address), on both databases.
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS history_contact_name_trgm ON contacts_contact "
    "USING gin (name gin_trgm_ops)",
]
PG_BACKWARD = ["DROP INDEX IF EXISTS history_contact_name_trgm"]
BOTH_FORWARD = [
    "CREATE INDEX IF NOT EXISTS history_contactemail_address ON contacts_contactemail "
    "(tenant_id, address)",
]
BOTH_BACKWARD = ["DROP INDEX IF EXISTS history_contactemail_address"]


def _run(statements_pg, statements_both):
    def run(apps, schema_editor):
        statements = list(statements_both)
        if schema_editor.connection.vendor == "postgresql":
            statements += statements_pg
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("history", "0001_initial"),
        ("contacts", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(_run(PG_FORWARD, BOTH_FORWARD), _run(PG_BACKWARD, BOTH_BACKWARD)),
    ]
