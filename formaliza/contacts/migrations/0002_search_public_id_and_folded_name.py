"""Contact search (issue 14): the public ID, the folded name and their indexes.

PostgreSQL also gets pg_trgm and unaccent (the extension operations do nothing elsewhere) and a
GIN trigram index on the folded name; the backfill uses unaccent there, Python elsewhere."""

import uuid

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations, models

from formaliza.contacts.migrations._postgres import PostgresOnlySQL


def backfill(apps, schema_editor):
    from formaliza.contacts.folding import fold

    Contact = apps.get_model("contacts", "Contact")
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "UPDATE contacts_contact SET public_id = gen_random_uuid(), "
                "name_search = left(regexp_replace(lower(unaccent(trim(name))), '\\s+', ' ', 'g'), 200)"
            )
        return
    for contact in Contact.objects.only("pk", "name").iterator():
        Contact.objects.filter(pk=contact.pk).update(
            public_id=uuid.uuid4(), name_search=fold(contact.name)[:200]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0001_initial"),
    ]

    operations = [
        TrigramExtension(),
        UnaccentExtension(),
        migrations.AddField(
            model_name="contact",
            name="public_id",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.AddField(
            model_name="contact",
            name="name_search",
            field=models.CharField(blank=True, editable=False, max_length=200, default=""),
            preserve_default=False,
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="contact",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["tenant", "name_search"], name="contact_name_search"),
        ),
        migrations.AddIndex(
            model_name="contactemail",
            index=models.Index(fields=["tenant", "address"], name="contact_email_tenant_address"),
        ),
        PostgresOnlySQL(
            "CREATE INDEX contact_name_search_trgm ON contacts_contact "
            "USING gin (name_search gin_trgm_ops)",
            "DROP INDEX IF EXISTS contact_name_search_trgm",
        ),
    ]
