"""Checking template variables against the approved template before any API call.

A template's components are kept in Meta's shape (HEADER/BODY/FOOTER/BUTTONS with `{{1}}` or
`{{nome}}` placeholders). Sending fills them with `TemplateValues`; every count and type mismatch
the Cloud API would answer with 132000/132012/132018 is caught here with a pt-BR explanation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from formaliza.conversations.content import TemplateComponent, TemplateMessage, TemplateParameter
from formaliza.conversations.errors import InvalidContent

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
NAME_RE = re.compile(r"^[a-z0-9_]{1,512}$")
MEDIA_FORMATS = {"IMAGE": "image", "VIDEO": "video", "DOCUMENT": "document"}
BODY_MAX = 1024
HEADER_TEXT_MAX = 60
BUTTON_TYPES = {"QUICK_REPLY", "URL", "PHONE_NUMBER", "COPY_CODE", "OTP"}


@dataclass(frozen=True)
class TemplateValues:
    """What a caller fills in: body (and header) placeholders as a list ({{1}}, {{2}}...) or a
    dict ({{nome}}), a media link for an IMAGE/VIDEO/DOCUMENT header, and per-button values
    (the URL suffix of a dynamic URL button, or the payload of a quick-reply button)."""

    body: Sequence[Any] | Mapping[str, Any] = ()
    header: Sequence[Any] | Mapping[str, Any] = ()
    header_media_link: str = ""
    header_media_filename: str = ""
    buttons: Mapping[int, str] = field(default_factory=dict)


def placeholders(text: str) -> list[str]:
    """Placeholder names in order of first appearance, without repeats."""
    seen: list[str] = []
    for name in PLACEHOLDER.findall(text or ""):
        if name not in seen:
            seen.append(name)
    return seen


def _component(components: list[dict], kind: str) -> dict | None:
    return next((c for c in components if str(c.get("type", "")).upper() == kind), None)


def components_validate(components: Any) -> list[dict]:
    """Structural check of a template definition typed or synced from the provider."""
    if not isinstance(components, list) or not all(isinstance(c, dict) for c in components):
        raise InvalidContent("Componentes do modelo em formato inválido.", code="template_format")
    body = _component(components, "BODY")
    if body is None or not str(body.get("text", "")).strip():
        raise InvalidContent("O modelo precisa de um corpo com texto.", code="template_body")
    if len(body["text"]) > BODY_MAX:
        raise InvalidContent(
            f"O corpo do modelo passa de {BODY_MAX} caracteres.", code="template_body"
        )
    for text in [str(c.get("text", "")) for c in components]:
        names = placeholders(text)
        if names and not (all(n.isdigit() for n in names) or not any(n.isdigit() for n in names)):
            raise InvalidContent(
                "Não misture variáveis numeradas ({{1}}) e nomeadas ({{nome}}) no mesmo modelo.",
                code="template_placeholders",
            )
        if names and names[0].isdigit() and names != [str(i) for i in range(1, len(names) + 1)]:
            raise InvalidContent(
                "Variáveis numeradas devem ser {{1}}, {{2}}, ... em sequência.",
                code="template_placeholders",
            )
    buttons = _component(components, "BUTTONS")
    for button in (buttons or {}).get("buttons", []):
        if str(button.get("type", "")).upper() not in BUTTON_TYPES:
            raise InvalidContent(
                f"Tipo de botão desconhecido: {button.get('type')}.", code="template_button"
            )
    return components


def _text_params(
    values: Sequence[Any] | Mapping[str, Any], names: list[str], where: str
) -> list[TemplateParameter]:
    named = bool(names) and not names[0].isdigit()
    if isinstance(values, Mapping):
        provided = {str(k): v for k, v in values.items()}
        if not named:  # {"1": "Maria"} is accepted for numbered placeholders
            ordered = [provided.get(str(i)) for i in range(1, len(names) + 1)]
            if set(provided) != {str(i) for i in range(1, len(names) + 1)}:
                _count_error(where, len(names), len(provided))
            values = ordered
        else:
            missing = [n for n in names if n not in provided]
            extra = [k for k in provided if k not in names]
            if missing or extra:
                detail = []
                if missing:
                    detail.append("faltam " + ", ".join(missing))
                if extra:
                    detail.append("sobram " + ", ".join(extra))
                raise InvalidContent(
                    f"Variáveis do {where} não conferem com o modelo ({'; '.join(detail)}).",
                    code="template_param_count",
                    field=where,
                )
            return [_text(provided[n], where, name=n) for n in names]
    values = list(values)
    if named:
        raise InvalidContent(
            f"O {where} deste modelo usa variáveis nomeadas ({', '.join(names)}): informe-as "
            "pelo nome.",
            code="template_param_format",
            field=where,
        )
    if len(values) != len(names):
        _count_error(where, len(names), len(values))
    return [_text(v, where) for v in values]


def _count_error(where: str, expected: int, got: int) -> None:
    raise InvalidContent(
        f"O modelo espera {expected} variável(is) no {where}; foram informadas {got}.",
        code="template_param_count",
        field=where,
    )


def _text(value: Any, where: str, name: str = "") -> TemplateParameter:
    if value is None or not isinstance(value, str | int | float):
        raise InvalidContent(
            f"Variável do {where} precisa ser texto.", code="template_param_format", field=where
        )
    text = str(value)
    if not text.strip():
        raise InvalidContent(
            f"Variável do {where} não pode ficar vazia.", code="template_param_empty", field=where
        )
    # The Cloud API refuses these (132018); say so before spending a call.
    if "\n" in text or "\t" in text or "     " in text:
        raise InvalidContent(
            f"Variável do {where} não pode ter quebra de linha, tabulação ou mais de 4 espaços "
            "seguidos.",
            code="template_param_format",
            field=where,
        )
    return TemplateParameter(type="text", text=text, name=name)


def _header(spec: dict | None, values: TemplateValues) -> TemplateComponent | None:
    if spec is None:
        if values.header or values.header_media_link:
            raise InvalidContent(
                "Este modelo não tem cabeçalho variável.", code="template_param_count"
            )
        return None
    fmt = str(spec.get("format", "TEXT")).upper()
    if fmt in MEDIA_FORMATS:
        if not values.header_media_link:
            raise InvalidContent(
                f"O cabeçalho deste modelo é {MEDIA_FORMATS[fmt]}: informe o link do arquivo.",
                code="template_param_count",
                field="header",
            )
        param = TemplateParameter(
            type=MEDIA_FORMATS[fmt],
            link=values.header_media_link,
            filename=values.header_media_filename,
        )
        return TemplateComponent(type="header", parameters=[param])
    names = placeholders(spec.get("text", ""))
    if not names:
        if values.header:
            _count_error("cabeçalho", 0, len(values.header))
        return None
    return TemplateComponent(
        type="header", parameters=_text_params(values.header, names, "cabeçalho")
    )


def _buttons(spec: dict | None, values: TemplateValues) -> list[TemplateComponent]:
    buttons = (spec or {}).get("buttons", [])
    unknown = [i for i in values.buttons if not 0 <= int(i) < len(buttons)]
    if unknown:
        raise InvalidContent(
            f"O modelo não tem botão na posição {unknown[0]}.", code="template_param_count"
        )
    result = []
    for index, button in enumerate(buttons):
        kind = str(button.get("type", "")).upper()
        value = values.buttons.get(index)
        if kind == "URL" and placeholders(button.get("url", "")):
            if value is None:
                raise InvalidContent(
                    f"O botão “{button.get('text', index)}” tem link variável: informe o final "
                    "do link.",
                    code="template_param_count",
                    field="buttons",
                )
            param = _text(value, "botão")
            result.append(TemplateComponent("button", [param], sub_type="url", index=index))
        elif kind == "QUICK_REPLY" and value is not None:
            param = TemplateParameter(type="payload", payload=str(value))
            result.append(TemplateComponent("button", [param], sub_type="quick_reply", index=index))
        elif value is not None:
            raise InvalidContent(
                f"O botão na posição {index} não aceita variável.", code="template_param_count"
            )
    return result


def template_fill(
    *,
    name: str,
    language: str,
    category: str,
    components: list[dict],
    values: TemplateValues,
    provider_template_id: str = "",
) -> TemplateMessage:
    """The template message to send, every variable checked against the definition."""
    body_spec = _component(components, "BODY") or {"text": ""}
    filled: list[TemplateComponent] = []
    header = _header(_component(components, "HEADER"), values)
    if header is not None:
        filled.append(header)
    names = placeholders(body_spec.get("text", ""))
    if names:
        filled.append(
            TemplateComponent(type="body", parameters=_text_params(values.body, names, "corpo"))
        )
    elif values.body:
        _count_error("corpo", 0, len(values.body))
    filled.extend(_buttons(_component(components, "BUTTONS"), values))
    message = TemplateMessage(
        name=name, language=language, components=filled,
        provider_template_id=provider_template_id, category=category,
    )  # fmt: skip
    rendered = template_render(components=components, message=message)
    if len(rendered.body) > BODY_MAX:
        raise InvalidContent(
            f"Com as variáveis, o corpo fica com {len(rendered.body)} caracteres; o máximo é "
            f"{BODY_MAX}.",
            code="template_too_long",
        )
    return message


@dataclass(frozen=True)
class Rendered:
    header: str
    body: str
    footer: str
    buttons: list[str]

    def as_text(self) -> str:
        parts = [p for p in (self.header, self.body, self.footer) if p]
        text = "\n".join(parts)
        if self.buttons:
            text += "\n[" + " · ".join(self.buttons) + "]"
        return text


def _substitute(text: str, params: list[TemplateParameter]) -> str:
    by_name = {p.name: p.text for p in params if p.name}
    by_position = {str(i): p.text for i, p in enumerate(params, start=1)}

    def replace(match: re.Match) -> str:
        key = match.group(1)
        return by_name.get(key, by_position.get(key, match.group(0)))

    return PLACEHOLDER.sub(replace, text or "")


def template_render(*, components: list[dict], message: TemplateMessage) -> Rendered:
    """The text the client sees (for history and transcripts)."""
    params = {c.type: c.parameters for c in message.components if c.type != "button"}
    header_spec = _component(components, "HEADER")
    header = ""
    if header_spec is not None:
        fmt = str(header_spec.get("format", "TEXT")).upper()
        header = (
            f"[{MEDIA_FORMATS[fmt]}]"
            if fmt in MEDIA_FORMATS
            else _substitute(header_spec.get("text", ""), params.get("header", []))
        )
    body = _substitute(
        (_component(components, "BODY") or {}).get("text", ""), params.get("body", [])
    )
    footer = (_component(components, "FOOTER") or {}).get("text", "")
    buttons = [
        str(b.get("text", "")) for b in (_component(components, "BUTTONS") or {}).get("buttons", [])
    ]
    return Rendered(header=header, body=body, footer=footer, buttons=buttons)
