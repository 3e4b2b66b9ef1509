from __future__ import annotations

from django import forms

from formaliza.flows.format import MAX_BYTES
from formaliza.flows.models import Flow


class FlowImportForm(forms.Form):
    CONFLICT_CHOICES = [
        ("update", "Atualizar o rascunho do fluxo existente com esta chave"),
        ("new", "Criar um fluxo novo com outra chave"),
    ]

    file = forms.FileField(label="Arquivo JSON", required=False)
    text = forms.CharField(
        label="ou cole o JSON",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
    )
    key = forms.SlugField(
        label="Nova chave (opcional)",
        required=False,
        max_length=64,
        help_text="Troca a chave do arquivo; use letras minúsculas, números, - e _.",
    )
    on_conflict = forms.ChoiceField(
        label="Já existe um fluxo com esta chave",
        choices=CONFLICT_CHOICES,
        required=False,
        widget=forms.RadioSelect,
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"Arquivo grande demais (máximo {MAX_BYTES // 1_000_000} MB)."
            )
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError("Envie um arquivo JSON ou cole o conteúdo do fluxo.")
        if data.get("file") and (data.get("text") or "").strip():
            raise forms.ValidationError("Envie o arquivo ou cole o conteúdo, não os dois.")
        if data.get("on_conflict") == "new" and not data.get("key"):
            self.add_error("key", "Informe a nova chave para criar um fluxo novo.")
        return data

    def content(self) -> bytes | str:
        upload = self.cleaned_data.get("file")
        return upload.read() if upload else self.cleaned_data["text"]


class PublishForm(forms.Form):
    note = forms.CharField(label="Observação (opcional)", required=False, max_length=200)


class TriggerForm(forms.Form):
    trigger = forms.ChoiceField(
        label="Início",
        choices=Flow.Trigger.choices,
        error_messages={
            "required": "Escolha o que inicia este fluxo.",
            "invalid_choice": "Escolha uma das opções de início.",
        },
        help_text="Só um fluxo pode iniciar os novos atendimentos e só um as formalizações.",
    )
