"""The published JSON Schema is generated from the models and the card registry."""

from __future__ import annotations

import io
from typing import ClassVar

import pytest
from django.core.management import CommandError, call_command
from pydantic import Field

from formaliza.flows import schema
from formaliza.flows.cards.registry import CARD_TYPES, CardType
from formaliza.flows.document import CardSettings
from formaliza.flows.engine import Next


def test_a_card_type_registered_by_a_test_is_not_published():
    class _Probe(CardType):
        type = "sonda_de_teste"
        group = "system"
        label = "Sonda"

        def enter(self, ctx, card):
            return Next()

    CARD_TYPES["sonda_de_teste"] = _Probe()
    try:
        assert "card.sonda_de_teste" not in schema.generate()["$defs"]
    finally:
        del CARD_TYPES["sonda_de_teste"]


def test_the_committed_schema_is_the_generated_one():
    # After adding or changing a card type: `python manage.py flows_schema` and commit the file.
    assert schema.SCHEMA_PATH.read_text(encoding="utf-8") == schema.render()


def test_every_registered_card_type_has_a_discriminated_entry():
    generated = schema.generate()
    entries = generated["properties"]["cards"]["items"]["oneOf"]
    shipped = schema.published_types()
    assert [e["$ref"] for e in entries] == [f"#/$defs/card.{t}" for t in sorted(shipped)]
    assert set(shipped) >= {"message", "choice", "condition", "http", "journey_link"}
    for name, kind in shipped.items():
        entry = generated["$defs"][f"card.{name}"]
        assert entry["properties"]["type"] == {"const": name}
        assert entry["x-can-wait"] is kind.can_wait
        settings_ref = entry["properties"]["settings"]["$ref"].removeprefix("#/$defs/")
        assert settings_ref in generated["$defs"]


def test_fixed_outputs_are_closed_and_aliases_are_used():
    defs = schema.generate()["$defs"]
    assert set(defs["card.description"]["properties"]["next"]["properties"]) == {"next", "timeout"}
    assert defs["card.description"]["properties"]["next"]["additionalProperties"] is False
    assert defs["card.end"]["properties"]["next"]["properties"] == {}
    assert "return" in defs["settings.go_to_flow"]["properties"]
    assert defs["settings.delay"]["required"] == ["seconds"]


class _Option(CardSettings):
    id: str


class _Menu(CardType):
    """Not registered: a card whose outputs come from its settings, with a nested model."""

    type = "menu_de_teste"
    group = "interaction"
    label = "Menu"
    fixed_outputs: ClassVar[tuple[str, ...]] = ("max_attempts",)

    class Settings(CardSettings):
        options: list[_Option] = Field(min_length=1)

    def outputs(self, settings):
        return (*[o.id for o in settings.options], "max_attempts")

    def enter(self, ctx, card):
        return Next()


def test_dynamic_outputs_and_nested_models_are_described():
    defs: dict = {}
    entry = schema._card_schema(_Menu(), defs)
    assert entry["x-dynamic-outputs"] is True
    assert entry["properties"]["next"]["additionalProperties"]["type"] == ["string", "null"]
    assert "max_attempts" in entry["properties"]["next"]["description"]
    assert defs["settings.menu_de_teste"]["properties"]["options"]["items"] == {
        "$ref": "#/$defs/menu_de_teste._Option"
    }
    assert "menu_de_teste._Option" in defs


def test_the_command_writes_and_checks(tmp_path):
    target = tmp_path / "schema.json"
    with pytest.raises(CommandError, match="desatualizado"):
        call_command("flows_schema", "--check", "--path", str(target), stdout=io.StringIO())
    call_command("flows_schema", "--path", str(target), stdout=io.StringIO())
    assert target.read_text(encoding="utf-8") == schema.render()
    out = io.StringIO()
    call_command("flows_schema", "--check", "--path", str(target), stdout=out)
    assert "atualizado" in out.getvalue()
