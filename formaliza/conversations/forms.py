from __future__ import annotations

import json

from django import forms

from formaliza.conversations.models import DEFAULT_OPT_OUT_REPLY, Channel, Conversation, Template

SECRET_HELP = "Deixe em branco para manter o atual."  # noqa: S105 - help text


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class ConversationFilterForm(forms.Form):
    q = forms.CharField(label="Protocolo, telefone, e-mail ou nome", required=False)
    status = forms.ChoiceField(
        label="Situação", required=False, choices=[("", "Todas"), *Conversation.Status.choices]
    )
    channel = forms.TypedChoiceField(label="Canal", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", "Todos"), *[(c.pk, c.name) for c in channels]]


class ChannelForm(forms.Form):
    name = forms.CharField(label="Nome", max_length=80)
    kind = forms.ChoiceField(label="Tipo", choices=Channel.Kind.choices)
    provider = forms.ChoiceField(label="Provedor", choices=Channel.Provider.choices)
    phone_number_id = forms.CharField(label="Phone number ID (Meta)", required=False, max_length=40)
    business_account_id = forms.CharField(
        label="WhatsApp Business Account ID", required=False, max_length=40
    )
    display_phone_number = forms.CharField(label="Número do canal", required=False, max_length=20)
    account_id = forms.CharField(label="Account SID (Twilio)", required=False, max_length=64)
    sender_id = forms.CharField(
        label="Remetente (Zenvia) ou e-mail de envio", required=False, max_length=120
    )
    access_token = forms.CharField(
        label="Token de acesso", required=False, widget=forms.PasswordInput, help_text=SECRET_HELP
    )
    app_secret = forms.CharField(
        label="Segredo do app / do webhook", required=False, widget=forms.PasswordInput,
        help_text=SECRET_HELP + " Em canais Zenvia e simulados é gerado automaticamente.",
    )  # fmt: skip
    verify_token = forms.CharField(
        label="Token de verificação do webhook", required=False, widget=forms.PasswordInput,
        help_text=SECRET_HELP + " Gerado automaticamente se ficar em branco.",
    )  # fmt: skip
    api_base_url = forms.URLField(
        label="Endereço da API (opcional)", required=False, assume_scheme="https"
    )
    throughput_per_second = forms.IntegerField(
        label="Mensagens por segundo", initial=80, min_value=1, max_value=1000
    )
    pacing_interval_seconds = forms.FloatField(
        label="Intervalo por destinatário (s)", initial=6, min_value=0
    )
    pacing_burst = forms.IntegerField(
        label="Rajada por destinatário", initial=5, min_value=0, max_value=100
    )
    opt_out_keywords = forms.CharField(
        label="Palavras de descadastro (uma por linha)", required=False, initial="/bloquear",
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    opt_in_keywords = forms.CharField(
        label="Palavras de recadastro (uma por linha)", required=False, initial="/desbloquear",
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    opt_out_reply = forms.CharField(
        label="Confirmação de descadastro (vazio = não confirma)", required=False,
        initial=DEFAULT_OPT_OUT_REPLY, widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    require_opt_in_for_marketing = forms.BooleanField(
        label="Exigir opt-in para modelos de marketing", required=False, initial=True
    )
    welcome_text = forms.CharField(
        label="Boas-vindas (quando o cliente abre um atendimento)", required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    welcome_choices = forms.CharField(
        label="Opções da boas-vindas (uma por linha, até 10)", required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    is_active = forms.BooleanField(label="Ativo", required=False, initial=True)

    def channel_input(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("opt_out_keywords", "opt_in_keywords", "welcome_choices"):
            data[name] = _lines(data[name])
        return data


class TemplateForm(forms.Form):
    name = forms.CharField(label="Nome (como aprovado na Meta)", max_length=512)
    language = forms.CharField(label="Idioma", max_length=15, initial="pt_BR")
    category = forms.ChoiceField(label="Categoria", choices=Template.Category.choices)
    status = forms.ChoiceField(label="Situação", choices=Template.Status.choices)
    header_format = forms.ChoiceField(
        label="Cabeçalho", required=False,
        choices=[("", "Sem cabeçalho"), ("TEXT", "Texto"), ("IMAGE", "Imagem"), ("DOCUMENT", "Documento"), ("VIDEO", "Vídeo")],
    )  # fmt: skip
    header_text = forms.CharField(label="Texto do cabeçalho", required=False, max_length=60)
    body = forms.CharField(
        label="Corpo (variáveis como {{1}}, {{2}} ou {{nome}})",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    footer = forms.CharField(label="Rodapé", required=False, max_length=60)
    buttons = forms.CharField(
        label="Botões (um por linha: “resposta: Sim” ou “link: Abrir | https://exemplo.com/{{1}}”)",
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def components(self) -> list[dict]:
        data = self.cleaned_data
        components: list[dict] = []
        if data["header_format"] == "TEXT" and data["header_text"]:
            components.append({"type": "HEADER", "format": "TEXT", "text": data["header_text"]})
        elif data["header_format"] in ("IMAGE", "DOCUMENT", "VIDEO"):
            components.append({"type": "HEADER", "format": data["header_format"]})
        components.append({"type": "BODY", "text": data["body"]})
        if data["footer"]:
            components.append({"type": "FOOTER", "text": data["footer"]})
        buttons = []
        for line in _lines(data["buttons"]):
            kind, _, rest = line.partition(":")
            kind = kind.strip().lower()
            if kind == "link" and "|" in rest:
                text, url = (part.strip() for part in rest.split("|", 1))
                buttons.append({"type": "URL", "text": text, "url": url})
            else:
                buttons.append(
                    {"type": "QUICK_REPLY", "text": (rest if kind == "resposta" else line).strip()}
                )
        if buttons:
            components.append({"type": "BUTTONS", "buttons": buttons})
        return components

    @classmethod
    def initial_from(cls, template: Template) -> dict:
        by_type = {str(c.get("type", "")).upper(): c for c in template.components}
        header = by_type.get("HEADER", {})
        buttons = []
        for b in by_type.get("BUTTONS", {}).get("buttons", []):
            if b.get("type") == "URL":
                buttons.append(f"link: {b.get('text', '')} | {b.get('url', '')}")
            else:
                buttons.append(f"resposta: {b.get('text', '')}")
        return {
            "name": template.name, "language": template.language, "category": template.category,
            "status": template.status, "header_format": header.get("format", ""),
            "header_text": header.get("text", ""), "body": by_type.get("BODY", {}).get("text", ""),
            "footer": by_type.get("FOOTER", {}).get("text", ""), "buttons": "\n".join(buttons),
        }  # fmt: skip


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Mensagem", max_length=4096, widget=forms.Textarea(attrs={"rows": 2})
    )


class TemplateSendForm(forms.Form):
    template = forms.TypedChoiceField(label="Modelo", coerce=int)
    variables = forms.CharField(
        label="Variáveis do corpo (uma por linha, na ordem; ou nome=valor)", required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip

    def __init__(self, *args, templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t.pk, f"{t.name} ({t.language})") for t in templates]

    def body_values(self) -> list[str] | dict[str, str]:
        lines = _lines(self.cleaned_data["variables"])
        if lines and all("=" in line for line in lines):
            return dict(line.split("=", 1) for line in lines)
        return lines


class SimulatorForm(forms.Form):
    channel = forms.TypedChoiceField(label="Canal simulado", coerce=int)
    phone = forms.CharField(label="Telefone do cliente (com DDD)", max_length=30)
    name = forms.CharField(
        label="Nome no WhatsApp", max_length=80, required=False, initial="Cliente Simulado"
    )

    def __init__(self, *args, channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(c.pk, c.name) for c in channels]


def components_pretty(components: list[dict]) -> str:
    return json.dumps(components, ensure_ascii=False, indent=2)


# --- the attendants' inbox: choices come from the view (selectors, the bot) ---------------------


def _choices(field: forms.Field, choices) -> None:
    field.choices = list(choices)


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Observação interna", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class TransferForm(forms.Form):
    department = forms.TypedChoiceField(label="Setor", coerce=int)
    note = forms.CharField(label="Observação para o setor", max_length=500, required=False)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self.fields["department"], departments)


class FinishForm(forms.Form):
    finalization = forms.TypedChoiceField(label="Status de finalização", coerce=int)

    def __init__(self, *args, finalizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self.fields["finalization"], finalizations)


class ReleaseForm(forms.Form):
    flow = forms.TypedChoiceField(
        label="Iniciar o fluxo", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, flows=(), **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self.fields["flow"], [("", "Nenhum: aguardar o cliente"), *flows])


class AssignForm(forms.Form):
    user = forms.TypedChoiceField(label="Atendente", coerce=int)

    def __init__(self, *args, attendants=(), **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self.fields["user"], attendants)
