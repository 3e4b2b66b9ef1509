from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "formaliza.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks de saída"
