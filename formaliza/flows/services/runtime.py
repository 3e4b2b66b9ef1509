"""The flow runtime: applies the pure engine (`flows.engine`) to conversations in the database.

- `run_start` begins a flow's live version on a conversation;
- `run_event` applies one event (a message, a timer, an effect's result) to a run;
- `inbound_message_handle` routes a client's message to the conversation's active run, or starts
  the tenant's `inbound` flow;
- `run_timers_sweep` fires the timers of waits that timed out.

One step at a time per conversation, however many workers: every step runs in one transaction
holding the conversation's row lock and then the run's (always in that order, so two workers
never deadlock; on SQLite the IMMEDIATE write transaction serializes them). Every event is keyed
(`start`, `msg:<message>`, `timer:<token>`, `result:<token>`) and recorded in `FlowRunEvent`
before it is applied: a duplicate key is ignored. Timers and results whose token is not the
current wait's are stale and ignored by the engine.

Actions are applied in the step's transaction through the conversation layer, with the system
actor "fluxo". A message refused by the conversation's gates (client opted out, 24-hour window
closed, inactive channel...) does not raise: the run stops there, with the reason recorded
(status `ended` when the client opted out, `failed` otherwise).
"""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from formaliza.accounts.actors import Actor
from formaliza.conversations.errors import MessageRefused
from formaliza.conversations.models import Conversation, Message
from formaliza.conversations.services import (
    message_send_choices,
    message_send_media,
    message_send_template,
    message_send_text,
)
from formaliza.conversations.services.inbox import conversation_hand_over
from formaliza.conversations.template_rules import TemplateValues
from formaliza.core import clock
from formaliza.core.errors import ApplicationError, NotFound
from formaliza.core.tasks import enqueue
from formaliza.flows import actions, engine
from formaliza.flows.cards.registry import CardType, card_type
from formaliza.flows.document import FlowDocument
from formaliza.flows.effects import EffectContext, executor_get
from formaliza.flows.format import parse
from formaliza.flows.models import BusinessPeriod, Flow, FlowRun, FlowRunEvent, FlowVersion

FLOW_EFFECT_RUN_TASK = "formaliza.flows.tasks.flow_effect_run"

logger = logging.getLogger(__name__)

SYSTEM_ACTOR = "fluxo"
# Results of in-transaction effects fed back within one step (a card asking again and again
# would otherwise loop without bound; the engine's own hop limit also applies).
MAX_RESULTS_PER_STEP = 50
MEDIA_KINDS = {"image", "audio", "video", "document", "sticker"}


class FlowNotPublished(ApplicationError):
    def __init__(self, flow: Flow):
        super().__init__(
            code="flow_not_published",
            message=f"O fluxo “{flow.name}” ainda não tem versão publicada.",
            status=409,
        )


# --- program: flow versions from the database ---------------------------------------------------

# Parsed documents by checksum: versions are immutable and the checksum names their content.
_PARSED: dict[str, FlowDocument] = {}
_PARSED_MAX = 256


def _parsed(checksum: str, load) -> FlowDocument:
    doc = _PARSED.get(checksum) if checksum else None
    if doc is None:
        doc = parse(load())
        if checksum:
            if len(_PARSED) >= _PARSED_MAX:
                _PARSED.clear()
            _PARSED[checksum] = doc
    return doc


class DbProgram:
    """The engine's `Program` over one tenant's published versions: `document(key, number)` is
    that version; `latest(key)` is the flow's live version (None when unpublished or
    archived)."""

    def __init__(self, tenant_id: int):
        self.tenant_id = tenant_id
        self._docs: dict[tuple[str, int], FlowDocument] = {}

    def document(self, key: str, version: int) -> FlowDocument:
        found = self._docs.get((key, version))
        if found is None:
            row = FlowVersion.objects.filter(
                flow__tenant_id=self.tenant_id, flow__key=key, number=version
            ).values("pk", "checksum")
            row = row.first()
            if row is None:
                raise KeyError(f"{key} v{version}")
            found = _parsed(row["checksum"], lambda: FlowVersion.objects.get(pk=row["pk"]).document)
            self._docs[(key, version)] = found
        return found

    def card_type(self, name: str) -> CardType:
        return card_type(name)

    def latest(self, key: str) -> tuple[FlowDocument, int] | None:
        flow = (
            Flow.objects.filter(
                tenant_id=self.tenant_id, key=key, archived_at__isnull=True, live__isnull=False
            )
            .values("live__number")
            .first()
        )
        if flow is None:
            return None
        number = flow["live__number"]
        return self.document(key, number), number


