from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "formaliza.api"
    label = "api"
    verbose_name = "API pública"
