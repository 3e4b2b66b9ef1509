"""Run the fake Asterisk ARI (REST + /ari/events WebSocket) for the demo."""

from __future__ import annotations

import signal
import threading
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand

from formaliza.telephony.fake_ari import FakeAri


class Command(BaseCommand):
    help = "Sobe o Asterisk falso (ARI: REST e WebSocket de eventos) para demonstração e testes."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--port", type=int, default=urlsplit(settings.FAKE_ARI_URL).port or 8027
        )
        parser.add_argument("--answer-after", type=float, default=3.0)

    def handle(self, *args, host, port, answer_after, **options):
        options_ = settings.TELEPHONY.get("options", {})
        fake = FakeAri(
            username=options_.get("username", "formaliza"),
            password=options_.get("password", "formaliza"),
            answer_after=answer_after,
        )
        url = fake.start(host=host, port=port)
        self.stdout.write(f"Asterisk falso (ARI) em {url}.")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        stop.wait()
        fake.stop()
