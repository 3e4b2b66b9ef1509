"""Write (or check) the published JSON Schema of the flow format."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from formaliza.flows import schema


class Command(BaseCommand):
    help = (
        "Gera o JSON Schema do formato de fluxos (formaliza.flow/1) a partir dos modelos e dos "
        "tipos de card registrados."
    )

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(schema.SCHEMA_PATH), help="arquivo de saída")
        parser.add_argument(
            "--check",
            action="store_true",
            help="não grava: falha se o arquivo estiver desatualizado",
        )

    def handle(self, *args, path, check, **options):
        target = Path(path)
        if check:
            current = target.read_text(encoding="utf-8") if target.exists() else ""
            if current != schema.render():
                raise CommandError(
                    f"{target} está desatualizado: rode `python manage.py flows_schema`."
                )
            self.stdout.write(f"{target} está atualizado.")
            return
        schema.write(target)
        self.stdout.write(self.style.SUCCESS(f"Schema gravado em {target}."))
