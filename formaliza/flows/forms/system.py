"""Forms of the system cards' back office pages."""

from __future__ import annotations

import ipaddress
import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from formaliza.accounts.models import User
from formaliza.conversations.models import Channel
from formaliza.erp.models import ErpAccount
from formaliza.flows.models import BusinessPeriod, Flow

_HOST = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in re.split(r"[\n,;]+", text or "") if line.strip()]


class NotifyGroupForm(forms.Form):
    name = forms.CharField(label="Nome do grupo", max_length=80)
    members = forms.ModelMultipleChoiceField(
        label="Usuários", queryset=User.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    emails = forms.CharField(
        label="E-mails (um por linha)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = User.objects.filter(
            tenant=tenant, is_active=True
        ).order_by("first_name", "email")

    def clean_emails(self) -> list[str]:
        emails = [e.lower() for e in _lines(self.cleaned_data["emails"])]
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError(f"E-mail inválido: {email}") from None
        if len(emails) > 50:
            raise ValidationError("No máximo 50 e-mails.")
        return list(dict.fromkeys(emails))


class AllowListForm(forms.Form):
    entries = forms.CharField(
        label="Hosts ou redes (CIDR) internos permitidos, um por linha",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Ex.: erp.interno.exemplo.com.br ou 10.20.0.0/16. Vale para integrações "
        "HTTP dos fluxos e webhooks.",
    )

    def clean_entries(self) -> list[str]:
        entries = _lines(self.cleaned_data["entries"])
        for entry in entries:
            try:
                ipaddress.ip_network(entry, strict=False)
                continue
            except ValueError:
                pass
            if not _HOST.match(entry.lower()):
                raise ValidationError(f"Não é um host nem uma rede válida: {entry}")
        if len(entries) > 50:
            raise ValidationError("No máximo 50 itens.")
        return list(dict.fromkeys(e.lower() for e in entries))


class BusinessPeriodForm(forms.ModelForm):
    class Meta:
        model = BusinessPeriod
        fields = ["weekday", "start", "end"]
        widgets = {
            "start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            raise ValidationError("O fim precisa ser depois do início.")
        return data


class BulkSendForm(forms.Form):
    flow = forms.ModelChoiceField(label="Fluxo", queryset=Flow.objects.none())
    channel = forms.ModelChoiceField(label="Canal", queryset=Channel.objects.none())
    phones = forms.CharField(
        label="Telefones (um por linha, com DDD)", widget=forms.Textarea(attrs={"rows": 8})
    )

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["flow"].queryset = Flow.objects.filter(
            tenant=tenant, live__isnull=False, archived_at__isnull=True
        ).order_by("name")
        self.fields["channel"].queryset = Channel.objects.filter(tenant=tenant).order_by("name")


class DepartmentForm(forms.Form):
    name = forms.CharField(label="Nome do setor", max_length=80)


class ErpAccountForm(forms.Form):
    """The tenant's ERP (seed 003, "Integração ERP"). Secrets are never shown back: blank
    keeps the stored one. Which field each system needs is told on the page."""

    kind = forms.ChoiceField(label="Sistema (ERP)", choices=ErpAccount.Kind.choices)
    base_url = forms.CharField(
        label="Endereço da API", max_length=300,
        help_text="Ex.: https://provedor.ixcsoft.com.br ou https://sgp.provedor.com.br",
    )  # fmt: skip
    username = forms.CharField(label="Usuário / ID do usuário", max_length=160, required=False)
    client_id = forms.CharField(label="Client ID / App", max_length=120, required=False)
    client_secret = forms.CharField(
        label="Client secret / Token", max_length=500, required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Em branco: mantém o que está guardado.",
    )  # fmt: skip
    password = forms.CharField(
        label="Senha / Token / Contra-senha", max_length=500, required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Em branco: mantém o que está guardado.",
    )  # fmt: skip
    timeout_seconds = forms.IntegerField(label="Tempo limite (s)", min_value=1, max_value=30,
                                         initial=8)  # fmt: skip
    is_active = forms.BooleanField(label="Ativo", required=False, initial=True)
