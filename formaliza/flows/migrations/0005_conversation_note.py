# The notes of a conversation moved to the conversation layer (the inbox lives there now): copy
# them over, then drop the flows table. The run that wrote a note stays as a plain id.

from django.db import migrations

FIELDS = ("id", "tenant_id", "conversation_id", "run_id", "kind", "text", "author_id", "created_at")


def copy_notes(apps, schema_editor):
    old = apps.get_model("flows", "ConversationNote")
    new = apps.get_model("conversations", "ConversationNote")
    batch = [new(**row) for row in old.objects.order_by("pk").values(*FIELDS).iterator()]
    new.objects.bulk_create(batch, batch_size=1000)
    if batch and schema_editor.connection.vendor == "postgresql":
        table = new._meta.db_table
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table}"  # noqa: S608
            )


def copy_notes_back(apps, schema_editor):
    old = apps.get_model("flows", "ConversationNote")
    new = apps.get_model("conversations", "ConversationNote")
    known_runs = set(apps.get_model("flows", "FlowRun").objects.values_list("pk", flat=True))
    batch = []
    for row in new.objects.order_by("pk").values(*FIELDS).iterator():
        if row["run_id"] not in known_runs:
            row["run_id"] = None
        batch.append(old(**row))
    old.objects.bulk_create(batch, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("flows", "0004_merge_0002_interaction_0003_system"),
        ("conversations", "0005_conversation_note"),
    ]

    operations = [
        migrations.RunPython(copy_notes, copy_notes_back),
        migrations.DeleteModel(name="ConversationNote"),
    ]
