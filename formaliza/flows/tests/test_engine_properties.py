"""Property: random valid flows built from the registered card types, driven by random events
(messages, taps, timers, effect results, current or stale), never make the engine raise, and
the run state always survives a round trip through its stored (JSON) form."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formaliza.flows import engine
from formaliza.flows.cards.registry import CARD_TYPES
from formaliza.flows.format import FlowFormatError, parse
from formaliza.flows.testing import MemoryProgram, facts
from formaliza.flows.validation import KINDS

OPTIONS = [{"id": "a", "title": "Alfa"}, {"id": "b", "title": "Beta"}]

# Valid settings for the card types whose defaults are not enough. Other registered types
# (cards added later) take part with their default settings when those are valid.
SAMPLES = {
    "message": lambda d: {"text": d(st.sampled_from(["Olá {{cliente}}", "{{x}} ok"]))},
    "delay": lambda d: {"seconds": d(st.integers(1, 3600))},
    "go_to_flow": lambda d: {
        "flow": d(st.sampled_from(["sub", "inexistente"])),
        "return": d(st.booleans()),
    },
    "end": lambda d: {"scope": d(st.sampled_from(["flow", "run"])), "text": "tchau"},
    "file": lambda d: {"file": d(st.sampled_from(["a/x.pdf", "b.png", "c.mp3"]))},
    "choice": lambda d: {"text": "Escolha", "options": OPTIONS, **_retries(d)},
    "confirm": lambda d: {"text": "Confirma?", **_retries(d)},
    "input": lambda d: {
        "text": "Informe",
        "validation": d(st.sampled_from(KINDS)),
        **_retries(d),
    },
    "survey": lambda d: {
        "order": d(st.sampled_from(["ascending", "descending"])),
        "target": d(st.sampled_from(["company", "attendant", "both"])),
        **_retries(d),
    },
    "description": lambda d: {"timeout_minutes": d(st.none() | st.integers(1, 60))},
    "transfer": lambda d: {"department": "Suporte"},
}


def _retries(d) -> dict:
    data = {"max_attempts": d(st.integers(1, 3))}
    if d(st.booleans()):
        data["timeout_minutes"] = d(st.integers(1, 60))
    if d(st.booleans()):
        data["fallback_flow"] = "sub"
    return data


def _settings_for(type_name: str, d) -> dict | None:
    if type_name in SAMPLES:
        return SAMPLES[type_name](d)
    try:
        CARD_TYPES[type_name].Settings()
    except Exception:
        return None
    return {}


USABLE = sorted(CARD_TYPES)


@st.composite
def flows(draw):
    size = draw(st.integers(1, 8))
    ids = [f"c{n}" for n in range(size)]
    cards = []
    for n, card_id in enumerate(ids):
        choices = [t for t in USABLE if n == 0 or not CARD_TYPES[t].start_only]
        waiting = [t for t in choices if getattr(CARD_TYPES[t], "can_wait", False)]
        # Most cards wait for the client: that is where events matter.
        type_name = draw(
            st.sampled_from(waiting)
            if waiting and draw(st.booleans())
            else st.sampled_from(choices)
        )
        data = _settings_for(type_name, draw)
        if data is None:
            type_name, data = "message", {"text": "oi"}
        ct = CARD_TYPES[type_name]
        outputs = ct.outputs(ct.Settings(**data))
        targets = st.none() | st.sampled_from(ids)
        nxt = {o: t for o in outputs if (t := draw(targets)) is not None}
        cards.append({"id": card_id, "type": type_name, "label": "", "settings": data, "next": nxt})
    return {
        "format": "formaliza.flow/1",
        "key": "main",
        "name": "Aleatório",
        "description": "",
        "start": "c0",
        "variables": [{"name": "x", "default": "1"}],
        "cards": cards,
    }


TEXTS = ["", "1", "2", "sim", "não", "Alfa", "5", "9", "529.982.247-25", "maria@exemplo.com",
         "25/12/1990", "(11) 98765-4321", "1.234,56", "texto livre", "parar", "continuar"]  # fmt: skip


def event_for(rnd, state: engine.RunState) -> engine.Event:
    """A random event, uniformly over kinds and values (hypothesis' own choices lean towards
    the first values of a list; a seeded `random.Random` from hypothesis does not)."""
    kind = rnd.choice(["message", "choice", "media", "timer", "result"])
    current = state.wait.token if state.wait else "w1"
    token = rnd.choice([current, current, "w999", ""])
    if kind == "message":
        return engine.Event(kind="message", text=rnd.choice(TEXTS))
    if kind == "choice":
        choice = rnd.choice(["a", "b", "sim", "nao", "3", "parar", "continuar", "x"])
        return engine.Event(kind="message", choice=choice, text=choice)
    if kind == "media":
        media = rnd.choice(["image", "document", "audio", "sticker"])
        return engine.Event(kind="message", media=media, attachment="7")
    if kind == "timer":
        return engine.Event(kind="timer", token=token)
    data = {k: rnd.choice([True, False]) for k in rnd.sample(["ok", "found", "value"], 2)}
    return engine.Event(kind="result", token=token, data=data)


def _roundtrip(state: engine.RunState) -> None:
    stored = json.loads(json.dumps(state.to_dict()))
    assert engine.RunState.from_dict(stored) == state


SUB = {
    "format": "formaliza.flow/1", "key": "sub", "name": "Sub", "description": "", "start": "s",
    "variables": [], "cards": [{"id": "s", "type": "message", "settings": {"text": "sub"}}],
}  # fmt: skip


@settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(data=st.data(), document=flows())
def test_random_flows_never_crash_the_engine_and_state_round_trips(data, document):
    try:
        parse(document)
    except FlowFormatError as exc:  # the generator builds valid flows; say why if not
        raise AssertionError([p.message for p in exc.problems]) from exc
    program = MemoryProgram()
    program.publish(SUB)
    program.publish(document)
    result = engine.start(program, "main", 1, facts(), {})
    state = result.state
    _roundtrip(state)
    rnd = data.draw(st.randoms(use_true_random=True))
    for _ in range(data.draw(st.integers(0, 25))):
        before = state.to_dict()
        event = event_for(rnd, state)
        step = engine.step(program, state, event, facts())
        assert state.to_dict() == before  # the input state is never modified
        if not step.consumed:
            assert step.state.to_dict() == before
            assert step.actions == ()
        state = step.state
        _roundtrip(state)
        assert state.status in ("running", "waiting", "ended", "transferred", "failed")
        if state.status == "waiting":
            assert state.wait is not None
        if not state.active:
            assert not engine.step(program, state, event, facts()).consumed
