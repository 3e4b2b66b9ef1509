"""The flow engine's pure core.

`step(program, state, event, facts)` takes a flow version (through `program`), the run state, one
event and the facts the service knows about the conversation, and returns the new state and the
actions to apply. It never touches the database, the clock or the network: the same input gives
the same output, which is what lets the service serialize steps per conversation, drop stale and
duplicate events, and test every card without a server.

Events: `start` (a run begins), `message` (the client wrote, replied to a button/list or sent a
file), `timer` (a wait timed out or a delay elapsed) and `result` (an effect the card asked for
returned). A `timer` or `result` whose token is not the current wait's is stale and ignored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from formaliza.flows import actions
from formaliza.flows.document import CardDef, FlowDocument

# Hops (cards entered) allowed for one event: a loop of system cards with no wait in it would
# otherwise spin forever. Reaching it fails the run with a clear reason.
MAX_HOPS = 200
MAX_STACK = 10


# --- inputs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    kind: Literal["start", "message", "timer", "result"]
    text: str = ""
    choice: str = ""  # id of the chosen button/list option, when the client tapped one
    media: str = ""  # "image", "document", "audio"... when the client sent a file
    attachment: str = ""  # the attachment's reference (id) for a file
    message: str = ""  # the inbound message's public id
    token: str = ""  # for timer/result: the wait it answers
    data: dict[str, Any] = field(default_factory=dict)  # for result: what the effect returned


@dataclass(frozen=True)
class Period:
    weekday: int  # 0 = Monday
    start: dt.time
    end: dt.time


@dataclass(frozen=True)
class Facts:
    """What the service knows about the conversation at this step. `now` is the tenant's local
    time (aware)."""

    now: dt.datetime
    protocol: str = ""
    whatsapp_name: str = ""
    client_name: str = ""  # client/supplier name from our contacts
    phone: str = ""  # E.164
    company_name: str = ""  # the tenant
    attendant_name: str = ""
    channel: str = ""  # channel kind: whatsapp, sms, email
    provider: str = ""  # meta_cloud, zenvia, twilio, fake
    origin: str = ""  # client | business
    branch: str = ""
    tags: tuple[str, ...] = ()
    registration_type: str = ""  # person | company | "" (unknown)
    document: str = ""  # CPF/CNPJ of the linked contact, digits
    business_hours: tuple[Period, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


class CardBehaviour(Protocol):
    """What a card type does (cards/registry.py `CardType`): the engine asks its program for
    it by type name and imports no card."""

    def enter(self, ctx: Context, card: CardDef) -> Outcome: ...

    def resume(self, ctx: Context, card: CardDef, event: Event) -> Outcome: ...


class Program(Protocol):
    """Read-only access to flow versions for one run (the service backs it with the database)
    and to the card types they use."""

    def document(self, key: str, version: int) -> FlowDocument: ...

    def card_type(self, name: str) -> CardBehaviour: ...

    def latest(self, key: str) -> tuple[FlowDocument, int] | None: ...


# --- state --------------------------------------------------------------------------------------


@dataclass
class Waiting:
    card: str
    token: str
    until: str | None = None  # ISO 8601
    data: dict[str, Any] = field(default_factory=dict)  # the card's own scratch (attempts...)


@dataclass
class Frame:
    flow: str
    version: int
    card: str  # the go-to-flow card to return to
    output: str  # its output taken on return


@dataclass
class RunState:
    flow: str
    version: int
    status: Literal["running", "waiting", "ended", "transferred", "failed"] = "running"
    card: str = ""
    wait: Waiting | None = None
    vars: dict[str, Any] = field(default_factory=dict)
    stack: list[Frame] = field(default_factory=list)
    seq: int = 0  # waits issued so far (tokens are unique within the run)
    hops: int = 0  # cards entered over the run's life
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunState:
        data = dict(data)
        wait = data.pop("wait", None)
        stack = data.pop("stack", [])
        return cls(
            **data,
            wait=Waiting(**wait) if wait else None,
            stack=[Frame(**f) for f in stack],
        )

    @property
    def active(self) -> bool:
        return self.status in ("running", "waiting")


# --- outcomes of a card -------------------------------------------------------------------------


@dataclass(frozen=True)
class Next:
    output: str = "next"


@dataclass(frozen=True)
class Wait:
    """Wait on this card for a message (or the effect's result). `timeout` in seconds produces a
    `timer` event; `data` is kept and given back to the card as `ctx.wait_data`."""

    timeout: float | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Finish:
    """End the run (`scope="run"`) or only this flow, returning to the calling flow if any
    (`scope="flow"`). `status` "transferred" marks a hand-over to people."""

    reason: str = ""
    scope: Literal["flow", "run"] = "flow"
    status: Literal["ended", "transferred", "failed"] = "ended"


@dataclass(frozen=True)
class Call:
    """Go to another flow (its latest published version) and, when it ends, come back through
    this card's `output` (None: do not come back)."""

    flow: str
    output: str | None = "next"


@dataclass(frozen=True)
class Ignore:
    """The event is not for this card (a message to a card that waits for a result): nothing
    changes."""


Outcome = Next | Wait | Finish | Call | Ignore


# --- the context a card sees --------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class Context:
    def __init__(self, state: RunState, facts: Facts, doc: FlowDocument, out: list[actions.Action]):
        self.state = state
        self.facts = facts
        self.doc = doc
        self._out = out
        self.wait_data: dict[str, Any] = dict(state.wait.data) if state.wait else {}

    @property
    def vars(self) -> dict[str, Any]:
        return self.state.vars

    def emit(self, action: actions.Action) -> None:
        self._out.append(action)

    def set_var(self, name: str, value: Any) -> None:
        self.state.vars[name] = value
        self.emit(actions.SetVariable(name=name, value=value))

    def token(self) -> str:
        """A token for the wait this card is about to start (effects awaiting a result carry
        it)."""
        return f"w{self.state.seq + 1}"

    def builtins(self) -> dict[str, str]:
        f = self.facts
        return {
            "protocolo": f.protocol,
            "nome_whatsapp": f.whatsapp_name or f.client_name or "Cliente",
            "cliente": f.client_name or "Cliente",
            "telefone": f.phone,
            "empresa": f.company_name,
            "atendente": f.attendant_name,
        }

    def lookup(self, name: str) -> Any:
        if name in self.state.vars:
            return self.state.vars[name]
        return self.builtins().get(name, "")

    def render(self, text: str) -> str:
        """Fill `{{name}}` placeholders: built-ins (protocolo, nome_whatsapp, cliente, telefone,
        empresa, atendente) and flow variables (which win on a clash). Unknown names become
        empty text."""

        def value(match: re.Match) -> str:
            v = self.lookup(match.group(1))
            return "" if v is None else str(v)

        return PLACEHOLDER.sub(value, text)


# --- the step -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepResult:
    state: RunState
    actions: tuple[actions.Action, ...]
    consumed: bool  # False: the event was stale, duplicate or not for this run; nothing changed


def start(program: Program, flow: str, version: int, facts: Facts, variables: dict | None = None):
    """Begin a run of `flow` at `version`."""
    doc = program.document(flow, version)
    state = RunState(flow=flow, version=version)
    state.vars = {v.name: v.default for v in doc.variables}
    state.vars.update(variables or {})
    out: list[actions.Action] = []
    _run(program, state, facts, out, card_id=doc.start, outcome=None)
    return StepResult(state, tuple(out), True)


def step(program: Program, state: RunState, event: Event, facts: Facts) -> StepResult:
    """Apply one event to a run. The input state is not modified."""
    if not state.active or state.wait is None:
        return StepResult(state, (), False)
    if event.kind in ("timer", "result") and event.token != state.wait.token:
        return StepResult(state, (), False)
    new = RunState.from_dict(state.to_dict())
    doc = program.document(new.flow, new.version)
    card = doc.cards.get(new.wait.card)
    if card is None:  # cannot happen with a parsed document; fail loudly but safely
        new.status, new.reason = "failed", f"card {new.wait.card} não existe"
        return StepResult(new, (actions.End(reason=new.reason),), True)
    out: list[actions.Action] = []
    ctx = Context(new, facts, doc, out)
    outcome = program.card_type(card.type).resume(ctx, card, event)
    if isinstance(outcome, Ignore):
        return StepResult(state, (), False)
    new.wait = None
    new.status = "running"
    _run(program, new, facts, out, card_id=card.id, outcome=outcome)
    return StepResult(new, tuple(out), True)


def _run(program, state: RunState, facts: Facts, out, *, card_id: str, outcome) -> None:
    """Enter cards from `card_id` (or, when `outcome` is given, continue from the outcome the
    card at `card_id` already produced) until the run waits or ends."""
    doc = program.document(state.flow, state.version)
    hops = 0
    while True:
        card = doc.cards[card_id]
        state.card = card_id
        if outcome is None:
            hops += 1
            state.hops += 1
            if hops > MAX_HOPS:
                _finish(
                    state,
                    out,
                    "failed",
                    "o fluxo passou por cards demais sem esperar o cliente (laço?)",
                )
                return
            outcome = program.card_type(card.type).enter(Context(state, facts, doc, out), card)

        if isinstance(outcome, Next):
            target = card.target(outcome.output)
            if target is None:
                # Not connected: this flow ends here; go back to the caller if there is one.
                resumed = _return(program, state, out)
                if resumed is None:
                    _finish(state, out, "ended", "")
                    return
                doc, card_id, outcome = resumed
                continue
            card_id, outcome = target, None
            continue

        if isinstance(outcome, Wait):
            state.seq += 1
            until = None
            if outcome.timeout is not None:
                until = (facts.now + dt.timedelta(seconds=outcome.timeout)).isoformat()
            state.wait = Waiting(
                card=card.id, token=f"w{state.seq}", until=until, data=dict(outcome.data)
            )
            state.status = "waiting"
            out.append(actions.WaitForInput(card=card.id, token=state.wait.token, until=until))
            return

        if isinstance(outcome, Call):
            if len(state.stack) >= MAX_STACK:
                _finish(state, out, "failed", "fluxos chamados uns dentro dos outros demais")
                return
            target = program.latest(outcome.flow)
            if target is None:
                # The called flow is missing or unpublished: take the card's failure path, if
                # connected; otherwise the run fails with the reason.
                if card.target("failure"):
                    card_id, outcome = card.target("failure"), None
                    continue
                _finish(state, out, "failed", f'fluxo "{outcome.flow}" não publicado')
                return
            sub, version = target
            if outcome.output is not None:
                state.stack.append(Frame(state.flow, state.version, card.id, outcome.output))
            else:
                state.stack.clear()
            state.flow, state.version = sub.key, version
            out.append(actions.GoToFlow(flow=sub.key, version=version))
            for v in sub.variables:
                state.vars.setdefault(v.name, v.default)
            doc, card_id, outcome = sub, sub.start, None
            continue

        if isinstance(outcome, Finish):
            if outcome.scope == "flow" and outcome.status == "ended":
                resumed = _return(program, state, out)
                if resumed is not None:
                    doc, card_id, outcome = resumed
                    continue
            _finish(state, out, outcome.status, outcome.reason)
            return

        raise TypeError(f"card {card.id} returned {outcome!r}")


def _return(program, state: RunState, out):
    if not state.stack:
        return None
    frame = state.stack.pop()
    state.flow, state.version = frame.flow, frame.version
    out.append(actions.GoToFlow(flow=frame.flow, version=frame.version))
    doc = program.document(frame.flow, frame.version)
    return doc, frame.card, Next(frame.output)


def _finish(state: RunState, out, status: str, reason: str) -> None:
    state.status = status
    state.reason = reason
    state.wait = None
    state.stack.clear()
    out.append(actions.End(reason=reason or status))


def card_of(doc: FlowDocument, card_id: str) -> CardDef:
    return doc.cards[card_id]
