"""Flow engine step latency on a 50-card flow: the pure engine alone, and through the runtime
service with the database (a client's message routed to its run: conversation and run row
locks, facts, the step, two outbound messages written to the outbox, the run saved).

The flow: 25 pairs of a message card and a question (choice, confirmation, CPF input in turn),
the last question looping back to the first card, so every answer is one step that sends a
message and the next question.

    .venv/bin/python bench/flow_engine.py                       # throwaway SQLite database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/formaliza_run .venv/bin/python \\
        bench/flow_engine.py --steps 1000                       # PostgreSQL (migrated first)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="flow-engine-"))
os.environ["FORMALIZA_VAR_DIR"] = str(TMP)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP / 'bench.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# The bench calls the handler itself; no task rows for it.
os.environ["CONVERSATION_INBOUND_HANDLERS"] = ""

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from formaliza.accounts.services import tenant_create  # noqa: E402
from formaliza.flows import engine  # noqa: E402
from formaliza.flows.models import Flow  # noqa: E402
from formaliza.flows.services import runtime  # noqa: E402
from formaliza.flows.testing import MemoryProgram, card, facts, flow  # noqa: E402
from formaliza.flows.tests.runtime_helpers import channel_of, client_writes, publish  # noqa: E402

OPTIONS = [{"id": "a", "title": "Primeira"}, {"id": "b", "title": "Segunda"}]


def fifty_cards() -> dict:
    cards = []
    for n in range(25):
        message, question = f"m{n}", f"q{n}"
        after = f"m{(n + 1) % 25}"
        cards.append(card(message, "message", question, text=f"Etapa {n}, {{{{cliente}}}}."))
        if n % 3 == 0:
            cards.append(
                card(question, "choice", {"a": after, "b": after}, text="Escolha", options=OPTIONS)
            )
        elif n % 3 == 1:
            cards.append(card(question, "confirm", {"yes": after, "no": after}, text="Confirma?"))
        else:
            cards.append(card(question, "input", after, text="CPF?", validation="cpf"))
    return flow(*cards, key="cinquenta")


def answer_for(card_type: str) -> dict:
    if card_type == "choice":
        return {"text": "Primeira", "choice": "a"}
    if card_type == "confirm":
        return {"text": "sim", "choice": "sim"}
    return {"text": "529.982.247-25"}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(name: str, values: list[float]) -> None:
    ms = [v * 1000 for v in values]
    print(
        f"{name}: {len(ms)} steps, p50 {pct(ms, 50):.3f} ms, p95 {pct(ms, 95):.3f} ms, "
        f"p99 {pct(ms, 99):.3f} ms, mean {statistics.fmean(ms):.3f} ms"
    )


def bench_engine(steps: int) -> list[float]:
    data = fifty_cards()
    program = MemoryProgram()
    program.publish(data)
    doc = program.document("cinquenta", 1)
    f = facts()
    state = engine.start(program, "cinquenta", 1, f).state
    timings = []
    for _ in range(steps):
        kind = doc.cards[state.wait.card].type
        event = engine.Event(kind="message", **answer_for(kind))
        started = time.perf_counter()
        result = engine.step(program, state, event, f)
        timings.append(time.perf_counter() - started)
        assert result.consumed
        state = result.state
    return timings


def bench_service(steps: int, clients: int) -> list[float]:
    call_command("migrate", verbosity=0)
    tenant = tenant_create(name="Promotora Bench", slug=f"bench-{int(time.time())}")
    channel = channel_of(tenant)
    publish(tenant, fifty_cards(), trigger=Flow.Trigger.INBOUND)
    doc = runtime.DbProgram(tenant.pk).document("cinquenta", 1)
    senders = [f"55119{n:08d}" for n in range(clients)]
    for sender in senders:  # each client's first message starts the run
        first = client_writes(channel, "oi", sender=sender)
        assert runtime.inbound_message_handle(message_id=first.pk) == "started"
    timings = []
    for n in range(steps):
        sender = senders[n % clients]
        message = client_writes(channel, "", sender=sender)
        run = runtime.FlowRun.objects.get(
            conversation_id=message.conversation_id, status__in=runtime.FlowRun.ACTIVE
        )
        answer = answer_for(doc.cards[run.card].type)
        type(message).objects.filter(pk=message.pk).update(
            body=answer["text"], choice_id=answer.get("choice", "")
        )
        started = time.perf_counter()
        outcome = runtime.inbound_message_handle(message_id=message.pk)
        timings.append(time.perf_counter() - started)
        assert outcome == "step", outcome
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--engine-steps", type=int, default=20000)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()
    print(f"database: {connection.vendor}; flow: 50 cards (25 messages, 25 questions)")
    engine_times = bench_engine(args.engine_steps)
    report("engine alone", engine_times)
    service_times = bench_service(args.steps, args.clients)
    report(f"service + {connection.vendor}", service_times)


if __name__ == "__main__":
    main()
