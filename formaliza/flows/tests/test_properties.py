"""Properties of the format over random flows built from the card registry:

- a valid flow exports to text that imports back to the same flow and exports to the same text;
- a valid file broken in any of several ways never imports, and says why in pt-BR with at least
  one problem, never with another exception.

Settings are drawn from each card type's pydantic `Settings` fields (constraints included), so
card types added later are covered without touching this file; a few types get hand-written
strategies where their validators tie fields together.
"""

from __future__ import annotations

import json
import types
from typing import Annotated, Literal, Union, get_args, get_origin

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from formaliza.accounts.roles import Role
from formaliza.flows.cards.registry import CARD_TYPES, CardType
from formaliza.flows.document import VARIABLE_PATTERN
from formaliza.flows.format import (
    FORMAT,
    ID_PATTERN,
    FlowFormatError,
    dumps,
    loads,
    parse,
)
from formaliza.flows.models import Flow
from formaliza.flows.services.definitions import FlowInvalid, flow_import

ENGLISH = (
    "Input should",
    "Field required",
    "Extra inputs",
    "Value error",
    "Expecting",
    "should be",
)

ids = st.from_regex(ID_PATTERN, fullmatch=True).map(lambda s: s[:20])
# No U+0000: the format refuses it (PostgreSQL cannot store it in JSON).
ALPHABET = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
texts = st.text(ALPHABET, max_size=30)

HAND_WRITTEN = {
    "message": st.one_of(
        texts.filter(lambda t: t.strip()).map(lambda t: {"text": t}),
        st.from_regex(r"[a-z0-9]{1,20}", fullmatch=True).map(lambda n: {"audio": f"{n}.mp3"}),
    ),
}


def _constraints(metadata) -> dict:
    found = {}
    for item in metadata:
        for attr in ("max_length", "min_length", "ge", "le", "gt", "lt", "pattern"):
            value = getattr(item, attr, None)
            if value is not None:
                found[attr] = value
    return found


def _numbers(kind, c: dict):
    low = c.get("ge", c["gt"] + 1 if "gt" in c else None)
    high = c.get("le", c["lt"] - 1 if "lt" in c else None)
    if kind is int:
        return st.integers(min_value=low, max_value=high)
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)


def _strategy(annotation, c: dict):
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _strategy(args[0], {**c, **_constraints(args[1:])})
    if origin in (Union, types.UnionType):
        return st.one_of(*[_strategy(a, {} if a is type(None) else c) for a in args])
    if annotation is type(None):
        return st.none()
    if origin is Literal:
        return st.sampled_from(args)
    if annotation is bool:
        return st.booleans()
    if annotation in (int, float):
        return _numbers(annotation, c)
    if annotation is str:
        if "pattern" in c:
            pattern = st.from_regex(c["pattern"], fullmatch=True)
            return pattern.filter(lambda s: len(s) <= c.get("max_length", 10**6))
        return st.text(
            ALPHABET, min_size=c.get("min_length", 0), max_size=min(c.get("max_length", 30), 30)
        )
    if origin in (list, tuple):
        low = c.get("min_length", 0)
        return st.lists(
            _strategy(args[0], {}), min_size=low, max_size=max(low, min(c.get("max_length", 3), 3))
        )
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model(annotation)
    return st.from_type(annotation)


def _model(model: type[BaseModel]):
    fields = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        value = _strategy(info.annotation, _constraints(info.metadata))
        fields[key] = (value, info.is_required())

    @st.composite
    def build(draw):
        return {
            key: draw(value)
            for key, (value, required) in fields.items()
            if required or draw(st.booleans())
        }

    return build()


@st.composite
def settings_of(draw, kind: CardType):
    """JSON settings valid for `kind`, or None when the generic strategy cannot satisfy its
    validators and its defaults are not valid either."""
    if kind.type in HAND_WRITTEN:
        return draw(HAND_WRITTEN[kind.type])
    raw = draw(_model(kind.Settings))
    for candidate in (raw, {}):
        try:
            return kind.Settings.model_validate(candidate).model_dump(mode="json", by_alias=True)
        except ValidationError:
            continue
    return None


USABLE = sorted(name for name, kind in CARD_TYPES.items() if not kind.start_only)


