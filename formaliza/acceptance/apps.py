from django.apps import AppConfig


class AcceptanceConfig(AppConfig):
    name = "formaliza.acceptance"
    label = "acceptance"
    verbose_name = "Base de contatos e aceite digital"
