from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand

from formaliza.evidence.pki import embedded_pki
from formaliza.evidence.tsa import make_server


class Command(BaseCommand):
    help = (
        "Sobe a autoridade de carimbo do tempo (RFC 3161) LOCAL, só para desenvolvimento — "
        "NÃO USAR EM PRODUÇÃO. Por padrão escuta no endereço de EVIDENCE_TSA_URL."
    )

    def add_arguments(self, parser):
        parts = urlsplit(settings.EVIDENCE_TSA_URL)
        parser.add_argument("--host", default=parts.hostname or "127.0.0.1")
        parser.add_argument("--port", type=int, default=parts.port or 3161)

    def handle(self, *args, host: str, port: int, **options):
        server = make_server(pki=embedded_pki(), host=host, port=port)
        self.stdout.write(f"TSA local (NÃO USAR EM PRODUÇÃO) em http://{host}:{port}/")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
