from __future__ import annotations

from django import forms

from formaliza.proposals.choices import CatalogKind
from formaliza.proposals.models import CatalogEntry


class WelcomeForm(forms.Form):
    phone_is_own = forms.TypedChoiceField(
        label="Este celular é seu?",
        choices=[("yes", "Sim, este celular é meu"), ("no", "Não, é de outra pessoa")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Responda se este celular é seu."},
    )


class TermsForm(forms.Form):
    terms_sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)
    accept = forms.BooleanField(
        error_messages={"required": "Marque que leu e aceita os termos para continuar."}
    )


class ConditionsForm(forms.Form):
    snapshot_sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)


class IssueForm(forms.Form):
    message = forms.CharField(
        label="O que está errado?", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


class ReadingForm(forms.Form):
    contract = forms.IntegerField(min_value=1)
    max_fraction = forms.FloatField(min_value=0, max_value=1)
    seconds = forms.FloatField(min_value=0, max_value=86400)


class CaptureForm(forms.Form):
    image = forms.FileField(required=False)
    retakes = forms.IntegerField(min_value=0, max_value=999, required=False)
    source = forms.ChoiceField(choices=[("camera", "camera"), ("file", "file")], required=False)


class ConfirmForm(forms.Form):
    agree = forms.BooleanField(error_messages={"required": "Marque a declaração para assinar."})


# --- back office -----------------------------------------------------------------------------


class JourneyFilterForm(forms.Form):
    status = forms.ChoiceField(label="Situação", required=False)
    q = forms.CharField(label="Nome, CPF, celular ou nº", required=False, max_length=100)

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Todas"), *statuses]


class IssueResolveForm(forms.Form):
    resolution = forms.CharField(
        label="O que foi feito", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Descreva o que foi feito."},
    )  # fmt: skip
    resume = forms.BooleanField(
        label="Liberar a jornada para o cliente continuar (envia um link novo)", required=False
    )


class TermsPublishForm(forms.Form):
    title = forms.CharField(label="Título", max_length=150)
    body = forms.CharField(label="Texto", widget=forms.Textarea(attrs={"rows": 18}))


class ContractTemplateForm(forms.Form):
    product = forms.ChoiceField(label="Produto", required=False)
    title = forms.CharField(label="Título", max_length=150)
    body = forms.CharField(
        label="Modelo (Django template)", widget=forms.Textarea(attrs={"rows": 24})
    )

    def __init__(self, *args, tenant=None, **kwargs):
        super().__init__(*args, **kwargs)
        products = CatalogEntry.objects.filter(tenant=tenant, kind=CatalogKind.PRODUCT).order_by(
            "code"
        )
        self.fields["product"].choices = [("", "Padrão (todos os produtos)")] + [
            (str(p.pk), str(p)) for p in products
        ]


class FaceReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decisão",
        choices=[
            ("approve", "Aprovar: é a mesma pessoa"),
            ("reject", "Reprovar: não é a mesma pessoa"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Escolha aprovar ou reprovar."},
    )
    reason = forms.CharField(
        label="Motivo",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Informe o motivo da decisão."},
    )


class FacePolicyForm(forms.Form):
    enabled = forms.BooleanField(label="Conferir a selfie com a foto do documento", required=False)
    accept_threshold = forms.FloatField(
        label="Aceitar a partir de (0 a 1)", min_value=0, max_value=1,
        error_messages={"required": "Informe o limite de aceite.", "invalid": "Use um número como 0,45."},
    )  # fmt: skip
    review_threshold = forms.FloatField(
        label="Revisão humana a partir de (0 a 1; abaixo disso, nova selfie)", min_value=0,
        max_value=1,
        error_messages={"required": "Informe o limite de revisão.", "invalid": "Use um número como 0,35."},
    )  # fmt: skip
    max_attempts = forms.IntegerField(
        label="Selfies antes de ir para a revisão", min_value=1, max_value=10,
        error_messages={"required": "Informe o número de selfies."},
    )  # fmt: skip
