"""Forms of the cases pages: they parse and show errors; services validate and decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from formaliza.cases.calculation.rules import RULE_CHOICES
from formaliza.cases.calculation.theses import THESIS_CHOICES
from formaliza.cases.models import CaseClient
from formaliza.cases.services import CalculationInput, ClientInput
from formaliza.core import br

DATE = forms.DateInput(attrs={"placeholder": "dd/mm/aaaa", "inputmode": "numeric"})
MAX_CSV_BYTES = 256 * 1024


class MoneyField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        parsed = br.money_parse(value)
        if parsed is None:
            raise forms.ValidationError("Valor inválido (ex.: 1.234,56).")
        return parsed


class CalculationForm(forms.Form):
    label = forms.CharField(label="Identificação (nome do cliente)", max_length=120, required=False)
    rule = forms.ChoiceField(label="Benefício e regra de cálculo", choices=RULE_CHOICES)
    thesis = forms.ChoiceField(label="Tese da revisão", choices=THESIS_CHOICES, initial="recalculo")
    dib = forms.DateField(label="Data de início do benefício (DIB)", widget=DATE)
    first_payment = forms.DateField(label="Data do primeiro pagamento", widget=DATE)
    granted_rmi = MoneyField(label="RMI concedida (carta de concessão)")
    birth_date = forms.DateField(label="Data de nascimento", widget=DATE)
    sex = forms.ChoiceField(label="Sexo", choices=[("", "—"), *CaseClient.Sex.choices])
    contribution_years = forms.IntegerField(
        label="Tempo de contribuição: anos", min_value=0, max_value=70
    )
    contribution_months = forms.IntegerField(label="meses", min_value=0, max_value=11, initial=0)
    contribution_days = forms.IntegerField(label="dias", min_value=0, max_value=30, initial=0)
    teacher = forms.BooleanField(label="Professor(a) da educação básica", required=False)
    history = forms.CharField(
        label="Salários de contribuição (uma competência por linha: MM/AAAA;valor)",
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "07/1994;582,86\n08/1994;600,00"}),
        required=False,
    )
    csv_file = forms.FileField(label="ou importe o CSV do CNIS", required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("csv_file")
        if upload is not None:
            if upload.size > MAX_CSV_BYTES:
                self.add_error("csv_file", "O arquivo passa de 256 KB.")
            else:
                raw = upload.read()
                try:
                    data["history"] = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    data["history"] = raw.decode("latin-1")
        if not (data.get("history") or "").strip() and not self.has_error("csv_file"):
            self.add_error("history", "Informe os salários de contribuição ou importe o CSV.")
        return data

    def to_input(self) -> CalculationInput:
        d = self.cleaned_data
        return CalculationInput(
            rule=d["rule"], thesis=d["thesis"], dib=d["dib"], first_payment=d["first_payment"],
            granted_rmi=d["granted_rmi"], birth_date=d["birth_date"], sex=d["sex"],
            contribution_years=d["contribution_years"], contribution_months=d["contribution_months"] or 0,
            contribution_days=d["contribution_days"] or 0, teacher=d["teacher"], history=d["history"],
            label=d.get("label") or "",
        )  # fmt: skip


def initial_from(calculation) -> dict:
    """A stored calculation's input back in its form (editing a draft)."""
    facts, days = calculation.input["facts"], int(calculation.input["facts"]["contribution_days"])
    return {
        "label": calculation.label, "rule": facts["rule"], "thesis": calculation.input["thesis"],
        "dib": facts["dib"], "first_payment": facts["first_payment"],
        "granted_rmi": br.money_format(Decimal(facts["granted_rmi"])).replace("R$ ", ""),
        "birth_date": facts["birth_date"], "sex": facts["sex"], "contribution_years": days // 365,
        "contribution_months": days % 365 // 30, "contribution_days": days % 365 % 30,
        "teacher": facts["teacher"], "history": calculation.history_text,
    }  # fmt: skip