# --- facts --------------------------------------------------------------------------------------


def facts_for(conversation: Conversation, *, now: dt.datetime | None = None) -> engine.Facts:
    """What the engine may know about a conversation, in the tenant's local time."""
    handle = conversation.handle
    contact = conversation.contact
    periods = tuple(
        engine.Period(weekday=p.weekday, start=p.start, end=p.end)
        for p in BusinessPeriod.objects.filter(tenant_id=conversation.tenant_id)
    )
    assignee = conversation.assignee
    return engine.Facts(
        now=clock.local(now or clock.now()),
        protocol=conversation.protocol,
        whatsapp_name=handle.profile_name,
        client_name=contact.name if contact is not None else "",
        phone=handle.address if handle.address.startswith("+") else "",
        company_name=conversation.tenant.name,
        attendant_name=assignee.display_name if assignee is not None else "",
        channel=conversation.channel.kind,
        provider=conversation.channel.provider,
        origin=conversation.origin,
        branch=conversation.branch.code if conversation.branch is not None else "",
        tags=tuple(str(t) for t in conversation.tags or ()),
        registration_type=contact.kind if contact is not None and contact.document else "",
        document=contact.document if contact is not None else "",
        business_hours=periods,
        extra={"department": conversation.department.name if conversation.department else ""},
    )


def _conversation_locked(conversation_id: int) -> Conversation:
    return (
        Conversation.objects.select_for_update(of=("self",))
        .select_related(
            "tenant", "channel", "handle", "contact", "assignee", "branch", "department"
        )
        .get(pk=conversation_id)
    )


# --- starting a run -----------------------------------------------------------------------------


def run_start(
    *,
    conversation: Conversation,
    flow: Flow,
    context: dict | None = None,
    variables: dict | None = None,
    key: str = "start",
) -> FlowRun:
    """Start `flow`'s live version on `conversation` and run it until it waits or ends.

    The conversation is handed to the bot. A run already active on the conversation is ended
    first (reason "substituída"): a conversation follows one flow at a time. Raises
    `FlowNotPublished` when the flow has no live version (or is archived), `NotFound` for
    another tenant's flow."""
    if flow.tenant_id != conversation.tenant_id:  # another tenant's flow does not exist here
        raise NotFound("Fluxo", code="flow_not_found")
    with transaction.atomic():
        conv = _conversation_locked(conversation.pk)
        return _start_locked(conv, flow, context or {}, variables or {}, key)


def _start_locked(conv: Conversation, flow: Flow, context, variables, key: str) -> FlowRun:
    flow = Flow.objects.select_related("live").get(pk=flow.pk)
    if flow.live is None or flow.archived_at is not None:
        raise FlowNotPublished(flow)
    now = clock.now()
    for active in FlowRun.objects.select_for_update().filter(
        conversation=conv, status__in=FlowRun.ACTIVE
    ):
        state = dict(active.state)
        state.update(status="ended", reason="substituída", wait=None)
        active.status, active.reason, active.state = FlowRun.Status.ENDED, "substituída", state
        active.wait_token, active.wait_until, active.ended_at = "", None, now
        active.save(
            update_fields=[
                "status", "reason", "state", "wait_token", "wait_until", "ended_at", "updated_at"
            ]
        )  # fmt: skip
    if conv.handler != Conversation.Handler.BOT:
        conv.handler = Conversation.Handler.BOT
        conv.save(update_fields=["handler", "updated_at"])
    run = FlowRun.objects.create(
        tenant_id=conv.tenant_id, conversation=conv, flow=flow, version=flow.live,
        status=FlowRun.Status.RUNNING, card="", context=context,
    )  # fmt: skip
    record = FlowRunEvent.objects.create(
        run=run, key=key[:80], kind="start", outcome=FlowRunEvent.Outcome.APPLIED
    )
    program = DbProgram(conv.tenant_id)
    facts = facts_for(conv, now=now)
    try:
        result = engine.start(program, flow.key, flow.live.number, facts, variables)
    except Exception as exc:  # a bug in a card must not take the worker down with it
        logger.exception("flow run %s: start failed", run.pk)
        _fail(run, record, f"erro ao iniciar: {type(exc).__name__}")
        return run
    _apply_and_save(run, conv, program, facts, result, record)
    return run


# --- applying an event --------------------------------------------------------------------------


