"""Listen to the PBX's call events and apply them to the calls (reconnecting on drops)."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand

from formaliza.telephony import services
from formaliza.telephony.ports import TelephonyError


class Command(BaseCommand):
    help = "Escuta os eventos de ligação da central (ARI) e atualiza as ligações."

    def handle(self, *args, **options):
        telephony = services.telephony_adapter()
        if not telephony.reports_events:
            self.stdout.write("O adaptador de telefonia não envia eventos; nada a escutar.")
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        while not stop.is_set():
            try:
                telephony.listen(
                    lambda event: services.call_event_apply(event=event), stop=stop.is_set
                )
            except TelephonyError as exc:
                self.stderr.write(exc.message)
            stop.wait(2)
