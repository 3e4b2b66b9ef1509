"""Webhook intake benchmark: the real signed WhatsApp webhook under gunicorn (sync workers, as in
production) against a bare ASGI handler under uvicorn that only reads the body and answers 200,
measured in the same run at the same increasing rates; then inbound-message-to-reply-dispatched
latency at a fixed rate with real db_workers and the fake provider.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/formaliza_bench .venv/bin/python bench/webhook_intake.py

Open-loop load (requests start on schedule whether or not earlier ones finished; latency is
measured from the scheduled start, so queueing counts), one TCP connection per request (gunicorn
sync workers close the connection after each answer). Each request is a distinct Meta-shaped
text message (~700 bytes) signed with the channel's app secret, so every one is verified,
stored and enqueued. Workers are stopped during the intake steps: they measure the intake.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/formaliza_bench")
os.environ.setdefault("FORMALIZA_VAR_DIR", tempfile.mkdtemp(prefix="formaliza-bench-"))
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("SECRET_KEY", "formaliza-bench-only-not-a-secret")  # stable across runs

BARE_ASGI = """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})
"""


def setup_database():
    """A fresh database for every run (PostgreSQL: dropped and created again)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        _recreate_pg_database()
    call_command("migrate", verbosity=0)
    from formaliza.accounts.services import tenant_create
    from formaliza.conversations.services import ChannelInput, channel_create

    tenant = tenant_create(name="Bench", slug="bench")
    return channel_create(
        tenant=tenant,
        data=ChannelInput(name="Bench", kind="whatsapp", provider="fake", phone_number_id="111222333",
                          business_account_id="999", pacing_interval_seconds=0, throughput_per_second=1000),
    )  # fmt: skip


def _recreate_pg_database():
    import psycopg
    from django.db import connection

    connection.close()
    s = connection.settings_dict
    with psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"],
                         password=s["PASSWORD"] or None, dbname="postgres", autocommit=True) as conn:  # fmt: skip
        conn.execute(f'DROP DATABASE IF EXISTS "{s["NAME"]}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{s["NAME"]}"')


def make_requests(channel, count: int, port: int, path: str, start: int = 0) -> list[bytes]:
    from formaliza.conversations.fake_provider import payloads

    requests = []
    for n in range(start, start + count):
        wa_id = f"55119{n:08d}"
        message = payloads.meta_message(wa_id=wa_id, message_type="text",
                                        body={"text": {"body": f"Oi, quero formalizar meu contrato (bench {n})"}})  # fmt: skip
        body = payloads.dumps(payloads.meta_inbound(
            waba_id="999", phone_number_id=channel.phone_number_id, display_phone="5511940001000",
            wa_id=wa_id, profile_name=f"Cliente {n}", messages=[message]))  # fmt: skip
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n"
            f"X-Hub-Signature-256: {payloads.meta_signature(channel.app_secret, body)}\r\n\r\n"
        )
        requests.append(head.encode() + body)
    return requests


class _Exchange(asyncio.Protocol):
    """One request on a fresh connection, read until the server closes it. A bare protocol
    rather than streams: the load generator shares the two cores with what it measures."""

    def __init__(self, data: bytes, done: asyncio.Future):
        self.data, self.done, self.head = data, done, b""

    def connection_made(self, transport):
        transport.write(self.data)
        # The request is complete: half-close now, as an HTTP/1.0-style client would. gunicorn
        # (RFC 9112 graceful close) waits for the client's FIN after answering; sending it
        # now keeps the generator's own event-loop latency out of the server's measurements.
        transport.write_eof()

    def data_received(self, chunk: bytes):
        if len(self.head) < 16:
            self.head += chunk

    def connection_lost(self, exc):
        if not self.done.done():
            parts = self.head.split(b" ", 2)
            self.done.set_result(int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0)


async def _one(port: int, data: bytes) -> int:
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    await loop.create_connection(lambda: _Exchange(data, done), "127.0.0.1", port)
    return await done


