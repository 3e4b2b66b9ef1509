"""Forms of the triage pages: they parse and show errors; the services validate and decide."""

from __future__ import annotations

from django import forms

from formaliza.triage.models import ContactAttempt, Outcome
from formaliza.triage.services import ContactInput

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OutcomeForm(forms.Form):
    """The outcome of the pending contact: required after each contact."""

    outcome = forms.ChoiceField(
        label="Resultado do contato", choices=[("", "— escolha —"), *Outcome.choices],
        error_messages={"required": "Escolha o resultado do contato."},
    )  # fmt: skip
    duration_minutes = forms.IntegerField(
        label="Duração da ligação (minutos)", min_value=0, max_value=360, required=False,
        error_messages={"min_value": "Duração inválida.", "max_value": "Duração inválida."},
    )  # fmt: skip
    appointment_at = forms.DateTimeField(
        label="Novo horário (se reagendado)", required=False, widget=DATETIME,
        input_formats=["%Y-%m-%dT%H:%M"],
    )  # fmt: skip
    follow_up_on = forms.DateField(
        label="Data combinada (se prazo combinado)", required=False, widget=DATE,
        input_formats=["%Y-%m-%d"],
    )  # fmt: skip
    note = forms.CharField(
        label="Observação", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip

    def to_input(self) -> ContactInput:
        data = self.cleaned_data
        minutes = data.get("duration_minutes")
        return ContactInput(
            outcome=data["outcome"], note=data.get("note") or "",
            duration_seconds=minutes * 60 if minutes is not None else None,
            appointment_at=data.get("appointment_at"), follow_up_on=data.get("follow_up_on"),
        )  # fmt: skip


class ContactForm(OutcomeForm):
    """A contact made outside the system (from the operator's own phone or WhatsApp) and its
    outcome, in one step."""

    kind = forms.ChoiceField(label="Contato feito", choices=ContactAttempt.Kind.choices)
    field_order = ["kind", "outcome", "duration_minutes", "appointment_at", "follow_up_on", "note"]


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label="Responsável", queryset=None, required=False, empty_label="— sem responsável —"
    )

    def __init__(self, *args, operators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = operators
        self.fields["assignee"].label_from_instance = lambda user: user.display_name


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Arquivo de pedidos (.csv ou .xlsx)",
        help_text="Primeira linha com os nomes das colunas: pedido, cliente, produto (obrigatórias), "
        "CPF/CNPJ, celular, e-mail, e-mail da contabilidade, pagamento (pago/pendente), link de "
        "pagamento, documentos (recebidos/pendentes), agendamento (dd/mm/aaaa hh:mm), "
        "comparecimento (compareceu/não compareceu), emitido em, cancelado em.",
        error_messages={"required": "Escolha o arquivo a importar."},
    )


class TemplateForm(forms.Form):
    """One list's message (the page shows the four, each with its prefix)."""

    body = forms.CharField(
        label="Texto", widget=forms.Textarea(attrs={"rows": 5}), max_length=1500,
        error_messages={"required": "O texto da mensagem não pode ficar vazio."},
    )  # fmt: skip
    whatsapp_template = forms.CharField(
        label="Modelo aprovado do WhatsApp fora da janela de 24 h ({{1}} nome, {{2}} link)",
        max_length=120, required=False,
    )  # fmt: skip
