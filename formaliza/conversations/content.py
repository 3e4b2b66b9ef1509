"""What a message says, independent of the provider: typed dataclasses stored as JSON in
`Message.content` and turned into each provider's wire format by its adapter."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Choice:
    """An option offered to the client. `id` comes back in the reply; `title` is what they see."""

    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[Choice]


@dataclass(frozen=True)
class Text:
    body: str
    preview_url: bool = False
    type: str = "text"


@dataclass(frozen=True)
class TemplateParameter:
    """One value for a template placeholder. `name` is set for named placeholders ({{nome}})."""

    type: str = "text"  # text | image | video | document | payload
    text: str = ""
    name: str = ""
    link: str = ""
    media_id: str = ""
    filename: str = ""
    payload: str = ""


@dataclass(frozen=True)
class TemplateComponent:
    type: str  # header | body | button
    parameters: list[TemplateParameter] = field(default_factory=list)
    sub_type: str = ""  # button: url | quick_reply
    index: int | None = None  # button position in the template


@dataclass(frozen=True)
class TemplateMessage:
    name: str
    language: str
    components: list[TemplateComponent] = field(default_factory=list)
    provider_template_id: str = ""
    category: str = ""
    type: str = "template"


@dataclass(frozen=True)
class Interactive:
    """Reply buttons (`style="button"`) or a list (`style="list"`). `choices` holds every option
    of the question (all pages) so replies and the next page can be resolved later."""

    style: str
    body: str
    choices: list[Choice]
    rows: list[Choice] = field(default_factory=list)  # the options shown in this message
    header: str = ""
    footer: str = ""
    button: str = ""  # list: label of the button that opens it
    section_title: str = ""
    page: int = 1
    pages: int = 1
    type: str = "interactive"


@dataclass(frozen=True)
class NumberedChoices:
    """Choices as numbered text, for more options than a list holds, long titles, or SMS."""

    body: str
    choices: list[Choice]
    type: str = "numbered"


@dataclass(frozen=True)
class Media:
    kind: str  # image | audio | video | document | sticker
    attachment_id: int
    caption: str = ""
    filename: str = ""
    mime_type: str = ""
    media_id: str = ""  # filled at dispatch once uploaded to the provider
    type: str = "media"


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str = ""
    attachment_ids: list[int] = field(default_factory=list)
    type: str = "email"


Content = Text | TemplateMessage | Interactive | NumberedChoices | Media | Email


def content_to_dict(content: Content) -> dict[str, Any]:
    return asdict(content)


def _choices(items: list[dict]) -> list[Choice]:
    return [Choice(**item) for item in items]


def content_from_dict(data: dict[str, Any]) -> Content:
    kind = data.get("type")
    data = {k: v for k, v in data.items() if k != "type"}
    if kind == "text":
        return Text(**data)
    if kind == "template":
        components = [
            TemplateComponent(
                type=c["type"],
                sub_type=c.get("sub_type", ""),
                index=c.get("index"),
                parameters=[TemplateParameter(**p) for p in c.get("parameters", [])],
            )
            for c in data.pop("components", [])
        ]
        return TemplateMessage(components=components, **data)
    if kind == "interactive":
        data["choices"] = _choices(data["choices"])
        data["rows"] = _choices(data.get("rows", []))
        return Interactive(**data)
    if kind == "numbered":
        return NumberedChoices(body=data["body"], choices=_choices(data["choices"]))
    if kind == "media":
        return Media(**data)
    if kind == "email":
        return Email(**data)
    raise ValueError(f"unknown content type {kind!r}")
