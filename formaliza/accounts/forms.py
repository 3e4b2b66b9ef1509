from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from formaliza.accounts.roles import Role


class LoginForm(AuthenticationForm):
    username = forms.CharField(label="E-mail", widget=forms.TextInput(attrs={"autofocus": True}))
    error_messages = {
        "invalid_login": "E-mail ou senha incorretos.",
        "inactive": "Este acesso está desativado.",
    }

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class ApiKeyForm(forms.Form):
    name = forms.CharField(label="Nome da integração", max_length=80)


class UserForm(forms.Form):
    first_name = forms.CharField(label="Nome", max_length=150)
    last_name = forms.CharField(label="Sobrenome", max_length=150, required=False)
    email = forms.EmailField(label="E-mail")
    role = forms.ChoiceField(label="Papel", choices=Role.choices)
    branch = forms.ChoiceField(label="Filial", required=False)
    password = forms.CharField(label="Senha inicial", widget=forms.PasswordInput, min_length=8)

    def __init__(self, *args, branches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = [("", "Todas")] + [(b.pk, str(b)) for b in branches]
