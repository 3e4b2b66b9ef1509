"""Worker recovery benchmark: kill -9 a task worker in the middle of a send, N times, and measure
how long its task takes to go back to the queue (and to run again), and whether any message was
sent twice or lost.

    .venv/bin/python bench/worker_recovery.py --kills 10            # throwaway SQLite database
    DATABASE_URL=postgres://... .venv/bin/python bench/worker_recovery.py --kills 10

Real processes, as `manage.py serve` runs them: two `task_worker`s (heartbeat every
TASK_WORKER_HEARTBEAT_SECONDS, dead after TASK_WORKER_DEAD_AFTER_SECONDS) and the `scheduler`
(which checks heartbeats on every tick), and the fake WhatsApp Graph API holding each send
--send-delay seconds so that a kill lands during the provider call. A killed worker is replaced
at once by a new one with a new id (what serve's supervisor does). Status webhooks the fake sends
are posted to our webhook (they carry our message id, so a message whose worker died mid-call is
completed by its receipt, never by sending it again).
"""

from __future__ import annotations

import argparse
import collections
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("FORMALIZA_VAR_DIR", tempfile.mkdtemp(prefix="formaliza-bench-"))
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("SECRET_KEY", "formaliza-bench-only-not-a-secret")
# A message whose worker died mid-call and that gets no receipt fails as dispatch_interrupted
# after this grace (300 s in production); shorter here so that a run ends in minutes.
os.environ.setdefault("CONVERSATION_UNCERTAIN_GRACE_SECONDS", "30")

FINAL = {"accepted", "sent", "delivered", "read", "failed"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--per-round", type=int, default=6, help="messages enqueued per kill")
    parser.add_argument("--send-delay", type=float, default=1.0)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django_tasks_db.models import DBTaskResult

    from formaliza.accounts.actors import Actor
    from formaliza.accounts.services import tenant_create
    from formaliza.conversations.fake_provider import FakeProvider
    from formaliza.conversations.models import Message
    from formaliza.conversations.services import TemplateInput, message_send_template, template_save
    from formaliza.conversations.tests.helpers import deliver, whatsapp_channel

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    fake = FakeProvider(mode="collect", status_delay=0.0, read_after=None,
                        send_delay=args.send_delay)  # fmt: skip
    settings.FAKE_PROVIDER_URL = fake.start()
    tenant = tenant_create(name="Promotora Bench", slug=f"bench-{int(time.time())}")
    channel = whatsapp_channel(tenant, fake, pacing_interval_seconds=0)
    body = [{"type": "BODY", "text": "Olá {{1}}"}]
    template_save(tenant=tenant, channel_id=channel.pk,
                  data=TemplateInput(name="convite", language="pt_BR", category="utility", components=body))  # fmt: skip
    fake.register_template(channel.business_account_id,
                           {"name": "convite", "language": "pt_BR", "category": "UTILITY", "components": body})  # fmt: skip
    actor = Actor.of_system(tenant, "bench")

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        database_url = f"sqlite:///{Path(db['NAME']).resolve()}"
    else:
        database_url = os.environ["DATABASE_URL"]
    env = {**os.environ, "DATABASE_URL": database_url, "FAKE_PROVIDER_URL": fake.url}
    manage = str(ROOT / "manage.py")
    generation = collections.Counter()

    def start_worker(slot: int) -> tuple[str, subprocess.Popen]:
        generation[slot] += 1
        worker_id = f"bench-{slot}-{generation[slot]}"
        argv = [sys.executable, manage, "task_worker", "--queue-name", "*", "--interval", "0.2",
                "--no-reload", "--worker-id", worker_id, "-v", "0"]  # fmt: skip
        return worker_id, subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL)

    workers = {slot: start_worker(slot) for slot in (1, 2)}
    scheduler = subprocess.Popen([sys.executable, manage, "scheduler"], env=env)
    web = Client()
    sent_texts: list[str] = []
    requeue_s, rerun_s = [], []
    try:
        for kill in range(args.kills):
            for n in range(args.per_round):
                text = f"k{kill}m{n}"
                sent_texts.append(text)
                message_send_template(actor=actor, channel=channel, to=f"1198{kill:03d}{n + 1:04d}",
                                      template="convite", variables=[text])  # fmt: skip
            fake.in_flight.clear()
            if not fake.in_flight.wait(timeout=120):
                raise SystemExit("no send reached the provider")
            running = dict(
                DBTaskResult.objects.filter(
                    status="RUNNING", task_path__endswith="message_dispatch"
                ).values_list("pk", "worker_ids")
            )
            victim = next(
                (
                    (slot, wid, pk)
                    for slot, (wid, _) in workers.items()
                    for pk, ids in running.items()
                    if ids and ids[-1] == wid
                ),
                None,
            )
            if victim is None:
                continue
            slot, worker_id, task_pk = victim
            workers[slot][1].send_signal(signal.SIGKILL)
            killed_at = time.monotonic()
            workers[slot][1].wait()
            workers[slot] = start_worker(slot)  # the supervisor's restart
            requeued = None
            while time.monotonic() - killed_at < 300:
                deliver(fake, client=web)
                task = DBTaskResult.objects.get(pk=task_pk)
                if (requeued is None and task.status != "RUNNING") or len(task.worker_ids) > 1:
                    requeued = requeued or time.monotonic() - killed_at
                if task.status in ("SUCCESSFUL", "FAILED"):
                    requeue_s.append(requeued)
                    rerun_s.append(time.monotonic() - killed_at)
                    break
                time.sleep(0.1)
            print(f"kill {kill + 1}: {worker_id} task {task_pk}: back in the queue after "
                  f"{requeue_s[-1]:.1f} s, ran again and finished after {rerun_s[-1]:.1f} s",
                  flush=True)  # fmt: skip

        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            deliver(fake, client=web)
            if set(Message.objects.values_list("status", flat=True)) <= FINAL:
                break
            time.sleep(0.2)
    finally:
        for _, proc in workers.values():
            proc.terminate()
        scheduler.terminate()
        for proc in [p for _, p in workers.values()] + [scheduler]:
            proc.wait(timeout=30)
        fake.stop()

    counts = collections.Counter(
        s["payload"]["template"]["components"][0]["parameters"][0]["text"] for s in fake.sent
    )
    statuses = collections.Counter(Message.objects.values_list("status", flat=True))
    duplicates = sum(c - 1 for c in counts.values() if c > 1)
    never_sent = [t for t in sent_texts if t not in counts]
    print()
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; "
          f"heartbeat {settings.TASK_WORKER_HEARTBEAT_SECONDS} s, dead after "
          f"{settings.TASK_WORKER_DEAD_AFTER_SECONDS} s")  # fmt: skip
    print(f"kills: {len(requeue_s)}; messages: {len(sent_texts)}; provider sends: {len(fake.sent)}")
    if requeue_s:
        print(f"time to requeue: median {statistics.median(requeue_s):.1f} s, "
              f"max {max(requeue_s):.1f} s")  # fmt: skip
        print(f"time to run again and finish: median {statistics.median(rerun_s):.1f} s, "
              f"max {max(rerun_s):.1f} s")  # fmt: skip
    failures = collections.Counter(
        Message.objects.filter(status="failed").values_list("error_code", flat=True)
    )
    print(f"sent twice: {duplicates}; never reached the provider: {len(never_sent)}; "
          f"final statuses: {dict(statuses)}; failures: {dict(failures)}")  # fmt: skip


if __name__ == "__main__":
    main()
