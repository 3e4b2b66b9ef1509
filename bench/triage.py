"""Triage worklists benchmark (issue 16), PostgreSQL only: generate certificate orders straight
into the migrated schema with generate_series (one INSERT ... SELECT), spread over the four
lists and out of them, then time what the pages run: the four lists' counts
(`selectors.worklist_counts`, one GROUP BY) and the first page of each list
(`selectors.worklist_orders`, 50 rows), next to a bare `count(*)` of the tenant's orders in the
same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/formaliza_bench_triage \\
        .venv/bin/python bench/triage.py --orders 100000 --runs 60

`--reuse` keeps an already generated corpus. Goal: p95 <= 100 ms for the counts and each list.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--orders", type=int, default=100_000)
parser.add_argument("--runs", type=int, default=60)
parser.add_argument("--reuse", action="store_true")
ARGS = parser.parse_args()
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("needs DATABASE_URL=postgres://... (a database of its own)")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from formaliza.accounts import services as accounts  # noqa: E402
from formaliza.accounts.models import Tenant, User  # noqa: E402
from formaliza.accounts.roles import Role  # noqa: E402
from formaliza.triage import selectors  # noqa: E402
from formaliza.triage.models import CertificateOrder  # noqa: E402
from formaliza.triage.worklists import LISTS  # noqa: E402

SLUG = "bench-triage"

# i % 20 decides the order's state: 3/20 no-show, 5/20 documents, 4/20 payment, 3/20 to
# schedule, 5/20 in no list (scheduled, emitted, cancelled).
INSERT = """
INSERT INTO triage_certificateorder (
  created_at, updated_at, tenant_id, external_id, client_name, client_document, client_phone,
  client_email, accountant_email, product, payment_status, payment_link, documents_status,
  appointment_at, attendance, emitted_at, cancelled_at, cancel_requested_at, worklist,
  worklist_since, steps_done, assigned_to_id, last_contact_at, follow_up_at, call_task_at,
  call_task_reason)
SELECT now(), now(), %(tenant)s, 'B-' || i, 'Cliente ' || i, '', '+55119' || lpad((i %% 100000000)::text, 8, '0'),
  '', '', 'e-CPF A1',
  CASE WHEN s BETWEEN 8 AND 11 THEN 'pending' ELSE 'paid' END, '',
  CASE WHEN s BETWEEN 3 AND 7 THEN 'pending' ELSE 'received' END,
  CASE WHEN s < 3 OR s >= 15 THEN now() - interval '1 day' ELSE NULL END,
  CASE WHEN s < 3 THEN 'no_show' WHEN s >= 15 THEN 'attended' ELSE '' END,
  CASE WHEN s >= 17 THEN now() ELSE NULL END, NULL, NULL,
  CASE WHEN s < 3 THEN 'reagendar' WHEN s < 8 THEN 'documentos' WHEN s < 12 THEN 'pagamentos'
       WHEN s < 15 THEN 'agendar' ELSE '' END,
  now() - (i %% 5000) * interval '1 minute', '[]'::jsonb,
  CASE WHEN i %% 3 = 0 THEN %(operator)s ELSE NULL END,
  CASE WHEN i %% 4 = 0 THEN now() - interval '2 hours' ELSE NULL END,
  CASE WHEN i %% 10 = 0 THEN now() + interval '1 day' ELSE NULL END,
  CASE WHEN i %% 50 = 0 THEN now() ELSE NULL END, ''
FROM (SELECT i, i %% 20 AS s FROM generate_series(1, %(n)s) AS i) AS g
"""


def corpus() -> tuple[Tenant, User]:
    call_command("migrate", verbosity=0)
    tenant = Tenant.objects.filter(slug=SLUG).first()
    if tenant is not None and ARGS.reuse:
        return tenant, User.objects.get(tenant=tenant, role=Role.OPERATOR)
    if tenant is None:
        tenant = accounts.tenant_create(name="Bench Triagem", slug=SLUG)
        accounts.user_create(
            tenant=tenant, email="op@bench.example.com", password=secrets.token_urlsafe(16),
            role=Role.OPERATOR, first_name="Op",
        )  # fmt: skip
    operator = User.objects.get(tenant=tenant, role=Role.OPERATOR)
    CertificateOrder.objects.filter(tenant=tenant).delete()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(INSERT, {"tenant": tenant.pk, "operator": operator.pk, "n": ARGS.orders})
        cursor.execute("ANALYZE triage_certificateorder")
    print(f"generated {ARGS.orders} orders in {time.perf_counter() - started:.1f} s")
    return tenant, operator


def timed(fn) -> list[float]:
    fn()  # warm
    out = []
    for _ in range(ARGS.runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def row(name: str, samples: list[float], bare: float) -> str:
    p50 = statistics.median(samples)
    p95 = statistics.quantiles(samples, n=20)[18]
    return f"| {name} | {p50:.1f} | {p95:.1f} | {p95 / bare:.1f} |"


def main() -> None:
    tenant, operator = corpus()

    def bare():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM triage_certificateorder WHERE tenant_id = %s", [tenant.pk]
            )
            cursor.fetchone()

    results = {"bare count(*) of the tenant's orders": timed(bare)}
    counts = selectors.worklist_counts(tenant=tenant, user=operator)
    results["four lists with counts (worklist_counts)"] = timed(
        lambda: selectors.worklist_counts(tenant=tenant, user=operator)
    )
    for w in LISTS:
        results[f"list {w}: first page of 50"] = timed(
            lambda w=w: list(selectors.worklist_orders(tenant=tenant, worklist=w)[:50])
        )
    print("counts:", {c.worklist: (c.total, c.due, c.call_tasks) for c in counts})
    bare_p95 = statistics.quantiles(results["bare count(*) of the tenant's orders"], n=20)[18]
    print("| query | p50 ms | p95 ms | p95 / bare |\n|---|---:|---:|---:|")
    for name, samples in results.items():
        print(row(name, samples, bare_p95))


main()
