from django.apps import AppConfig


class HistoryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "formaliza.history"
    verbose_name = "Histórico e portal de envio"
