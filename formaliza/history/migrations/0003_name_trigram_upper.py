"""The name search's trigram index on the expression Django's `icontains` compares.

`name__icontains` becomes `UPPER(name::text) LIKE UPPER('%...%')` on PostgreSQL, which the index
of 0002 (on `name` itself) cannot serve: measured on 10 million messages, the name filter took
550 ms with it and ~30 ms with this one (docs/benchmarks.md). PostgreSQL only; nothing on SQLite.
"""

from django.db import migrations

FORWARD = [
    "DROP INDEX IF EXISTS history_contact_name_trgm",
    "CREATE INDEX IF NOT EXISTS history_contact_name_upper_trgm ON contacts_contact "
    "USING gin ((UPPER(name::text)) gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS history_contact_name_upper_trgm",
    "CREATE INDEX IF NOT EXISTS history_contact_name_trgm ON contacts_contact "
    "USING gin (name gin_trgm_ops)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("history", "0002_search_indexes")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
