from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "formaliza.accounts"
    label = "accounts"
    verbose_name = "Contas"