@st.composite
def valid_flows(draw) -> dict:
    card_ids = draw(st.lists(ids, min_size=1, max_size=7, unique=True))
    cards = []
    for card_id in card_ids:
        kind = CARD_TYPES[draw(st.sampled_from(USABLE))]
        settings_ = draw(settings_of(kind))
        if settings_ is None:
            kind, settings_ = CARD_TYPES["end"], {}
        outputs = kind.outputs(kind.Settings.model_validate(settings_))
        item = {"id": card_id, "type": kind.type}
        if draw(st.booleans()):
            item["label"] = draw(st.text(ALPHABET, max_size=20))
        item["settings"] = settings_
        item["next"] = {
            output: draw(st.one_of(st.none(), st.sampled_from(card_ids)))
            for output in outputs
            if draw(st.booleans())
        }
        if draw(st.booleans()):
            coordinate = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
            item["position"] = {"x": draw(coordinate), "y": draw(coordinate)}
        cards.append(item)
    variable_names = draw(
        st.lists(st.from_regex(VARIABLE_PATTERN, fullmatch=True), max_size=3, unique=True)
    )
    defaults = st.one_of(st.text(ALPHABET, max_size=10), st.integers(), st.booleans(), st.none())
    return {
        "format": FORMAT,
        "key": draw(ids),
        "name": draw(st.text(ALPHABET, min_size=1, max_size=40)),
        "description": draw(st.text(ALPHABET, max_size=40)),
        "start": draw(st.sampled_from(card_ids)),
        "variables": [
            {"name": n, "default": draw(defaults), "description": ""} for n in variable_names
        ],
        "cards": cards,
    }


@settings(max_examples=80, deadline=None)
@given(valid_flows())
def test_export_round_trips_over_random_valid_flows(data):
    doc = parse(data)
    text = dumps(doc)

    assert loads(text) == doc
    assert dumps(loads(text)) == text
    assert json.loads(text)["cards"][0]["id"] == data["cards"][0]["id"]


# --- broken files ---------------------------------------------------------------------------------


def _remove_required(draw, data):
    del data[draw(st.sampled_from(["format", "key", "name", "start", "cards"]))]


def _remove_card_field(draw, data):
    del draw(st.sampled_from(data["cards"]))[draw(st.sampled_from(["id", "type"]))]


def _wrong_type(draw, data):
    target = draw(
        st.sampled_from(["name", "cards", "variables", "card.next", "card.settings", "card.id"])
    )
    wrong = draw(st.sampled_from([123, 4.5, True, ["x"], "texto"]))
    if target.startswith("card."):
        field = target.removeprefix("card.")
        if field == "id" and wrong == "texto":
            wrong = "Texto Inválido"
        if field != "id" and wrong in (["x"], "texto"):
            wrong = 7
        draw(st.sampled_from(data["cards"]))[field] = wrong
    else:
        data[target] = wrong if not (target == "name" and wrong == "texto") else 0


def _unknown_type(draw, data):
    name = draw(st.text(min_size=1, max_size=12).filter(lambda t: t not in CARD_TYPES))
    draw(st.sampled_from(data["cards"]))["type"] = name


def _bad_target(draw, data):
    card = draw(st.sampled_from(data["cards"]))
    existing = {c["id"] for c in data["cards"]}
    missing = draw(ids.filter(lambda i: i not in existing))
    outputs = CARD_TYPES[card["type"]].outputs(
        CARD_TYPES[card["type"]].Settings.model_validate(card["settings"])
    )
    card["next"][draw(st.sampled_from(outputs)) if outputs else "next"] = missing


def _duplicate_id(draw, data):
    data["cards"].append(dict(draw(st.sampled_from(data["cards"]))))


def _unknown_field(draw, data):
    holder = draw(st.sampled_from([data, *data["cards"]]))
    holder["campo_" + draw(st.from_regex(r"[a-z]{1,8}", fullmatch=True))] = 1


def _bad_start(draw, data):
    existing = {c["id"] for c in data["cards"]}
    data["start"] = draw(ids.filter(lambda i: i not in existing))


MUTATIONS = [
    _remove_required,
    _remove_card_field,
    _wrong_type,
    _unknown_type,
    _bad_target,
    _duplicate_id,
    _unknown_field,
    _bad_start,
]


@st.composite
def broken_files(draw) -> str | bytes:
    data = json.loads(json.dumps(draw(valid_flows())))
    kind = draw(st.sampled_from(["mutation", "truncated", "not_utf8"]))
    if kind == "mutation":
        draw(st.sampled_from(MUTATIONS))(draw, data)
        return json.dumps(data, ensure_ascii=False)
    text = json.dumps(data, ensure_ascii=False)
    if kind == "truncated":
        return text[: draw(st.integers(0, text.rindex("}") - 1))]
    return text.encode() + b"\xff"


def _assert_refused(problems):
    assert problems
    for problem in problems:
        assert problem.message.strip()
        assert not any(word in problem.message for word in ENGLISH), problem.message


@settings(max_examples=100, deadline=None)
@given(broken_files())
def test_random_broken_files_never_parse_and_say_why_in_pt_br(text):
    with pytest.raises(FlowFormatError) as caught:
        loads(text)
    _assert_refused(caught.value.problems)


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=broken_files())
def test_random_broken_files_never_import(kit, text):
    with pytest.raises(FlowInvalid) as caught:
        flow_import(tenant=kit.tenant, actor=kit.actor(Role.MANAGER), text=text)
    _assert_refused(caught.value.problems)
    assert not Flow.objects.filter(tenant=kit.tenant).exists()
