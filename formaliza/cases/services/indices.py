"""Importing an index table file (`manage.py cases_index_import`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from formaliza.cases.indices import table_parse
from formaliza.cases.models import IndexTable
from formaliza.core.errors import Conflict


@dataclass(frozen=True)
class Imported:
    table: IndexTable
    created: bool


@transaction.atomic
def index_table_import(*, raw: bytes, activate: bool) -> Imported:
    """Store a version (checked first: nothing is stored from an invalid file). The same file
    again changes nothing; other content under an existing version is refused."""
    data, sha256 = table_parse(raw)
    existing = (
        IndexTable.objects.select_for_update().filter(name=data.name, version=data.version).first()
    )
    if existing is not None and existing.sha256 != sha256:
        raise Conflict(
            "index_table_version_exists",
            f"A versão {data.version} da tabela {data.name} já foi importada com outro conteúdo; "
            "publique o arquivo com uma nova versão.",
        )
    created = existing is None
    table = existing or IndexTable.objects.create(
        name=data.name, version=data.version, title=data.title, synthetic=data.synthetic,
        source=data.source, sha256=sha256, content=raw,
    )  # fmt: skip
    if activate and not table.is_active:
        IndexTable.objects.filter(is_active=True).update(is_active=False)
        table.is_active = True
        table.save(update_fields=["is_active"])
    return Imported(table=table, created=created)
