"""Contact search benchmark (issue 14), PostgreSQL only: generate contacts, phones, e-mails and
activity rows straight into the migrated schema with generate_series (one INSERT ... SELECT per
table, secondary indexes built after), then time the real search
(`formaliza.contacts.search.contact_search`, the page the back office and the API show: count +
first page) per type, next to a bare indexed `SELECT` on the same table in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/formaliza_h14 \\
        .venv/bin/python bench/contacts_search.py --contacts 1000000 --activity 5000000

`--reuse` keeps an already generated corpus. Goal: p95 <= 50 ms for every type except name
similarity (<= 150 ms), and within 3x the bare query.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--contacts", type=int, default=1_000_000)
parser.add_argument("--activity", type=int, default=5_000_000)
parser.add_argument("--runs", type=int, default=60)
parser.add_argument("--reuse", action="store_true")
parser.add_argument("--seed", type=int, default=14)
ARGS = parser.parse_args()
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("needs DATABASE_URL=postgres://... (a database of its own)")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from formaliza.accounts.models import Tenant  # noqa: E402
from formaliza.contacts.search import contact_search  # noqa: E402
from formaliza.core import br  # noqa: E402

FIRST = ["Maria", "José", "Ana", "João", "Antônio", "Francisco", "Carlos", "Paulo", "Pedro",
         "Lucas", "Luiz", "Marcos", "Luís", "Gabriel", "Rafael", "Daniel", "Marcelo", "Bruno",
         "Eduardo", "Felipe", "Raimundo", "Rodrigo", "Manoel", "Mateus", "André", "Fernando",
         "Fábio", "Leonardo", "Gustavo", "Guilherme", "Márcia", "Patrícia", "Aline", "Sandra",
         "Juliana", "Adriana", "Fernanda", "Camila", "Amanda", "Bruna", "Jéssica", "Letícia",
         "Júlia", "Luciana", "Vanessa", "Mariana", "Gabriela", "Vera", "Vitória", "Larissa",
         "Cláudia", "Beatriz", "Luana", "Rita", "Sônia", "Renata", "Eliane", "Josefa", "Simone",
         "Natália", "Clara", "Laura", "Helena", "Alice", "Cecília", "Isabela", "Heloísa",
         "Valentina", "Lívia", "Sofia", "Arthur", "Heitor", "Davi", "Bernardo", "Théo",
         "Samuel", "Enzo", "Otávio", "Joaquim", "Benício"]  # fmt: skip
LAST = ["Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira",
        "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares",
        "Fernandes", "Vieira", "Barbosa", "Rocha", "Dias", "Nascimento", "Andrade", "Moreira",
        "Nunes", "Marques", "Machado", "Mendes", "Freitas", "Cardoso", "Ramos", "Gonçalves",
        "Santana", "Teixeira", "Araújo", "Correia", "Pinto", "Cavalcanti", "Monteiro", "Moura",
        "Batista", "Campos", "Cunha", "Conceição", "Brandão", "Peixoto", "Fonseca", "Queiroz",
        "Xavier", "Bezerra", "Farias", "Sampaio", "Macedo", "Toledo", "Prado", "Figueiredo",
        "Assunção", "Magalhães", "Guimarães"]  # fmt: skip

CPF_FN = """
CREATE OR REPLACE FUNCTION bench_cpf(n bigint) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE base text := lpad((n % 1000000000)::text, 9, '0'); s int := 0; d1 int; d2 int; i int;
BEGIN
  FOR i IN 1..9 LOOP s := s + substr(base, i, 1)::int * (11 - i); END LOOP;
  d1 := 11 - (s % 11); IF d1 >= 10 THEN d1 := 0; END IF;
  s := 0;
  FOR i IN 1..9 LOOP s := s + substr(base, i, 1)::int * (12 - i); END LOOP;
  s := s + d1 * 2;
  d2 := 11 - (s % 11); IF d2 >= 10 THEN d2 := 0; END IF;
  RETURN base || d1::text || d2::text;
