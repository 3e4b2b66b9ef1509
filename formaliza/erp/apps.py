from django.apps import AppConfig


class ErpConfig(AppConfig):
    name = "formaliza.erp"
    label = "erp"
    verbose_name = "ERP de provedores"
