from django import forms

from formaliza.webhooks.models import EVENT_TYPES


class EndpointForm(forms.Form):
    url = forms.URLField(label="URL de destino", max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label="Eventos (nenhum marcado = todos)",
        choices=list(EVENT_TYPES.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(label="Ativo", required=False, initial=True)
