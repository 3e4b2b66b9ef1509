"""Payments benchmark: the PSP's signed `pix` webhook → charge paid → case paid → payment
notice in the outbox, at a fixed rate with real gunicorn and db_workers, next to a bare ASGI
handler taking the same requests in the same run; then the credit ledger's spends per second
under contention (threads on one wallet).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/formaliza_bench .venv/bin/python bench/payments.py

The database named in DATABASE_URL is dropped and created again. Open-loop load as in
bench/webhook_intake.py (latency from the scheduled start; one connection per request).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")

from bench.webhook_intake import (  # noqa: E402 - sets the environment before Django loads
    _recreate_pg_database,
    percentile,
    run_step,
    start_servers,
    wait_port,
)


def setup(count: int):
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        _recreate_pg_database()
    call_command("migrate", verbosity=0)
    from faker import Faker

    from formaliza.accounts.actors import Actor
    from formaliza.accounts.roles import Role
    from formaliza.accounts.services import tenant_create, user_create
    from formaliza.cases.models import CaseStatus
    from formaliza.cases.services import case_charge
    from formaliza.conversations.services import ChannelInput, channel_create
    from formaliza.demo import cases as demo
    from formaliza.payments.fake_psp import FakePixPsp, key_of
    from formaliza.payments.models import PixAccount

    tenant = tenant_create(name="Bench Pagamentos", slug="bench-pagamentos")
    agent = user_create(
        tenant=tenant, email="agente@bench.example.com", password="x" * 16, role=Role.AGENT
    )
    staff = Actor.of_user(
        user_create(
            tenant=tenant, email="op@bench.example.com", password="x" * 16, role=Role.OPERATOR
        )
    )
    channel_create(tenant=tenant, data=ChannelInput(name="E-mail", kind="email", provider="email", sender_id="Casos <casos@example.com>"))  # fmt: skip
    psp = FakePixPsp(mode="collect")
    psp.start()
    account = PixAccount.objects.create(
        tenant=tenant, provider="pix_api", api_url=psp.url, token_url=f"{psp.url}/oauth/token",
        client_id="bench", client_secret="bench-secret",  # noqa: S106
        chave="pix@bench.example.com", merchant_name="Bench", merchant_city="Recife",
    )  # fmt: skip
    psp.key_register(key_of(account))
    demo._index_table()
    from formaliza.cases.services import document_types_ensure

    document_types_ensure(tenant=tenant)
    fake = Faker("pt_BR")
    charges = []
    began = time.perf_counter()
    for n in range(count):
        case = demo._case(tenant, agent, fake, CaseStatus.AWAITING_PAYMENT, n, staff)
        charges.append((case.pk, case_charge(case=case)))
        if (n + 1) % 20 == 0:
            print(
                f"  setup: {n + 1}/{count} cases, {time.perf_counter() - began:.0f} s", flush=True
            )
    psp.stop()
    print(
        f"setup: {count} cases awaiting payment with their charges in {time.perf_counter() - began:.0f} s"
    )
    return account, charges


def requests_for(account, charges, port: int, path: str) -> list[bytes]:
    out = []
    for _, charge in charges:  # one endToEndId per charge: the warm-up's are not reused
        body = json.dumps({"pix": [{
            "endToEndId": f"E99999008202612031200{charge.pk:011d}", "txid": charge.txid,
            "valor": f"{charge.amount:.2f}", "horario": "2026-12-03T12:00:00Z",
        }]}).encode()  # fmt: skip
        signature = hmac.new(account.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\nX-Pix-Signature: sha256={signature}\r\n\r\n"
        )
        out.append(head.encode() + body)
    return out


def webhook_to_notice(account, charges, args) -> None:
    from django.urls import reverse

    from formaliza.cases.models import CaseNotification

    path = reverse("payments:pix_webhook", args=[account.webhook_token])
    (gunicorn, django_port), (uvicorn, asgi_port) = start_servers(2)
    command = [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.05"]
    extra = ["--no-reload", "--no-startup-delay", "-v", "0"]
    workers = [
        subprocess.Popen(
            [*command, *extra, "--worker-id", f"bench-{n}"], cwd=ROOT, env={**os.environ}
        )
        for n in range(args.task_workers)
    ]
    try:
        wait_port(django_port)
        warm, measured = charges[: args.warm], charges[args.warm :]
        asyncio.run(run_step(django_port, requests_for(account, warm, django_port, path), 10))
        asyncio.run(run_step(asgi_port, requests_for(account, measured, asgi_port, path), 50))
        time.sleep(3)
        base = time.time() + 0.05
        latencies, statuses, _ = asyncio.run(
            run_step(django_port, requests_for(account, measured, django_port, path), args.rate)
        )
        bare, bare_statuses, _ = asyncio.run(
            run_step(asgi_port, requests_for(account, measured, asgi_port, path), args.rate)
        )
        sent_at = {case_id: base + i / args.rate for i, (case_id, _) in enumerate(measured)}
        deadline = time.monotonic() + 60
        notices = {}
        while time.monotonic() < deadline:
            notices = dict(
                CaseNotification.objects.filter(
                    case_id__in=sent_at, kind="payment_confirmed", recipient="client",
                    channel_kind="email", message_id__isnull=False,
                ).values_list("case_id", "created_at")
            )  # fmt: skip
            if len(notices) == len(sent_at):
                break
            time.sleep(0.3)
        delays = [(at.timestamp() - sent_at[cid]) * 1000 for cid, at in notices.items()]
        print(f"{len(measured)} pix webhooks at {args.rate}/s ({args.task_workers} db_workers):")
        print(
            f"  webhook intake (gunicorn, 2 sync workers): p50 {percentile(latencies, 50):.1f} ms, "
            f"p95 {percentile(latencies, 95):.1f} ms, 200s {statuses.count(200)}/{len(statuses)}"
        )
        print(
            f"  bare ASGI intake (same requests): p50 {percentile(bare, 50):.1f} ms, "
            f"p95 {percentile(bare, 95):.1f} ms, 200s {bare_statuses.count(200)}/{len(bare_statuses)}"
        )
        print(
            f"  webhook -> case paid -> notice in the outbox: {len(delays)}/{len(sent_at)}, "
            f"p50 {percentile(delays, 50):.0f} ms, p95 {percentile(delays, 95):.0f} ms, "
            f"max {max(delays or [0]):.0f} ms"
        )
    finally:
        for proc in [gunicorn, uvicorn, *workers]:
            proc.terminate()
        for proc in [gunicorn, uvicorn, *workers]:
            proc.wait(timeout=15)


def ledger(args) -> None:
    from django.db import connection

    from formaliza.accounts.models import User
    from formaliza.core.errors import Conflict
    from formaliza.payments import services

    agent = User.objects.get(email="agente@bench.example.com")
    wallet = services.wallet_for(tenant=agent.tenant, owner=agent)
    services.credit_add(wallet=wallet, quantity=args.credits, kind="grant", reference="bench")
    attempts = args.credits * 2
    ok, refused = [], []
    barrier = threading.Barrier(args.threads)

    def spend(start: int):
        barrier.wait()
        for n in range(start, attempts, args.threads):
            try:
                services.credit_spend(wallet=wallet, reference=f"bench:{n}")
                ok.append(n)
            except Conflict:
                refused.append(n)
        connection.close()

    threads = [threading.Thread(target=spend, args=(i,)) for i in range(args.threads)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    wallet.refresh_from_db()
    print(
        f"ledger: {attempts} spends by {args.threads} threads on a wallet of {args.credits}: "
        f"{len(ok)} ok, {len(refused)} refused, balance {wallet.balance}, "
        f"{attempts / elapsed:.0f} attempts/s ({len(ok) / elapsed:.0f} debits/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=320, help="cases awaiting payment")
    parser.add_argument("--warm", type=int, default=20)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--task-workers", type=int, default=2)
    parser.add_argument("--credits", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    account, charges = setup(args.count)
    webhook_to_notice(account, charges, args)
    ledger(args)


if __name__ == "__main__":
    main()
