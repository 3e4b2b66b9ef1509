"""Back-office forms. The typing form is built from `fields.SECTIONS`; it only shapes the page —
every rule is checked by the service, whose field errors come back onto these fields."""

from __future__ import annotations

from django import forms

from formaliza.accounts.models import Branch
from formaliza.proposals.choices import USER_DECISIONS, Activity, Decision
from formaliza.proposals.fields import SECTIONS, Spec

_INPUT_ATTRS = {
    "cpf": {"inputmode": "numeric", "placeholder": "000.000.000-00", "data-mask": "cpf"},
    "date": {"inputmode": "numeric", "placeholder": "dd/mm/aaaa", "data-mask": "date"},
    "money": {"inputmode": "decimal", "placeholder": "0,00", "data-mask": "money"},
    "rate": {"inputmode": "decimal", "placeholder": "0,00"},
    "int": {"inputmode": "numeric"},
    "phone": {"inputmode": "tel", "placeholder": "(11) 98765-4321", "data-mask": "phone"},
    "cep": {"inputmode": "numeric", "placeholder": "00000-000", "data-mask": "cep"},
    "email": {"inputmode": "email"},
}


def _field(spec: Spec, catalog: dict, branches: list[Branch]) -> forms.Field:
    common = {"label": spec.label, "required": False, "help_text": spec.help}
    if spec.kind == "bool":
        return forms.BooleanField(**common)
    if spec.kind == "choice":
        return forms.ChoiceField(choices=[("", "Selecione"), *spec.choices], **common)
    if spec.kind == "catalog":
        entries = catalog.get(spec.catalog, [])
        return forms.ChoiceField(
            choices=[("", "Selecione"), *[(e.code, str(e)) for e in entries]], **common
        )
    if spec.kind == "branch":
        return forms.ChoiceField(
            choices=[("", "Sem filial"), *[(b.code, str(b)) for b in branches]], **common
        )
    attrs = {"maxlength": spec.max_length, **_INPUT_ATTRS.get(spec.kind, {})}
    return forms.CharField(widget=forms.TextInput(attrs=attrs), strip=True, **common)


class ProposalForm(forms.Form):
    def __init__(self, *args, catalog: dict, branches: list[Branch], **kwargs):
        super().__init__(*args, **kwargs)
        self.sections: list[tuple[str, list[str]]] = []
        for title, specs in SECTIONS:
            names = []
            for spec in specs:
                field = _field(spec, catalog, branches)
                field.required_mark = spec.required  # shown as *, checked by the service
                self.fields[spec.name] = field
                names.append(spec.name)
            self.sections.append((title, names))

    def grouped(self):
        return [(title, [self[name] for name in names]) for title, names in self.sections]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(d.value, d.label) for d in USER_DECISIONS], widget=forms.HiddenInput
    )
    observation = forms.CharField(
        label="Observação",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class CancelFormalizationForm(forms.Form):
    reason = forms.CharField(
        label="Motivo", widget=forms.Textarea(attrs={"rows": 2}), max_length=300
    )


class PipelineFilterForm(forms.Form):
    activity = forms.ChoiceField(
        label="Atividade", required=False, choices=[("", "Todas"), *Activity.choices]
    )
    cpf = forms.CharField(
        label="CPF", required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    name = forms.CharField(label="Nome", required=False)
    number = forms.CharField(label="Proposta", required=False)
    created_from = forms.DateField(
        label="Data base de",
        required=False,
        input_formats=["%d/%m/%Y"],
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/aaaa", "data-mask": "date"}),
    )
    created_to = forms.DateField(
        label="até",
        required=False,
        input_formats=["%d/%m/%Y"],
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/aaaa", "data-mask": "date"}),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", "A data final é anterior à inicial.")
        return data


DECISION_BUTTONS = [
    (Decision.APPROVE, "Aprova", "primary"),
    (Decision.REJECT, "Reprova", "danger"),
    (Decision.PENDING, "Pendente", "warning"),
    (Decision.CANCEL, "Cancelar proposta", "ghost"),
]
