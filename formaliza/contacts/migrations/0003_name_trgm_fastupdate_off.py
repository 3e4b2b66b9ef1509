"""Contact search (issue 14): the name trigram index without GIN's pending list.

With `fastupdate` (the default) new rows go to a pending list that every search reads linearly
until autovacuum merges it: after a bulk import, name searches slow down by the size of the
import. The index is read on every name search and written once per new or renamed contact,
so it is kept merged (`fastupdate = off`). PostgreSQL only, like the index (migration 0002)."""

from django.db import migrations

from formaliza.contacts.migrations._postgres import PostgresOnlySQL


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0002_search_public_id_and_folded_name"),
    ]

    operations = [
        PostgresOnlySQL(
            "ALTER INDEX contact_name_search_trgm SET (fastupdate = off)",
            "ALTER INDEX contact_name_search_trgm RESET (fastupdate)",
        ),
    ]
