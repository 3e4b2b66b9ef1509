from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "formaliza.evidence"
    label = "evidence"
    verbose_name = "Evidências"
