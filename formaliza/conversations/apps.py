from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "formaliza.conversations"
    label = "conversations"
    verbose_name = "Conversas"