def run_event(*, run_id: int, event: engine.Event, key: str) -> bool:
    """Apply one event to a run, once per `key`. Returns True when the engine consumed it
    (False: duplicate key, stale timer/result, run no longer active, or not for this card)."""
    conversation_id = (
        FlowRun.objects.filter(pk=run_id).values_list("conversation_id", flat=True).first()
    )
    if conversation_id is None:
        return False
    with transaction.atomic():
        conv = _conversation_locked(conversation_id)
        run = FlowRun.objects.select_for_update().get(pk=run_id)
        return _event_locked(run, conv, event, key)


def _record(run: FlowRun, key: str, kind: str) -> FlowRunEvent | None:
    """Insert the event's key first: a duplicate is known before anything runs."""
    try:
        with transaction.atomic():
            return FlowRunEvent.objects.create(
                run=run, key=key[:80], kind=kind, outcome=FlowRunEvent.Outcome.IGNORED,
                card=run.card,
            )  # fmt: skip
    except IntegrityError:
        return None


def _event_locked(run: FlowRun, conv: Conversation, event: engine.Event, key: str) -> bool:
    record = _record(run, key, event.kind)
    if record is None or run.status not in FlowRun.ACTIVE:
        return False
    program = DbProgram(conv.tenant_id)
    facts = facts_for(conv)
    state = engine.RunState.from_dict(run.state)
    try:
        result = engine.step(program, state, event, facts)
    except Exception as exc:
        logger.exception("flow run %s: step failed", run.pk)
        _fail(run, record, f"erro no card {state.card}: {type(exc).__name__}")
        return True
    if not result.consumed:
        return False
    record.outcome = FlowRunEvent.Outcome.APPLIED
    _apply_and_save(run, conv, program, facts, result, record)
    return True


@dataclass
class _Stop:
    status: str
    reason: str


def _apply_and_save(
    run: FlowRun, conv: Conversation, program, facts, result: engine.StepResult, record
) -> None:
    """Apply the step's actions; effects awaiting a result inside the transaction feed it back
    as a `result` event (recorded under its own key) until the run waits on something else."""
    state = result.state
    applied: list[dict] = []
    pending = _apply(run, conv, result.actions, applied, (run.card or state.card, state.card))
    record.actions = applied
    record.save(update_fields=["outcome", "actions"])
    rounds = 0
    while isinstance(pending, list) and pending and state.active and rounds < MAX_RESULTS_PER_STEP:
        rounds += 1
        token, data = pending.pop(0)
        event = engine.Event(kind="result", token=token, data=data)
        sub = _record(run, f"result:{token}", "result")
        if sub is None:
            continue
        try:
            step = engine.step(program, state, event, facts)
        except Exception as exc:
            logger.exception("flow run %s: step failed", run.pk)
            _save(run, state, facts)
            _fail(run, sub, f"erro no card {state.card}: {type(exc).__name__}")
            return
        if not step.consumed:
            continue
        resumed, state = state.card, step.state
        more: list[dict] = []
        new = _apply(run, conv, step.actions, more, (resumed, state.card))
        sub.outcome, sub.actions = FlowRunEvent.Outcome.APPLIED, more
        sub.save(update_fields=["outcome", "actions"])
        pending = new if isinstance(new, _Stop) else pending + new
    if isinstance(pending, _Stop):
        state.status, state.reason, state.wait = pending.status, pending.reason, None
        state.stack = []
    _save(run, state, facts)


def _save(run: FlowRun, state: engine.RunState, facts) -> None:
    run.state = state.to_dict()
    run.status = state.status
    run.card = state.card[:64]
    run.reason = state.reason[:300]
    run.wait_token = state.wait.token if state.wait else ""
    run.wait_until = (
        dt.datetime.fromisoformat(state.wait.until) if state.wait and state.wait.until else None
    )
    run.steps += 1
    if not state.active and run.ended_at is None:
        run.ended_at = clock.now()
    run.save()


def _fail(run: FlowRun, record: FlowRunEvent, reason: str) -> None:
    state = dict(run.state or {})
    state.update(status="failed", reason=reason, wait=None, stack=[])
    run.state = state
    run.status, run.reason = FlowRun.Status.FAILED, reason[:300]
    run.wait_token, run.wait_until, run.ended_at = "", None, clock.now()
    run.save()
    record.outcome = FlowRunEvent.Outcome.APPLIED
    record.save(update_fields=["outcome"])


