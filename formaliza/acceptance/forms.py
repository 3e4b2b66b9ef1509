from __future__ import annotations

import datetime as dt

from django import forms

from formaliza.contacts.search import SearchType
from formaliza.core import clock


class ContactSearchForm(forms.Form):
    kind = forms.ChoiceField(label="Tipo de dado", choices=SearchType.choices, initial="todos")
    q = forms.CharField(label="Buscar", max_length=200)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class KitForm(forms.Form):
    title = forms.CharField(label="Título do kit", max_length=150)
    message = forms.CharField(
        label="Mensagem", max_length=400, widget=forms.Textarea(attrs={"rows": 3}),
        initial="Olá! Seguem documentos para o seu aceite digital. Toque no link para ler e aceitar.",
    )  # fmt: skip
    channel = forms.ChoiceField(label="Canal")
    address = forms.CharField(label="Celular ou e-mail", max_length=254)
    deadline = forms.DateTimeField(
        label="Prazo para aceite",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
    )
    numbers = forms.CharField(
        label="Nº dos documentos (um por linha, na ordem dos arquivos)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    files = MultipleFileField(label="PDFs")
    require_selfie = forms.BooleanField(
        label="Pedir selfie do cliente (verificada como na jornada: um rosto, nítido, de perto)",
        required=False,
    )

    def __init__(self, *args, channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(c.pk, f"{c.get_kind_display()} · {c.name}")
                                          for c in channels]  # fmt: skip
        self.fields["deadline"].initial = clock.local(clock.now() + dt.timedelta(days=7))


class ResendDocumentForm(forms.Form):
    automation = forms.CharField(label="Automação", disabled=True, required=False)
    version = forms.CharField(label="Versão da automação", disabled=True, required=False)
    channel = forms.ChoiceField(label="Canal")
    message = forms.CharField(label="Mensagem", max_length=400, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    address = forms.CharField(label="E-mail ou número", max_length=254, required=False)

    def __init__(self, *args, channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(c.pk, f"{c.get_kind_display()} · {c.name}")
                                          for c in channels]  # fmt: skip


class ResendMessageForm(forms.Form):
    channel = forms.ChoiceField(label="Canal")
    address = forms.CharField(label="Enviar para (vazio: o endereço original)", max_length=254,
                              required=False)  # fmt: skip

    def __init__(self, *args, channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(c.pk, f"{c.get_kind_display()} · {c.name}")
                                          for c in channels]  # fmt: skip
