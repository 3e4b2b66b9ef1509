from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "formaliza.proposals"
    label = "proposals"
    verbose_name = "Propostas"
