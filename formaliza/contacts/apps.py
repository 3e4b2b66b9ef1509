from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "formaliza.contacts"
    label = "contacts"
    verbose_name = "Contatos"
