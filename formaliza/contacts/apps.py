from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "formaliza.contacts"
    label = "contacts"
    verbose_name = "Contatos"

    def ready(self) -> None:
        # Database functions for the search on SQLite (not a domain effect: a connection setup).
        from django.db.backends.signals import connection_created

        from formaliza.contacts.sqlite import register_functions

        connection_created.connect(register_functions, dispatch_uid="contacts_sqlite_functions")
