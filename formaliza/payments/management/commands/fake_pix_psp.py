"""Run the fake Pix PSP (the Banco Central's Pix API) for the demo and benchmarks."""

from __future__ import annotations

import signal
import threading
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand

from formaliza.payments.fake_psp import FakePixPsp, database_loader, key_of
from formaliza.payments.models import PixAccount


class Command(BaseCommand):
    help = "Sobe o PSP Pix falso (API Pix do Banco Central) para demonstração e testes."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--port", type=int, default=urlsplit(settings.FAKE_PIX_PSP_URL).port or 8026
        )

    def handle(self, *args, host, port, **options):
        psp = FakePixPsp(mode="http", loader=database_loader)
        for account in PixAccount.objects.filter(provider="pix_api"):
            psp.key_register(key_of(account))
        url = psp.start(host=host, port=port)
        self.stdout.write(f"PSP Pix falso em {url} — {len(psp.keys)} chave(s).")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        stop.wait()
        psp.stop()
