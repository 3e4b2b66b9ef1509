from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "formaliza.cases"
    label = "cases"
    verbose_name = "Casos (revisão de benefícios)"
