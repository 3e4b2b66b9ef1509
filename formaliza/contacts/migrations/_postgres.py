"""Migration helpers of the contacts app (not a migration: the name starts with "_")."""

from django.db import migrations


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that only runs on PostgreSQL (trigram indexes have no SQLite form)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
