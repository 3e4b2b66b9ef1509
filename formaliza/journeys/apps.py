from django.apps import AppConfig


class JourneysConfig(AppConfig):
    name = "formaliza.journeys"
    verbose_name = "Jornadas de formalização"
