from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "formaliza.triage"
    label = "triage"
    verbose_name = "Triagem (pedidos de certificado digital)"
