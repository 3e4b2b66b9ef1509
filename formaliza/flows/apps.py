from django.apps import AppConfig


class FlowsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "formaliza.flows"
    verbose_name = "Fluxos"

    def ready(self) -> None:
        # Card types register themselves on import; the registry must be complete before any
        # flow is parsed or run.
        from formaliza.flows import cards  # noqa: F401