async def run_step(port: int, requests: list[bytes], rate: float, max_in_flight: int = 1000):
    """Open loop at `rate` req/s over `requests`. Returns (latencies ms, statuses, elapsed)."""
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    statuses: list[int] = []
    limit = asyncio.Semaphore(max_in_flight)
    start = loop.time() + 0.05

    async def fire(i: int, data: bytes):
        scheduled = start + i / rate
        await asyncio.sleep(max(0.0, scheduled - loop.time()))
        async with limit:
            try:
                status = await _one(port, data)
            except OSError:
                status = 0
        latencies.append((loop.time() - scheduled) * 1000)
        statuses.append(status)

    await asyncio.gather(*(fire(i, d) for i, d in enumerate(requests)))
    return latencies, statuses, loop.time() - start


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def wait_port(port: int, timeout: float = 30) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {port}")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_servers(web_workers: int):
    env = {**os.environ}
    django_port, asgi_port = free_port(), free_port()
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{django_port}",
         "--workers", str(web_workers), "--backlog", "4096", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    asgi_dir = Path(tempfile.mkdtemp(prefix="bare-asgi-"))
    (asgi_dir / "bare_asgi.py").write_text(BARE_ASGI)
    uvicorn = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bare_asgi:app", "--port", str(asgi_port), "--workers", "1",
         "--log-level", "warning", "--no-access-log", "--backlog", "4096"],
        cwd=asgi_dir, env=env,
    )  # fmt: skip
    wait_port(django_port)
    wait_port(asgi_port)
    return (gunicorn, django_port), (uvicorn, asgi_port)


def intake(channel, args) -> list[dict]:
    from django.urls import reverse

    from formaliza.conversations.models import InboundEvent

    path = reverse("conversations:webhook", kwargs={"channel_key": channel.key})
    (gunicorn, django_port), (uvicorn, asgi_port) = start_servers(args.web_workers)
    rows, offset = [], 0
    try:
        for port in (django_port, asgi_port):  # warm up: imports, connections, caches
            warm = make_requests(channel, 400, port, path, start=offset)
            offset += len(warm)
            asyncio.run(run_step(port, warm, 200))
        for rate in args.rates:
            count = int(rate * args.seconds)
            row = {"rate": rate}
            for name, port in (("django", django_port), ("asgi", asgi_port)):
                requests = make_requests(channel, count, port, path, start=offset)
                offset += count
                latencies, statuses, elapsed = asyncio.run(run_step(port, requests, rate))
                ok = sum(1 for s in statuses if s == 200)
                if ok < count:
                    from collections import Counter

                    print(f"  {name} at {rate}/s: statuses {dict(Counter(statuses))}")
                row[name] = {
                    "ok": ok, "errors": count - ok, "per_s": ok / elapsed,
                    "p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
                }  # fmt: skip
                time.sleep(1)
            rows.append(row)
            print_row(row)
            if row["django"]["errors"] > count * 0.01 or row["django"]["p99"] > 2000:
                break  # past saturation: further steps only measure a growing queue
        stored = InboundEvent.objects.filter(channel=channel).count() - 400  # warm-up
        sent_ok = sum(r["django"]["ok"] for r in rows)
        print(
            f"\nstored events: {stored} (answers 200: {sent_ok}) — every 200 was persisted: {stored == sent_ok}"
        )
    finally:
        for proc in (gunicorn, uvicorn):
            proc.terminate()
            proc.wait(timeout=15)
    return rows


def print_row(row: dict) -> None:
    d, a = row["django"], row["asgi"]
    print(
        f"{row['rate']:>6} | {d['per_s']:8.0f} {d['p50']:7.1f} {d['p99']:8.1f} {d['errors']:5d} | "
        f"{a['per_s']:8.0f} {a['p50']:7.1f} {a['p99']:8.1f} {a['errors']:5d} | "
        f"{d['per_s'] / a['per_s']:5.2f} {d['p99'] / max(a['p99'], 0.001):7.1f}"
    )


