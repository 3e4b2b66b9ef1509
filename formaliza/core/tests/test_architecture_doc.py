"""docs/architecture.md against the code: its layer diagram is the `layers` contract of
pyproject.toml (the truth, enforced by lint-imports), and its "Rooms" list has one line for every
app and sub-package, so the page a newcomer reads first cannot drift from the tree."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "architecture.md"
SKIPPED = {"tests", "migrations", "management", "templatetags", "templates", "static"}


def _contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["importlinter"]["contracts"]


def _diagram() -> str:
    (layers,) = [c for c in _contracts() if c["type"] == "layers"]
    lines = [layer.replace("formaliza.", "") for layer in layers["layers"]]
    return "```\n" + "\n".join(lines) + "\n```"


def _rooms_in_tree() -> set[str]:
    base = ROOT / "formaliza"
    rooms = set()
    for app in base.iterdir():
        if not (app / "apps.py").exists():
            continue
        rooms.add(f"{app.name}/")
        for sub in app.iterdir():
            if sub.is_dir() and sub.name not in SKIPPED and any(sub.glob("*.py")):
                rooms.add(f"{app.name}/{sub.name}/")
    return rooms


def _rooms_in_doc() -> set[str]:
    text = DOC.read_text()
    section = text.split("## Rooms", 1)[1].split("\n## ", 1)[0]
    return {
        room
        for line in section.splitlines()
        for room in re.findall(r"^\s*- `([a-z_/]+/)`", line)
        + re.findall(r"^\s*- (?:`[a-z_/]+/`, )+`([a-z_/]+/)`", line)
        + re.findall(r"`([a-z_]+/[a-z_]+/)`,", line)
    }


def test_the_layer_diagram_is_the_import_contract():
    expected = _diagram()
    assert expected in DOC.read_text(), f"docs/architecture.md must show:\n{expected}"


def test_a_contract_forbids_loops_inside_every_app():
    acyclic = [c for c in _contracts() if c["type"] == "acyclic_siblings"]
    assert [c["ancestors"] for c in acyclic] == [["formaliza.*"]]


def test_every_app_and_sub_package_has_its_line():
    in_tree = _rooms_in_tree()
    assert {"conversations/services/", "flows/cards/"} <= in_tree  # the scan sees the tree
    missing = sorted(in_tree - _rooms_in_doc())
    assert not missing, f"docs/architecture.md, Rooms: add a line for {missing}"


def test_every_room_in_the_doc_exists():
    gone = sorted(r for r in _rooms_in_doc() if not (ROOT / "formaliza" / r).is_dir())
    assert not gone, f"docs/architecture.md, Rooms: {gone} no longer exist"
