"""What the engine asks the world to do. The engine returns these; `services.runtime` applies
them through the conversation layer (and the other services), in order, in one transaction with
the new run state.

Every action is a frozen dataclass with a `kind`; `as_dict()` is what the run log stores.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class Action:
    kind: ClassVar[str] = ""

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **dataclasses.asdict(self)}


@dataclass(frozen=True)
class SendText(Action):
    kind: ClassVar[str] = "send_text"
    text: str


@dataclass(frozen=True)
class SendMedia(Action):
    """A file the tenant uploaded for the flow (PNG, JPEG, PDF or MP3), by its storage name."""

    kind: ClassVar[str] = "send_media"
    media: str  # "image" | "document" | "audio"
    file: str  # storage name under the flow's media
    filename: str = ""
    caption: str = ""


@dataclass(frozen=True)
class Option:
    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class SendChoices(Action):
    """A question with options; the conversation layer renders it within WhatsApp's limits
    (1-3 reply buttons, 4-10 a list, more as pages or numbered text)."""

    kind: ClassVar[str] = "send_choices"
    text: str
    options: tuple[Option, ...]
    button: str = "Ver opções"


@dataclass(frozen=True)
class SendTemplate(Action):
    kind: ClassVar[str] = "send_template"
    name: str
    language: str
    variables: dict[str, list[str]] = field(default_factory=dict)  # component -> values


@dataclass(frozen=True)
class SetVariable(Action):
    kind: ClassVar[str] = "set_variable"
    name: str
    value: Any


@dataclass(frozen=True)
class WaitForInput(Action):
    """The run now waits on `card`; `token` names this wait (a timer or result for another wait
    is stale); `until` (ISO 8601) is when it times out, if it does."""

    kind: ClassVar[str] = "wait"
    card: str
    token: str
    until: str | None = None


@dataclass(frozen=True)
class Transfer(Action):
    """The conversation leaves the bot for a department's queue or one attendant."""

    kind: ClassVar[str] = "transfer"
    department: str = ""
    attendant: str = ""  # username
    note: str = ""


@dataclass(frozen=True)
class GoToFlow(Action):
    kind: ClassVar[str] = "go_to_flow"
    flow: str
    version: int


@dataclass(frozen=True)
class End(Action):
    kind: ClassVar[str] = "end"
    reason: str = ""


@dataclass(frozen=True)
class Effect(Action):
    """Anything else the world must do: tag the conversation, notify a group, look up a contact,
    call an HTTP integration, record a survey answer... `name` selects the executor in
    `services.effects`. When `token` is set, the card waits for the executor's result, which
    comes back as an `Event(kind="result", token=token, data=...)`."""

    kind: ClassVar[str] = "effect"
    name: str
    payload: dict[str, Any] = field(default_factory=dict)
    token: str = ""