def reply_latency(channel, args) -> None:
    """Inbound message -> our reply handed to the provider, at a fixed rate, with workers."""
    from django.urls import reverse
    from django_tasks_db.models import DBTaskResult

    from formaliza.conversations.fake_provider import FakeProvider, channel_register
    from formaliza.conversations.models import InboundEvent

    # The intake steps left their events queued (no workers ran): start from an empty queue.
    DBTaskResult.objects.all().delete()
    InboundEvent.objects.all().delete()
    fake = FakeProvider(mode="collect", status_delay=0.0, read_after=None)
    fake_url = fake.start()
    channel_register(fake, channel, callback_url="http://127.0.0.1:1/unused")
    env = {**os.environ, "FAKE_PROVIDER_URL": fake_url,
           "CONVERSATION_INBOUND_HANDLERS": "bench.reply_handler.reply"}  # fmt: skip
    port = free_port()
    path = reverse("conversations:webhook", kwargs={"channel_key": channel.key})
    procs = [subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--log-level", "warning"], cwd=ROOT, env=env)]  # fmt: skip
    for n in range(args.task_workers):
        procs.append(subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", str(args.worker_interval),
             "--no-reload", "--no-startup-delay", "--worker-id", f"bench-{n}", "-v", "0"], cwd=ROOT, env=env))  # fmt: skip
    try:
        wait_port(port)
        # Warm up: the workers' first tasks import modules and open connections.
        warm = make_requests(channel, 20, port, path, start=9_000_000)
        asyncio.run(run_step(port, warm, 10))
        deadline = time.monotonic() + 60
        while len(fake.sent) < len(warm) and time.monotonic() < deadline:
            time.sleep(0.2)
        fake.sent.clear()
        count = int(args.reply_rate * args.reply_seconds)
        requests = make_requests(channel, count, port, path, start=10_000_000)
        sent_at: dict[str, float] = {}
        base = time.time()
        _, statuses, _ = asyncio.run(run_step(port, requests, args.reply_rate))
        # The request for client n was scheduled at base + n / rate (wall clock).
        for i in range(count):
            sent_at[f"55119{10_000_000 + i:08d}"] = base + 0.05 + i / args.reply_rate
        deadline = time.monotonic() + 60
        while len(fake.sent) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        delays = [
            (s["at"] - sent_at[s["wa_id"]]) * 1000 for s in fake.sent if s["wa_id"] in sent_at
        ]
        print(
            f"\ninbound -> reply dispatched at {args.reply_rate}/s for {args.reply_seconds}s "
            f"({args.task_workers} db_workers, poll {args.worker_interval}s): {len(delays)}/{count} replies, "
            f"p50 {percentile(delays, 50):.0f} ms, p95 {percentile(delays, 95):.0f} ms, "
            f"max {max(delays):.0f} ms; webhook 200s: {sum(1 for s in statuses if s == 200)}"
        )
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=15)
        fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", type=lambda s: [int(x) for x in s.split(",")],
                        default=[250, 500, 750, 1000, 1250, 1500])  # fmt: skip
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each step")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--task-workers", type=int, default=2)
    parser.add_argument("--worker-interval", type=float, default=0.05)
    parser.add_argument("--reply-rate", type=float, default=20)
    parser.add_argument("--reply-seconds", type=float, default=15)
    parser.add_argument("--skip-reply", action="store_true")
    args = parser.parse_args()

    channel = setup_database()
    from django.db import connection

    print(
        f"database: {connection.vendor}; gunicorn sync workers: {args.web_workers}; cores: {os.cpu_count()}"
    )
    print(
        "\n  rate |  django/s   p50ms    p99ms   err |    asgi/s   p50ms    p99ms   err | ratio  p99 x"
    )
    rows = intake(channel, args)
    good = [r for r in rows if r["django"]["errors"] == 0 and r["django"]["p99"] < 200]
    if good:
        best = max(good, key=lambda r: r["django"]["per_s"])
        print(f"sustained with p99 < 200 ms: {best['django']['per_s']:.0f} events/s "
              f"(bare ASGI at that rate: {best['asgi']['per_s']:.0f}/s)")  # fmt: skip
    if not args.skip_reply:
        reply_latency(channel, args)


if __name__ == "__main__":
    main()
