from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "formaliza.demo"
    label = "demo"
    verbose_name = "Dados de demonstração"