END $$;
"""


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or None)


def generate(tenant: Tenant) -> None:
    n, activity = ARGS.contacts, ARGS.activity
    t0 = time.perf_counter()
    sql("TRUNCATE contacts_contact, contacts_contactphone, contacts_contactemail, "
        "acceptance_contactactivity CASCADE")  # fmt: skip
    sql(CPF_FN)
    # Index builds after the load: drop the secondary indexes (those backing no constraint)
    # the load would maintain row by row, and build them again from their definitions.
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid IN ('contacts_contact'::regclass, 'contacts_contactphone'::regclass,
                                 'contacts_contactemail'::regclass,
                                 'acceptance_contactactivity'::regclass)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """)
        secondary = cursor.fetchall()
    for name, _ in secondary:
        sql(f"DROP INDEX {name}")
    sql("""
        INSERT INTO contacts_contact (created_at, updated_at, tenant_id, public_id, kind,
            document, name, name_search, birth_date)
        SELECT now() - (g %% 1500) * interval '1 day', now(), %s, gen_random_uuid(), 'person',
               bench_cpf(100000000 + g * 7),
               nm, lower(unaccent(nm)), NULL
        FROM (
          SELECT g, f[1 + (hashint4(g) & 2147483647) %% cardinality(f)] || ' ' ||
                    l[1 + (hashint4(g + 7) & 2147483647) %% cardinality(l)] || ' ' ||
                    l[1 + (hashint4(g + 13) & 2147483647) %% cardinality(l)] AS nm
          FROM generate_series(1, %s) AS g, (SELECT %s::text[] AS f, %s::text[] AS l) names
        ) s
    """, [tenant.pk, n, FIRST, LAST])  # fmt: skip
    print(f"contacts: {n} in {time.perf_counter() - t0:.0f}s", flush=True)
    sql("""
        INSERT INTO contacts_contactphone (created_at, updated_at, tenant_id, contact_id, e164,
            wa_id, is_mobile)
        SELECT now(), now(), tenant_id, id, '+551199' || lpad((id % 10000000)::text, 7, '0'),
               '', true
        FROM contacts_contact
    """)
    sql("""
        INSERT INTO contacts_contactemail (created_at, updated_at, tenant_id, contact_id, address)
        SELECT now(), now(), tenant_id, id, 'cliente' || id || '@example.com'
        FROM contacts_contact WHERE id % 2 = 0
    """)
    print(f"phones, e-mails in {time.perf_counter() - t0:.0f}s", flush=True)
    sql("""
        INSERT INTO acceptance_contactactivity (tenant_id, contact_id, at, kind, channel,
            automation, description, data)
        SELECT %s, lo + (g %% cnt), now() - (g %% 100000) * interval '1 minute',
               (ARRAY['kit.sent','kit.opened','document.read','kit.accepted','message.sent'])
                 [1 + g %% 5],
               (ARRAY['whatsapp','sms','email'])[1 + g %% 3], 'Aceite digital',
               'Atividade gerada ' || g, '{}'::jsonb
        FROM generate_series(1, %s) AS g,
             (SELECT min(id) AS lo, count(*) AS cnt FROM contacts_contact) b
    """, [tenant.pk, activity])  # fmt: skip
    print(f"activity: {activity} in {time.perf_counter() - t0:.0f}s", flush=True)
    sql("SET maintenance_work_mem = '256MB'")
    for _, definition in secondary:
        sql(definition)
    sql("VACUUM ANALYZE contacts_contact")
    sql("VACUUM ANALYZE contacts_contactphone")
    sql("VACUUM ANALYZE contacts_contactemail")
    sql("VACUUM ANALYZE acceptance_contactactivity")
    print(f"indexes and analyze in {time.perf_counter() - t0:.0f}s", flush=True)


def timed(fn, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    call_command("migrate", verbosity=0)
    tenant, _ = Tenant.objects.get_or_create(slug="bench-contacts", defaults={"name": "Bench"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM contacts_contact")
        have = cursor.fetchone()[0]
    if not (ARGS.reuse and have):
        generate(tenant)
    rng = random.Random(ARGS.seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM contacts_contact")
        total = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM acceptance_contactactivity")
        activity_total = cursor.fetchone()[0]
        cursor.execute(
            "SELECT c.document, c.name, c.public_id, p.e164, e.address FROM contacts_contact c "
            "JOIN contacts_contactphone p ON p.contact_id = c.id "
            "LEFT JOIN contacts_contactemail e ON e.contact_id = c.id "
            "WHERE c.tenant_id = %s AND c.id %% 997 = 0 AND e.address IS NOT NULL LIMIT 500",
            [tenant.pk],
        )
        samples = cursor.fetchall()
    print(f"\ncorpus: {total} contacts, {activity_total} activity rows; {ARGS.runs} runs each\n")

    def pick():
        return rng.choice(samples)

    def bare():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM contacts_contact WHERE tenant_id = %s AND document = %s",
                [tenant.pk, pick()[0]],
            )
            cursor.fetchall()

    def run(kind, text_of):
        def once():
            # the capped count and the first page, as the page and the API show them
            contact_search(tenant=tenant, kind=kind, text=text_of(pick()))

        return once

    cases = [
        ("bare indexed SELECT (document)", bare),
        ("CPF (masked)", run("cpf", lambda s: br.cpf_format(s[0]))),
        ("Celular (8-digit, spaces)", run("celular", lambda s: f"{s[3][3:5]} {s[3][6:10]}-{s[3][10:]}")),
        ("E-mail", run("email", lambda s: s[4].upper())),
        ("ID (first block)", run("id", lambda s: str(s[2]).split("-")[0])),
        ("Nº do documento", run("documento", lambda s: s[0])),
        ("Todos (a CPF)", run("todos", lambda s: s[0])),
        ("Todos (a full name)", run("todos", lambda s: s[1])),
        ("Nome (similarity, a full name)", run("nome", lambda s: s[1])),
        ("Nome (first name + last surname)", run("nome", lambda s: " ".join(s[1].split()[::2]))),
        ("Nome (one common surname)", run("nome", lambda s: s[1].split()[-1])),
    ]  # fmt: skip
    results = {}
    for label, fn in cases:
        fn()  # warm
        results[label] = timed(fn, ARGS.runs)
    bare_p95 = results[cases[0][0]][1]
    print(f"{'search':36} {'p50 ms':>8} {'p95 ms':>8} {'p95/bare':>9}")
    for label, (p50, p95) in results.items():
        print(f"{label:36} {p50:8.1f} {p95:8.1f} {p95 / bare_p95:9.1f}")


if __name__ == "__main__":
    main()
