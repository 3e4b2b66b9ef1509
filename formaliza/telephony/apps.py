from django.apps import AppConfig


class TelephonyConfig(AppConfig):
    name = "formaliza.telephony"
    label = "telephony"
    verbose_name = "Telefonia"
