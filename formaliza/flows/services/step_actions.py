"""Carrying out the actions a step of the engine returned, in the step's transaction: messages
through the conversation layer (system actor "fluxo"), hand-overs to the inbox, effects (in the
transaction, or after it for network calls). A message refused by the conversation's gates or a
failed effect stops the run there, with the reason (`Stop`); nothing after it is applied."""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import transaction

from formaliza.accounts.actors import Actor
from formaliza.conversations.errors import MessageRefused
from formaliza.conversations.models import Conversation
from formaliza.conversations.services import (
    message_send_choices,
    message_send_media,
    message_send_template,
    message_send_text,
)
from formaliza.conversations.services.inbox import conversation_hand_over
from formaliza.conversations.template_rules import TemplateValues
from formaliza.core.errors import ApplicationError
from formaliza.core.tasks import enqueue
from formaliza.flows import actions
from formaliza.flows.effects import EffectContext, executor_get
from formaliza.flows.models import FlowRun

FLOW_EFFECT_RUN_TASK = "formaliza.flows.tasks.flow_effect_run"
SYSTEM_ACTOR = "fluxo"

logger = logging.getLogger(__name__)


@dataclass
class Stop:
    status: str
    reason: str


def actions_apply(
    run: FlowRun, conv: Conversation, todo, applied: list[dict], cards: tuple[str, str]
):
    """Apply actions in order. Returns the (token, data) results to feed back, or a `Stop`
    when a message was refused or an effect failed (the actions after it are not applied)."""
    results: list[tuple[str, dict]] = []
    for action in todo:
        entry = action.as_dict()
        applied.append(entry)
        try:
            outcome = _apply_one(run, conv, action, cards)
        except MessageRefused as exc:
            entry["refused"] = exc.code
            status = "ended" if exc.code == "opted_out" else "failed"
            return Stop(status, f"Mensagem não enviada ({exc.code}): {exc.message}")
        except ApplicationError as exc:
            entry["error"] = exc.code
            return Stop("failed", f"Ação {action.kind} falhou ({exc.code}): {exc.message}")
        except _EffectFailed as exc:
            entry["error"] = str(exc)
            return Stop("failed", str(exc))
        if outcome is not None:
            results.append(outcome)
    return results


class _EffectFailed(Exception):
    pass


def _actor(conv: Conversation) -> Actor:
    return Actor.of_system(conv.tenant, SYSTEM_ACTOR)


def _apply_one(run: FlowRun, conv: Conversation, action, cards) -> tuple[str, dict] | None:
    send = {"actor": _actor(conv), "channel": conv.channel, "to": conv.handle}
    reference = f"flow-run:{run.pk}"
    if isinstance(action, actions.SendText):
        message_send_text(text=action.text, reference=reference, **send)
    elif isinstance(action, actions.SendChoices):
        message_send_choices(
            body=action.text, button=action.button, reference=reference,
            choices=[(o.id, o.title, o.description) for o in action.options], **send,
        )  # fmt: skip
    elif isinstance(action, actions.SendMedia):
        _send_media(action, reference, send)
    elif isinstance(action, actions.SendTemplate):
        message_send_template(
            template=action.name, language=action.language, reference=reference,
            values=TemplateValues(**action.variables), **send,
        )  # fmt: skip
    elif isinstance(action, actions.Transfer):
        _transfer(conv, action)
    elif isinstance(action, actions.Effect):
        # The card that asked: the one the run waits on for a result (it waits there), else the
        # card the event resumed (cards that go on put their id in the payload if it matters).
        return _effect(run, conv, action, cards[1] if action.token else cards[0])
    # SetVariable, WaitForInput, GoToFlow and End are already in the state the run saves.
    return None


def _send_media(action: actions.SendMedia, reference: str, send: dict) -> None:
    try:
        with default_storage.open(action.file, "rb") as fh:
            data = fh.read()
    except (FileNotFoundError, OSError) as exc:
        raise _EffectFailed(f"Arquivo do fluxo não encontrado: {action.file}") from exc
    filename = action.filename or action.file.rsplit("/", 1)[-1]
    mime_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    message_send_media(
        kind=action.media, data=data, filename=filename, mime_type=mime_type,
        caption=action.caption, reference=reference, **send,
    )  # fmt: skip


def _transfer(conv: Conversation, action: actions.Transfer) -> None:
    """The conversation leaves the bot for people (the inbox's queues, in conversations)."""
    conversation_hand_over(
        conversation=conv, department=action.department, attendant=action.attendant,
        note=action.note,
    )  # fmt: skip


def _effect(run: FlowRun, conv: Conversation, action: actions.Effect, card: str):
    try:
        found = executor_get(action.name)
    except KeyError as exc:
        raise _EffectFailed(f"Efeito desconhecido: {action.name}") from exc
    ctx = EffectContext(tenant=conv.tenant, conversation=conv, run_id=run.pk, card=card)
    if found.outside_transaction:
        transaction.on_commit(
            lambda: enqueue(FLOW_EFFECT_RUN_TASK, run.pk, action.name, action.payload, action.token)
        )
        return None
    try:
        with transaction.atomic():
            data = found.fn(ctx, dict(action.payload))
    except ApplicationError as exc:
        raise _EffectFailed(f"Efeito {action.name} falhou: {exc.message}") from exc
    except Exception as exc:
        logger.exception("flow run %s: effect %s failed", run.pk, action.name)
        raise _EffectFailed(f"Efeito {action.name} falhou: {type(exc).__name__}") from exc
    if action.token:
        return action.token, dict(data or {})
    return None
