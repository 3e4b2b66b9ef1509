from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "formaliza.payments"
    label = "payments"
    verbose_name = "Pagamentos"
