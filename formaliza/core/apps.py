from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "formaliza.core"
    label = "core"
    verbose_name = "Núcleo"
