"""The history's search form (the seed's filters and the 30-day rule), the portal's send form
and the report's filters, the finalization status form."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings

from formaliza.conversations.models import MessageStatus
from formaliza.core import br, clock
from formaliza.history.selectors import HistoryFilters, SentFilters

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _choices(rows, label=lambda r: r.name) -> list[tuple]:
    return [("", "Todos"), *[(r.pk, label(r)) for r in rows]]


class PeriodMixin:
    def clean_period(self, cleaned: dict) -> None:
        start, end = cleaned.get("start"), cleaned.get("end")
        if not start or not end:
            return
        limit = settings.HISTORY_MAX_PERIOD_DAYS
        if end < start:
            self.add_error("end", "A data final é anterior à inicial.")
        elif (end - start).days > limit:
            self.add_error(
                "end",
                f"O período pode ter no máximo {limit} dias "
                f"(você informou {(end - start).days}). Reduza o intervalo.",
            )


class HistorySearchForm(PeriodMixin, forms.Form):
    start = forms.DateField(label="Período (de)", widget=DATE_WIDGET)
    end = forms.DateField(label="Período (a)", widget=DATE_WIDGET)
    cpf = forms.CharField(label="CPF (completo)", required=False, max_length=14)
    contract = forms.CharField(label="Número do contrato (completo)", required=False, max_length=60)
    document_key = forms.CharField(label="Chave do documento assinado (completa)", required=False,
                                   max_length=200)  # fmt: skip
    proposal = forms.CharField(label="Proposta (completa)", required=False, max_length=60)
    full_name = forms.CharField(label="Nome completo do assinante", required=False, max_length=200)
    birth_date = forms.DateField(label="Data de nascimento", required=False, widget=DATE_WIDGET)
    name = forms.CharField(label="Nome (parte)", required=False, max_length=200,
                           help_text="Parte do nome do contato (mínimo 3 letras).")  # fmt: skip
    phone = forms.CharField(label="Número (com DDD)", required=False, max_length=20)
    email = forms.EmailField(label="E-mail", required=False)
    protocol = forms.CharField(label="Protocolo", required=False, max_length=20)
    department = forms.TypedChoiceField(label="Setor", required=False, coerce=int, empty_value=None)
    channel = forms.TypedChoiceField(label="Canal de entrada", required=False, coerce=int,
                                     empty_value=None)  # fmt: skip
    finalization = forms.TypedChoiceField(label="Status de finalização", required=False,
                                          coerce=int, empty_value=None)  # fmt: skip

    def __init__(self, *args, departments=(), channels=(), finalizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = _choices(departments)
        self.fields["channel"].choices = _choices(channels)
        self.fields["finalization"].choices = _choices(finalizations)

    @staticmethod
    def initial_period() -> dict:
        today = clock.today()
        return {"start": today - dt.timedelta(days=settings.HISTORY_MAX_PERIOD_DAYS), "end": today}

    def clean_cpf(self) -> str:
        value = self.cleaned_data["cpf"]
        if not value:
            return ""
        cpf = br.cpf_normalize(value)
        if cpf is None:
            raise forms.ValidationError("CPF inválido: informe os 11 dígitos, sem ponto e traço.")
        return cpf

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"]
        if not value:
            return ""
        phone = br.phone_parse(value)
        if phone is None:
            raise forms.ValidationError("Telefone inválido: informe DDD e número.")
        return phone.e164

    def clean_name(self) -> str:
        value = " ".join(self.cleaned_data["name"].split())
        if value and len(value) < 3:
            raise forms.ValidationError("Informe ao menos 3 letras do nome.")
        return value

    def clean(self):
        cleaned = super().clean()
        self.clean_period(cleaned)
        return cleaned

    def filters(self) -> HistoryFilters:
        d = self.cleaned_data
        return HistoryFilters(
            start=d["start"], end=d["end"], cpf=d["cpf"], contract=d["contract"].strip(),
            document_key=d["document_key"].strip(), proposal=d["proposal"].strip(),
            full_name=d["full_name"].strip(), birth_date=d["birth_date"], name=d["name"],
            phone=d["phone"], email=d["email"], protocol=d["protocol"].strip(),
            department_id=d["department"], channel_id=d["channel"],
            finalization_id=d["finalization"],
        )  # fmt: skip


class PortalSendForm(forms.Form):
    phone = forms.CharField(
        label="Telefone (com DDD, sem o zero)", max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "(11) 99999-9999", "inputmode": "tel"}),
    )  # fmt: skip
    template = forms.TypedChoiceField(label="Mensagem (modelo aprovado)", coerce=int)
    variables = forms.CharField(
        label="Valores das variáveis (uma por linha, na ordem)", required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Maria Santos"}),
    )  # fmt: skip

    def __init__(self, *args, templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [
            (t.pk, f"{t.name} — {t.channel.name}") for t in templates
        ]

    def variable_values(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["variables"].splitlines() if line.strip()
        ]


STATUS_CHOICES = [("", "Todos")] + [
    (value, label) for value, label in MessageStatus.choices if value != MessageStatus.RECEIVED
]


class SentReportForm(PeriodMixin, forms.Form):
    start = forms.DateField(label="De", widget=DATE_WIDGET)
    end = forms.DateField(label="Até", widget=DATE_WIDGET)
    user = forms.TypedChoiceField(label="Enviado por", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label="Situação", required=False, choices=STATUS_CHOICES)

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = _choices(users, label=lambda u: u.display_name)

    def clean(self):
        cleaned = super().clean()
        self.clean_period(cleaned)
        return cleaned

    def filters(self) -> SentFilters:
        d = self.cleaned_data
        return SentFilters(start=d["start"], end=d["end"], user_id=d["user"], status=d["status"])


class LabelForm(forms.Form):
    name = forms.CharField(label="Nome", max_length=60)
    color = forms.CharField(label="Cor", max_length=7, initial="#64748b",
                            widget=forms.TextInput(attrs={"type": "color"}))  # fmt: skip
    position = forms.IntegerField(label="Ordem", min_value=0, max_value=32000, initial=100)
    is_active = forms.BooleanField(label="Ativo", required=False, initial=True)

    def clean_color(self) -> str:
        value = self.cleaned_data["color"].strip()
        if len(value) != 7 or not value.startswith("#"):
            raise forms.ValidationError("Cor inválida (use #rrggbb).")
        try:
            int(value[1:], 16)
        except ValueError as exc:
            raise forms.ValidationError("Cor inválida (use #rrggbb).") from exc
        return value.lower()


class FinalizeForm(forms.Form):
    code = forms.ChoiceField(label="Status de finalização", required=False)

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [
            ("", "— sem status —"),
            *[(s.code, s.name) for s in statuses],
        ]
