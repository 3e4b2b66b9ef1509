"""manage.py cases_index_import FILE [--activate]: import an index table (docs/cases.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from formaliza.cases.services import index_table_import
from formaliza.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Importa uma tabela de índices (formato formaliza.indices/1) e, com --activate, a ativa."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--activate", action="store_true", help="usar esta versão nos cálculos")

    def handle(self, *args, path, activate, **options):
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"Não foi possível ler {path}: {exc}") from exc
        try:
            imported = index_table_import(raw=raw, activate=activate)
        except ApplicationError as exc:
            problems = exc.extra.get("problems") or [exc.message]
            raise CommandError("\n".join(problems)) from exc
        table = imported.table
        state = "importada" if imported.created else "já estava importada"
        active = " e ativa" if table.is_active else ""
        self.stdout.write(f"Tabela {table.name} {table.version} {state}{active}.")
        if table.synthetic:
            self.stdout.write(
                self.style.WARNING("ATENÇÃO: tabela SINTÉTICA (demonstração), não oficial.")
            )