def _apply(run: FlowRun, conv: Conversation, todo, applied: list[dict], cards: tuple[str, str]):
    """Apply actions in order. Returns the (token, data) results to feed back, or a `_Stop`
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
            return _Stop(status, f"Mensagem não enviada ({exc.code}): {exc.message}")
        except ApplicationError as exc:
            entry["error"] = exc.code
            return _Stop("failed", f"Ação {action.kind} falhou ({exc.code}): {exc.message}")
        except _EffectFailed as exc:
            entry["error"] = str(exc)
            return _Stop("failed", str(exc))
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


def effect_run_outside(*, run_id: int, name: str, payload: dict, token: str) -> bool:
    """Run an executor flagged `outside_transaction` (network calls) after the step committed,
    then feed its result to the run as a `result` event (when the card waits for one)."""
    run = FlowRun.objects.select_related("tenant", "conversation").filter(pk=run_id).first()
    if run is None or run.status not in FlowRun.ACTIVE:
        return False
    ctx = EffectContext(
        tenant=run.tenant, conversation=run.conversation, run_id=run.pk, card=run.card
    )
    try:
        data = executor_get(name).fn(ctx, dict(payload)) or {}
    except Exception as exc:
        logger.exception("flow run %s: effect %s failed", run_id, name)
        data = {"ok": False, "error": type(exc).__name__}
    if not token:
        return False
    return run_event(
        run_id=run_id, event=engine.Event(kind="result", token=token, data=data),
        key=f"result:{token}",
    )  # fmt: skip


# --- inbound messages ---------------------------------------------------------------------------


def event_of_message(message: Message) -> engine.Event:
    media = message.kind if message.kind in MEDIA_KINDS else ""
    attachment = ""
    if media:
        found = message.attachments.values_list("pk", flat=True).first()
        attachment = str(found) if found else ""
    return engine.Event(
        kind="message", text=(message.body or "").strip(), choice=message.choice_id,
        media=media, attachment=attachment, message=str(message.public_id),
    )  # fmt: skip


def inbound_message_handle(*, message_id: int) -> str:
    """Route a client's message to its conversation's active run, or start the tenant's
    `inbound` flow. Conversations handled by people (queue, attendant) are left alone.
    Returns what happened: "step", "ignored", "started", "human", "no_flow", "skipped"."""
    message = (
        Message.objects.filter(pk=message_id, direction=Message.Direction.INBOUND)
        .only("pk", "conversation_id")
        .first()
    )
    if message is None or message.conversation_id is None:
        return "skipped"
    with transaction.atomic():
        conv = _conversation_locked(message.conversation_id)
        if conv.status != Conversation.Status.OPEN:
            return "skipped"
        if conv.handler != Conversation.Handler.BOT:
            return "human"
        message = Message.objects.select_related(None).get(pk=message_id)
        event = event_of_message(message)
        key = f"msg:{message.public_id}"
        run = (
            FlowRun.objects.select_for_update()
            .filter(conversation=conv, status__in=FlowRun.ACTIVE)
            .first()
        )
        if run is not None:
            return "step" if _event_locked(run, conv, event, key) else "ignored"
        if FlowRunEvent.objects.filter(run__conversation=conv, key=key).exists():
            return "ignored"  # this message already started (or reached) a run that ended
        flow = (
            Flow.objects.filter(
                tenant_id=conv.tenant_id,
                trigger=Flow.Trigger.INBOUND,
                archived_at__isnull=True,
                live__isnull=False,
            )
            .select_related("live")
            .first()
        )
        if flow is None:
            return "no_flow"
        _start_locked(conv, flow, {"message": str(message.public_id)}, {}, key)
        return "started"


# --- timers -------------------------------------------------------------------------------------


def run_timers_sweep(*, limit: int = 500) -> int:
    """Fire a `timer` event for each waiting run whose deadline passed. Returns how many were
    applied."""
    due = list(
        FlowRun.objects.filter(status=FlowRun.Status.WAITING, wait_until__lte=clock.now())
        .order_by("wait_until")
        .values_list("pk", "wait_token")[:limit]
    )
    fired = 0
    for run_id, token in due:
        try:
            fired += run_event(
                run_id=run_id, event=engine.Event(kind="timer", token=token),
                key=f"timer:{token}",
            )  # fmt: skip
        except Exception:
            logger.exception("flow run %s: timer failed", run_id)
    return fired


def run_state(run: FlowRun) -> engine.RunState:
    return engine.RunState.from_dict(run.state)
