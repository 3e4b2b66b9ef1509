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

Actions are applied in the step's transaction (step_actions.py) through the conversation layer,
with the system actor "fluxo"; what a step sees comes from program.py. A message refused by the conversation's gates (client opted out, 24-hour window
closed, inactive channel...) does not raise: the run stops there, with the reason recorded
(status `ended` when the client opted out, `failed` otherwise).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Q

from formaliza.conversations.models import (
    Conversation,
    ConversationKey,
    ConversationNote,
    Message,
)
from formaliza.conversations.services.conversations import conversation_keys_add
from formaliza.conversations.services.inbox import note_add
from formaliza.core import clock
from formaliza.core.errors import ApplicationError, NotFound
from formaliza.flows import engine
from formaliza.flows.effects import EffectContext, executor_get
from formaliza.flows.models import Flow, FlowRun, FlowRunEvent
from formaliza.flows.services.program import DbProgram, facts_for
from formaliza.flows.services.step_actions import Stop, actions_apply

logger = logging.getLogger(__name__)

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


def _apply_and_save(
    run: FlowRun, conv: Conversation, program, facts, result: engine.StepResult, record
) -> None:
    """Apply the step's actions; effects awaiting a result inside the transaction feed it back
    as a `result` event (recorded under its own key) until the run waits on something else."""
    state = result.state
    applied: list[dict] = []
    pending = actions_apply(
        run, conv, result.actions, applied, (run.card or state.card, state.card)
    )
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
        new = actions_apply(run, conv, step.actions, more, (resumed, state.card))
        sub.outcome, sub.actions = FlowRunEvent.Outcome.APPLIED, more
        sub.save(update_fields=["outcome", "actions"])
        pending = new if isinstance(new, Stop) else pending + new
    if isinstance(pending, Stop):
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
        carried = _formalization_run_carry(conv)
        if carried is not None:
            return "step" if _event_locked(carried, conv, event, key) else "ignored"
        pending = _formalization_pending_take(conv)
        if pending is not None:
            return "step" if _event_locked(pending, conv, event, key) else "started"
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


def _formalization_run_carry(conv: Conversation) -> FlowRun | None:
    """The client answers the formalization assistant after the invitation's conversation was
    closed (idle, say): the answer opened a new conversation, but it belongs to the
    formalization, not to the tenant's inbound flow. The run still waiting on the closed
    conversation of the same handle moves to this one, with the closed one's business keys
    (for the history search) and a note for the attendants. Call it with `conv` locked."""
    candidate = (
        FlowRun.objects.filter(
            conversation__handle_id=conv.handle_id,
            conversation__status=Conversation.Status.CLOSED,
            status__in=FlowRun.ACTIVE,
            context__has_key="journey",
        )
        .order_by("-pk")
        .values_list("pk", "conversation_id")
        .first()
    )
    if candidate is None:
        return None
    run_id, old_id = candidate
    old = _conversation_locked(old_id)  # conversation before run, as every step locks them
    run = FlowRun.objects.select_for_update().filter(pk=run_id, status__in=FlowRun.ACTIVE).first()
    if run is None or run.conversation_id != old.pk:
        return None
    run.conversation = conv
    run.save(update_fields=["conversation", "updated_at"])
    keys = [(k.kind, k.value) for k in ConversationKey.objects.filter(conversation=old)]
    conversation_keys_add(conversation=conv, keys=keys)
    note_add(
        conversation=conv, kind=ConversationNote.Kind.NOTE, run_id=run.pk,
        text=(
            f"O cliente respondeu à formalização {run.context.get('formalization', '')} depois "
            f"que o atendimento {old.protocol} foi encerrado; o assistente de formalização "
            "continua neste atendimento."
        ),
    )  # fmt: skip
    return run


def _formalization_pending_take(conv: Conversation) -> FlowRun | None:
    """The formalization assistant was left pending on a conversation people held, and people
    let go of it without starting the assistant: the conversation closed (the client's answer
    to the invitation opened this one), or it was given back to the bot. Nobody holds `conv`
    now, so the assistant starts here and gets the answer. Call it with `conv` locked."""
    candidate = (
        FlowRun.objects.filter(
            Q(conversation__status=Conversation.Status.CLOSED) | Q(conversation=conv),
            conversation__handle_id=conv.handle_id,
            status=FlowRun.Status.PENDING,
            context__has_key="journey",
        )
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if candidate is None:
        return None
    pending = (
        FlowRun.objects.select_for_update(of=("self",))
        .filter(pk=candidate, status=FlowRun.Status.PENDING)
        .select_related("flow", "conversation")
        .first()
    )
    if pending is None or pending.flow.live_id is None or pending.flow.archived_at is not None:
        return None
    context = dict(pending.context)
    variables = context.pop("variables", {})
    pending.status, pending.reason, pending.ended_at = (
        FlowRun.Status.ENDED, "iniciado por resposta do cliente", clock.now()
    )  # fmt: skip
    pending.save(update_fields=["status", "reason", "ended_at", "updated_at"])
    old = pending.conversation
    keys = [(k.kind, k.value) for k in ConversationKey.objects.filter(conversation=old)]
    conversation_keys_add(conversation=conv, keys=keys)
    where = (
        "depois que o atendimento foi devolvido ao assistente virtual"
        if old.pk == conv.pk
        else f"depois que o atendimento {old.protocol} foi encerrado sem iniciar o assistente"
    )
    note_add(
        conversation=conv, kind=ConversationNote.Kind.NOTE, run_id=pending.pk,
        text=(
            f"O cliente respondeu à formalização {context.get('formalization', '')} {where}; "
            "o assistente de formalização começou neste atendimento."
        ),
    )  # fmt: skip
    run = _start_locked(conv, pending.flow, context, variables, "start")
    return run if run.status in FlowRun.ACTIVE else None


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