class ClientForm(forms.Form):
    name = forms.CharField(label="Nome completo", max_length=200)
    cpf = forms.CharField(
        label="CPF",
        max_length=14,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    email = forms.CharField(label="E-mail", max_length=254, required=False, widget=forms.EmailInput)
    phone = forms.CharField(
        label="Celular (WhatsApp)",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    birth_date = forms.DateField(label="Data de nascimento", required=False, widget=DATE)
    sex = forms.ChoiceField(
        label="Sexo", choices=[("", "—"), *CaseClient.Sex.choices], required=False
    )
    cep = forms.CharField(
        label="CEP",
        max_length=9,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    street = forms.CharField(label="Endereço", max_length=200, required=False)
    number = forms.CharField(label="Número", max_length=20, required=False)
    complement = forms.CharField(label="Complemento", max_length=80, required=False)
    district = forms.CharField(label="Bairro", max_length=80, required=False)
    city = forms.CharField(label="Cidade", max_length=80, required=False)
    uf = forms.ChoiceField(label="UF", choices=[("", "—"), *br.UF_CHOICES], required=False)

    def to_input(self) -> ClientInput:
        return ClientInput(**{k: v if v is not None else ("" if k != "birth_date" else None)
                              for k, v in self.cleaned_data.items()})  # fmt: skip


def client_initial(client: CaseClient) -> dict:
    return {name: getattr(client, name) for name in ClientForm.base_fields}


class SaveCaseForm(forms.Form):
    client = forms.ChoiceField(label="Cliente", required=False)
    new_client_name = forms.CharField(
        label="ou cadastre um novo cliente (nome)", max_length=200, required=False
    )

    def __init__(self, *args, clients=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [
            ("", "—"),
            *[(str(c.pk), f"{c.name} {c.cpf_display}") for c in clients],
        ]

    def clean(self):
        data = super().clean()
        if not data.get("client") and not (data.get("new_client_name") or "").strip():
            raise forms.ValidationError("Escolha o cliente ou informe o nome de um novo cliente.")
        return data


class UploadForm(forms.Form):
    doc_type = forms.TypedChoiceField(label="Tipo do documento", coerce=int)
    file = forms.FileField(label="Arquivo (foto ou PDF)")

    def __init__(self, *args, types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["doc_type"].choices = [("", "Escolha o tipo"), *[(t.pk, t.name) for t in types]]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Aprovar"), ("reject", "Rejeitar")])
    reason = forms.CharField(
        label="Motivo da rejeição (o cliente recebe)", max_length=500, required=False
    )


class ProtocolForm(forms.Form):
    protocol_number = forms.CharField(
        label="Número do processo (CNJ)", max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "NNNNNNN-DD.AAAA.J.TR.OOOO"}),
    )  # fmt: skip


class CreditPurchaseForm(forms.Form):
    """The range (1 to PAYMENT_CREDIT_MAX_PER_PURCHASE) is the service's to check."""

    quantity = forms.IntegerField(
        label="Quantidade de créditos", initial=5,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Informe quantos créditos comprar.",
            "invalid": "Informe um número inteiro de créditos.",
        },
    )  # fmt: skip


class DocumentTypeForm(forms.Form):
    name = forms.CharField(label="Nome", max_length=120)
    help_text = forms.CharField(label="Orientação ao cliente", max_length=300, required=False)
    required = forms.BooleanField(label="Obrigatório", required=False, initial=True)
    is_active = forms.BooleanField(label="Ativo", required=False, initial=True)
    position = forms.IntegerField(label="Ordem", min_value=0, max_value=999, initial=0)


class AgentProfileForm(forms.Form):
    phone = forms.CharField(
        label="Seu WhatsApp (para avisos de protocolo)", max_length=20, required=False
    )


class CodeForm(forms.Form):
    code = forms.CharField(label="Código recebido por e-mail", max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))  # fmt: skip
