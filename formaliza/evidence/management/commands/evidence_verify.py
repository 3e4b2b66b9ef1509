from django.core.management.base import BaseCommand, CommandError

from formaliza.evidence.models import EvidenceChainHead
from formaliza.evidence.services import Subject, evidence_chain_verify


class Command(BaseCommand):
    help = "Verifica as cadeias de hash das evidências (todas, ou uma com --subject tipo:id)."

    def add_arguments(self, parser):
        parser.add_argument("--subject", help="tipo:id, por exemplo journey:3f2c…")

    def handle(self, *args, subject=None, **options):
        if subject:
            kind, _, ident = subject.partition(":")
            subjects = [Subject(kind, ident)]
        else:
            subjects = [
                Subject(t, i)
                for t, i in EvidenceChainHead.objects.values_list("subject_type", "subject_id")
            ]
        broken = 0
        for item in subjects:
            verdict = evidence_chain_verify(subject=item)
            if verdict.ok:
                self.stdout.write(f"OK       {item.type}:{item.id} ({verdict.events} eventos)")
            else:
                broken += 1
                self.stdout.write(f"INVÁLIDA {item.type}:{item.id}")
                for problem in verdict.problems:
                    self.stdout.write(f"         - {problem}")
        if broken:
            raise CommandError(f"{broken} cadeia(s) com problemas.")
        self.stdout.write(self.style.SUCCESS(f"{len(subjects)} cadeia(s) íntegra(s)."))
