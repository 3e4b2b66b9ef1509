from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from formaliza.cases.indices import TableInvalid, table_parse
from formaliza.cases.models import IndexTable
from formaliza.cases.services import index_table_import


def _raw(**changes) -> bytes:
    data = json.loads(settings.CASE_DEMO_INDEX_TABLE.read_bytes())
    data.update(changes)
    return json.dumps(data).encode()


def test_the_demo_table_says_it_is_synthetic():
    table, _ = table_parse(settings.CASE_DEMO_INDEX_TABLE.read_bytes())
    assert table.synthetic and "SINTÉTICA" in table.title


def test_every_problem_is_reported_by_position():
    data = json.loads(settings.CASE_DEMO_INDEX_TABLE.read_bytes())
    data["months"][3]["index"] = "-1"
    del data["months"][10]
    data["format"] = "outro"
    with pytest.raises(TableInvalid) as caught:
        table_parse(json.dumps(data).encode())
    problems = caught.value.extra["problems"]
    assert "“format” deve ser “formaliza.indices/1”" in problems
    assert "months[3] (09/1994): campo “index” ausente ou não positivo" in problems
    assert any(p.startswith("months[10] (05/1995): esperado 04/1995") for p in problems)


def test_the_command_imports_activates_and_is_idempotent(tmp_path, capsys):
    path = tmp_path / "t.json"
    path.write_bytes(_raw(version="2026.9"))
    call_command("cases_index_import", str(path), "--activate")
    call_command("cases_index_import", str(path), "--activate")
    assert IndexTable.objects.filter(version="2026.9").count() == 1
    assert IndexTable.objects.get(is_active=True).version == "2026.9"
    assert "SINTÉTICA" in capsys.readouterr().out


def test_other_content_under_an_imported_version_is_refused(tmp_path):
    path = tmp_path / "t.json"
    path.write_bytes(_raw(title="Outra coisa"))  # same name and version as the active demo table
    with pytest.raises(CommandError) as caught:
        call_command("cases_index_import", str(path))
    assert "já foi importada com outro conteúdo" in str(caught.value)


def test_an_invalid_file_imports_nothing():
    with pytest.raises(TableInvalid):
        index_table_import(raw=b"{}", activate=True)
    assert IndexTable.objects.count() == 1
