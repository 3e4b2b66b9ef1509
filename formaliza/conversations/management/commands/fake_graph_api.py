"""Run the fake provider (Meta Graph API + Zenvia) for the demo and benchmarks."""

from __future__ import annotations

import signal
import threading
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand

from formaliza.conversations.fake_provider import FakeProvider, channel_register, database_loader
from formaliza.conversations.models import Channel


class Command(BaseCommand):
    help = "Sobe o provedor falso (API do WhatsApp da Meta e da Zenvia) para demonstração e testes."

    def add_arguments(self, parser):
        default_port = urlsplit(settings.FAKE_PROVIDER_URL).port or 8025
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=default_port)
        parser.add_argument("--status-delay", type=float, default=0.2)
        parser.add_argument(
            "--read-after",
            type=float,
            default=2.0,
            help="segundos até o recibo de leitura; <0 desliga",
        )

    def handle(self, *args, host, port, status_delay, read_after, **options):
        fake = FakeProvider(
            mode="http",
            status_delay=status_delay,
            read_after=read_after if read_after >= 0 else None,
            loader=database_loader,
        )
        for channel in Channel.objects.select_related("tenant").filter(
            provider="fake", is_active=True
        ):
            channel_register(fake, channel)
        url = fake.start(host=host, port=port)
        self.stdout.write(f"Provedor falso (Meta/Zenvia) em {url} — {len(fake.numbers)} número(s).")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        stop.wait()
        fake.stop()
