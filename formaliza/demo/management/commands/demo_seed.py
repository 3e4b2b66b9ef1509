from django.core.management.base import BaseCommand

from formaliza.demo.seed import demo_seed
from formaliza.evidence.services import verification_url


class Command(BaseCommand):
    help = "Carrega os dados de demonstração (uma vez; rodar de novo não muda nada)."

    def handle(self, *args, **options):
        result = demo_seed()
        if not result.created:
            self.stdout.write("Dados de demonstração já carregados.")
            return
        self.stdout.write(
            self.style.SUCCESS(f"Dados de demonstração criados: {result.tenant.name}.")
        )
        self.stdout.write(f"Chave de API de demonstração (guarde-a): {result.api_key}")
        for link in result.journey_links:
            self.stdout.write(f"Link de formalização do cliente de demonstração: {link}")
        if result.sealed_code:
            state = "" if result.sealed_status == "sealed" else " (selagem pendente)"
            self.stdout.write(
                f"Documento selado de demonstração{state}: código {result.sealed_code} "
                f"— verifique em {verification_url(result.sealed_code)}"
            )
