"""History search benchmark (issue 7): seed a realistic corpus straight into the real schema
(migrations applied), then time the real selector (`formaliza.history.selectors`) per filter and
for combined filters, printing p50/p95 in milliseconds.

    .venv/bin/python bench/history_search.py --messages 1000000            # SQLite (temp file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/formaliza_hist_bench \\
        .venv/bin/python bench/history_search.py --postgres --messages 10000000

Corpus: two tenants (90% / 10%), ~10 messages per conversation, ~2 conversations per contact,
conversations opened over the last 365 days, 40% of them with journey keys (CPF, proposal,
contract, document key, full name, birth date), 6 finalization statuses, 5 departments,
2 entry channels, a third of the contacts with an e-mail. Loading uses the fast paths (COPY on
PostgreSQL, executemany in big transactions on SQLite) with secondary indexes dropped during the
load and rebuilt after it. `--reuse` skips loading when the database already holds a corpus.

Target: p95 under 100 ms per search on PostgreSQL at 10 million messages.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--postgres", action="store_true", help="use DATABASE_URL (PostgreSQL)")
    parser.add_argument("--runs", type=int, default=40, help="searches per filter (>= 30)")
    parser.add_argument("--reuse", action="store_true", help="keep an already loaded corpus")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


ARGS = _parse_args()
if ARGS.postgres:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("--postgres needs DATABASE_URL=postgres://... (a database of its own)")
else:
    WORK = Path(os.environ.get("BENCH_DIR") or tempfile.mkdtemp(prefix="formaliza-bench-hist-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
    os.environ.setdefault("FORMALIZA_VAR_DIR", str(WORK))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from formaliza.accounts import services as accounts  # noqa: E402
from formaliza.accounts.models import Tenant  # noqa: E402
from formaliza.contacts.models import Contact, ContactEmail, ContactPhone  # noqa: E402
from formaliza.conversations.models import (  # noqa: E402
    Channel,
    ContactHandle,
    Conversation,
    ConversationKey,
    Department,
    FinalizationStatus,
    Message,
)
from formaliza.conversations.services import (  # noqa: E402
    ChannelInput,
    channel_create,
    finalization_defaults_ensure,
)
from formaliza.history import selectors  # noqa: E402

PG = connection.vendor == "postgresql"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
DAYS = 365
FIRST = [
    "Maria",
    "José",
    "Ana",
    "João",
    "Antônio",
    "Francisca",
    "Carlos",
    "Paulo",
    "Adriana",
    "Juliana",
    "Marcos",
    "Luiz",
    "Márcia",
    "Pedro",
    "Aline",
    "Sandra",
    "Lucas",
    "Patrícia",
    "Rafael",
    "Camila",
    "Daniel",
    "Fernanda",
    "Bruno",
    "Letícia",
    "Rodrigo",
    "Vanessa",
    "Eduardo",
    "Cristiane",
    "Felipe",
    "Simone",
    "Gustavo",
    "Raimunda",
    "Sebastião",
    "Tereza",
]
LAST = [
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Rodrigues",
    "Ferreira",
    "Alves",
    "Pereira",
    "Lima",
    "Gomes",
    "Costa",
    "Ribeiro",
    "Martins",
    "Carvalho",
    "Almeida",
    "Lopes",
    "Soares",
    "Fernandes",
    "Vieira",
    "Barbosa",
    "Rocha",
    "Dias",
    "Nascimento",
    "Andrade",
    "Moreira",
    "Nunes",
    "Marques",
    "Machado",
    "Mendes",
    "Freitas",
    "Cardoso",
    "Ramos",
    "Gonçalves",
    "Santana",
    "Teixeira",
    "Moura",
    "Cavalcanti",
    "Batista",
    "Araújo",
    "Pinto",
    "Campos",
]


def cpf_of(n: int) -> str:
    base = [int(c) for c in f"{n % 1_000_000_000:09d}"]
    for size in (9, 10):
        total = sum(d * w for d, w in zip(base, range(size + 1, 1, -1), strict=True))
        base.append((total * 10 % 11) % 10)
    return "".join(map(str, base))


# --- bulk loading ----------------------------------------------------------------------------


class Table:
    """Column order and per-column defaults of a model, for building raw rows fast."""

    def __init__(self, model):
        self.model = model
        self.name = model._meta.db_table
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.index = {f.attname: i for i, f in enumerate(self.fields)}
        self.template = [self._default(f) for f in self.fields]

    @staticmethod
    def _default(field):
        if field.has_default():
            value = field.get_default()
            if isinstance(value, dict | list):
                return "{}" if isinstance(value, dict) else "[]"
            if isinstance(value, bool):
                return value if PG else int(value)
            return value
        if field.null:
            return None
        return "" if field.get_internal_type() in ("CharField", "TextField", "SlugField") else 0

    def row(self, **values) -> list:
        row = list(self.template)
        for key, value in values.items():
            row[self.index[key]] = value
        return row


def db_value(value):
    if isinstance(value, dt.datetime):
        return value if PG else value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, uuid.UUID):
        return value if PG else value.hex
    if isinstance(value, dt.date):
        return value if PG else value.isoformat()
    return value


class Loader:
    """Drops a table's secondary indexes, bulk-inserts, then rebuilds them."""

    def __init__(self, table: Table):
        self.table = table
        self.saved: list[tuple[str, str]] = []

    def __enter__(self):
        with connection.cursor() as cur:
            if PG:
                cur.execute(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                    [self.table.name],
                )
                self.saved = list(cur.fetchall())
                for name, _ in self.saved:
                    cur.execute(f'DROP INDEX "{name}"')
            else:
                cur.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                    "AND sql IS NOT NULL",
                    [self.table.name],
                )
                self.saved = list(cur.fetchall())
                for name, _ in self.saved:
                    cur.execute(f'DROP INDEX "{name}"')
        return self

    def insert(self, rows: list[list]) -> None:
        rows = [[db_value(v) for v in row] for row in rows]
        cols = ", ".join(f'"{c}"' for c in self.table.columns)
        with connection.cursor() as cur:
            if PG:
                raw = cur.cursor
                with raw.copy(f'COPY "{self.table.name}" ({cols}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in self.table.columns)
                connection.connection.executemany(
                    f'INSERT INTO "{self.table.name}" ({cols}) VALUES ({marks})',  # noqa: S608
                    rows,
                )

    def __exit__(self, *exc):
        with connection.cursor() as cur:
            if PG:
                cur.execute("SET maintenance_work_mem = '256MB'")
            for _, sql in self.saved:
                cur.execute(sql)
            if PG:
                # Table names come from the models, never from input.
                table = self.table.name
                serial = f"pg_get_serial_sequence('\"{table}\"', 'id')"
                cur.execute(f'SELECT setval({serial}, (SELECT MAX(id) FROM "{table}"))')  # noqa: S608
        return False


def _chunks(total: int, size: int):
    start = 0
    while start < total:
        yield start, min(total, start + size)
        start += size


def _setup_tenants():
    tenants, channels, departments, statuses = [], {}, {}, {}
    for slug in ("bench-a", "bench-b"):
        tenant = accounts.tenant_create(name=f"Promotora {slug}", slug=slug)
        tenants.append(tenant)
        channels[tenant.pk] = [
            channel_create(
                tenant=tenant,
                data=ChannelInput(
                    name="WhatsApp",
                    kind="whatsapp",
                    provider="fake",
                    phone_number_id=f"{tenant.pk}00100",
                    business_account_id="1",
                ),
            ),
            channel_create(
                tenant=tenant,
                data=ChannelInput(
                    name="SMS",
                    kind="sms",
                    provider="fake",
                    sender_id=f"s{tenant.pk}",
                ),
            ),
        ]
        departments[tenant.pk] = [
            Department.objects.create(tenant=tenant, name=name)
            for name in ("Formalização", "Suporte", "Financeiro", "Cobrança", "Ouvidoria")
        ]
        finalization_defaults_ensure(tenant=tenant)
        statuses[tenant.pk] = list(FinalizationStatus.objects.filter(tenant=tenant))
    return tenants, channels, departments, statuses


def load(total_messages: int, rng: random.Random) -> None:
    t0 = time.perf_counter()
    if PG:
        # The corpus is consistent by construction: skip the per-row FK triggers (deferred FK
        # checks would also forbid rebuilding indexes inside the loading transaction).
        with connection.cursor() as cur:
            cur.execute("SET session_replication_role = replica")
    tenants, channels, departments, statuses = _setup_tenants()
    n_conv = max(100, total_messages // 10)
    n_contacts = max(50, n_conv // 2)
    contact_t, phone_t, email_t = Table(Contact), Table(ContactPhone), Table(ContactEmail)
    handle_t, conv_t, key_t, msg_t = (
        Table(ContactHandle),
        Table(Conversation),
        Table(ConversationKey),
        Table(Message),
    )
    contact_tenant = [tenants[0] if rng.random() < 0.9 else tenants[1] for _ in range(n_contacts)]
    names = [
        f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(LAST)}" for _ in range(n_contacts)
    ]
    births = [
        dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(25000)) for _ in range(n_contacts)
    ]
    now = NOW
    with (
        transaction.atomic(),
        Loader(contact_t) as c,
        Loader(phone_t) as p,
        Loader(email_t) as e,
        Loader(handle_t) as h,
    ):
        for lo, hi in _chunks(n_contacts, 50_000):
            contacts, phones, emails, handles = [], [], [], []
            for i in range(lo, hi):
                cid, tenant = i + 1, contact_tenant[i]
                e164 = f"+55{11 + i % 80}9{i:08d}"
                contacts.append(
                    contact_t.row(
                        id=cid,
                        tenant_id=tenant.pk,
                        document=cpf_of(cid),
                        name=names[i],
                        birth_date=births[i],
                        created_at=now,
                        updated_at=now,
                    )
                )
                phones.append(
                    phone_t.row(
                        id=cid,
                        tenant_id=tenant.pk,
                        contact_id=cid,
                        e164=e164,
                        wa_id=e164[1:],
                        created_at=now,
                        updated_at=now,
                    )
                )
                if i % 3 == 0:
                    emails.append(
                        email_t.row(
                            id=cid,
                            tenant_id=tenant.pk,
                            contact_id=cid,
                            address=f"cliente{cid}@example.com",
                            created_at=now,
                            updated_at=now,
                        )
                    )
                handles.append(
                    handle_t.row(
                        id=cid,
                        tenant_id=tenant.pk,
                        channel_id=channels[tenant.pk][0].pk,
                        contact_id=cid,
                        address=e164,
                        wa_id=e164[1:],
                        profile_name=names[i],
                        created_at=now,
                        updated_at=now,
                    )
                )
            c.insert(contacts), p.insert(phones), e.insert(emails), h.insert(handles)
    print(f"  contacts/handles: {n_contacts:,} in {time.perf_counter() - t0:.0f} s", flush=True)

    conv_contact = [rng.randrange(n_contacts) for _ in range(n_conv)]
    conv_opened = [now - dt.timedelta(seconds=rng.randrange(DAYS * 86400)) for _ in range(n_conv)]
    with transaction.atomic(), Loader(conv_t) as cv, Loader(key_t) as kt:
        key_id = 0
        for lo, hi in _chunks(n_conv, 50_000):
            rows, keys = [], []
            for i in range(lo, hi):
                cid = conv_contact[i] + 1
                tenant = contact_tenant[cid - 1]
                opened = conv_opened[i]
                final = rng.choice(statuses[tenant.pk]) if rng.random() < 0.8 else None
                dept = rng.choice(departments[tenant.pk]) if rng.random() < 0.7 else None
                rows.append(
                    conv_t.row(
                        id=i + 1,
                        tenant_id=tenant.pk,
                        channel_id=rng.choice(channels[tenant.pk]).pk,
                        handle_id=cid,
                        contact_id=cid,
                        protocol=f"B{i + 1:010d}",
                        status="closed",
                        origin="client",
                        opened_at=opened,
                        closed_at=opened + dt.timedelta(hours=2),
                        last_message_at=opened + dt.timedelta(hours=1),
                        finalization_id=final.pk if final else None,
                        department_id=dept.pk if dept else None,
                        campaign="Consignado INSS" if i % 4 == 0 else "",
                        created_at=opened,
                        updated_at=opened,
                    )
                )
                if i % 5 < 2:  # 40% came from a journey
                    values = [
                        ("cpf", cpf_of(cid)),
                        ("proposal", f"P{i + 1:09d}"),
                        ("contract", f"C{i + 1:012d}"),
                        ("document_key", f"{uuid.UUID(int=i + 1)}"),
                        ("full_name", names[cid - 1].casefold()),
                        ("birth_date", births[cid - 1].isoformat()),
                    ]
                    for kind, value in values:
                        key_id += 1
                        keys.append(
                            key_t.row(
                                id=key_id,
                                tenant_id=tenant.pk,
                                conversation_id=i + 1,
                                kind=kind,
                                value=value,
                                created_at=opened,
                            )
                        )
            cv.insert(rows), kt.insert(keys)
    print(
        f"  conversations: {n_conv:,}, keys: {key_id:,} in {time.perf_counter() - t0:.0f} s",
        flush=True,
    )

    bodies = [
        "Oi",
        "Quero assinar meu contrato",
        "SIM",
        "Para dar início ao processo, preciso do número do seu CPF.",
        "Olá, sou o assistente virtual e vou auxiliá-lo no processo de formalização.",
        "Obrigado!",
        "1",
        "Segue o documento",
    ]
    with transaction.atomic(), Loader(msg_t) as ml:
        mid = 0
        for lo, hi in _chunks(n_conv, 20_000):
            rows = []
            for i in range(lo, hi):
                cid = conv_contact[i] + 1
                tenant = contact_tenant[cid - 1]
                opened = conv_opened[i]
                for j in range(10):
                    mid += 1
                    inbound = j % 2 == 0
                    at = opened + dt.timedelta(seconds=20 * j)
                    rows.append(
                        msg_t.row(
                            id=mid,
                            public_id=uuid.UUID(int=mid),
                            tenant_id=tenant.pk,
                            channel_id=channels[tenant.pk][0].pk,
                            conversation_id=i + 1,
                            handle_id=cid,
                            contact_id=cid,
                            direction="in" if inbound else "out",
                            kind="text",
                            body=bodies[(i + j) % len(bodies)],
                            status="received" if inbound else "read",
                            created_at=at,
                        )
                    )
            ml.insert(rows)
            if hi % 200_000 == 0:
                print(f"    messages: {mid:,} ({time.perf_counter() - t0:.0f} s)", flush=True)
    print(f"  messages: {mid:,}; corpus loaded in {time.perf_counter() - t0:.0f} s", flush=True)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


# --- timing --------------------------------------------------------------------------------------


def _sample(qs, rng: random.Random, n: int) -> list[tuple]:
    rows = list(qs[:5000])
    return [rng.choice(rows) for _ in range(n)] if rows else []


def _window(rng: random.Random, anchor: dt.datetime | None = None) -> tuple[dt.date, dt.date]:
    """A 30-day window: random, or one that contains `anchor` (the searched conversation's
    start: operators search around the date the client asked)."""
    if anchor is None:
        end = (NOW - dt.timedelta(days=rng.randrange(0, DAYS - 30))).date()
    else:
        end = anchor.date() + dt.timedelta(days=rng.randrange(0, 30))
    return end - dt.timedelta(days=30), end


def scenarios(tenant: Tenant, rng: random.Random, runs: int) -> dict[str, list[dict]]:
    """Filter values drawn from the corpus with a 30-day window around the conversation that
    holds them (so searches find what they look for); categorical filters use random windows."""
    convs = Conversation.objects.filter(tenant=tenant)
    keys = {
        kind: _sample(
            ConversationKey.objects.filter(tenant=tenant, kind=kind)
            .values_list("value", "conversation__opened_at")
            .order_by("?" if PG else "id"),
            rng,
            runs,
        )
        for kind in ("cpf", "proposal", "contract", "document_key", "full_name", "birth_date")
    }
    phones = _sample(convs.values_list("handle__address", "opened_at"), rng, runs)
    emails = _sample(
        convs.filter(contact__emails__isnull=False).values_list(
            "contact__emails__address", "opened_at"
        ),
        rng,
        runs,
    )
    protocols = _sample(convs.values_list("protocol", "opened_at"), rng, runs)
    departments = list(Department.objects.filter(tenant=tenant).values_list("id", flat=True))
    channels = list(Channel.objects.filter(tenant=tenant).values_list("id", flat=True))
    finals = list(FinalizationStatus.objects.filter(tenant=tenant).values_list("id", flat=True))
    parts = [rng.choice(LAST)[:5] for _ in range(runs)]

    def each(fn, anchors=None) -> list[dict]:
        out = []
        for i in range(runs):
            start, end = _window(rng, anchors[i][1] if anchors else None)
            out.append({"start": start, "end": end, **fn(i)})
        return out

    def key(kind: str, field: str | None = None):
        rows = keys[kind]
        return each(lambda i: {field or kind: rows[i][0]}, rows)

    birth = keys["birth_date"]
    return {
        "period (30 days)": each(lambda i: {}),
        "cpf": key("cpf"),
        "contract": key("contract"),
        "document_key": key("document_key"),
        "proposal": key("proposal"),
        "full_name": key("full_name"),
        "birth_date": each(lambda i: {"birth_date": dt.date.fromisoformat(birth[i][0])}, birth),
        "name (partial)": each(lambda i: {"name": parts[i]}),
        "phone": each(lambda i: {"phone": phones[i][0]}, phones),
        "e-mail": each(lambda i: {"email": emails[i][0]}, emails),
        "protocol": each(lambda i: {"protocol": protocols[i][0]}, protocols),
        "department": each(lambda i: {"department_id": rng.choice(departments)}),
        "channel": each(lambda i: {"channel_id": rng.choice(channels)}),
        "finalization": each(lambda i: {"finalization_id": rng.choice(finals)}),
        "dept + finalization": each(
            lambda i: {
                "department_id": rng.choice(departments),
                "finalization_id": rng.choice(finals),
            }
        ),
        "name + finalization": each(
            lambda i: {"name": parts[i], "finalization_id": rng.choice(finals)}
        ),
        "cpf + channel": each(
            lambda i: {"cpf": keys["cpf"][i][0], "channel_id": rng.choice(channels)}, keys["cpf"]
        ),
        "phone + dept + channel": each(
            lambda i: {
                "phone": phones[i][0],
                "department_id": rng.choice(departments),
                "channel_id": rng.choice(channels),
            },
            phones,
        ),
    }


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(tenant: Tenant, rng: random.Random, runs: int) -> list[tuple[str, float, float, int]]:
    results = []
    for label, cases in scenarios(tenant, rng, runs).items():
        times, found = [], 0
        for case in cases:
            filters = selectors.HistoryFilters(**case)
            t = time.perf_counter()
            page = selectors.history_search(tenant=tenant, filters=filters, limit=50)
            times.append((time.perf_counter() - t) * 1000)
            found += bool(page.rows)
        results.append((label, _pct(times, 0.5), _pct(times, 0.95), found))
    # Next page (keyset) and the label counts of a 30-day window.
    times, counts = [], []
    for _ in range(runs):
        start, end = _window(rng)
        filters = selectors.HistoryFilters(start=start, end=end)
        first = selectors.history_search(tenant=tenant, filters=filters, limit=50)
        t = time.perf_counter()
        selectors.history_search(tenant=tenant, filters=filters, after=first.next_cursor, limit=50)
        times.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        selectors.finalization_counts(tenant=tenant, start=start, end=end)
        counts.append((time.perf_counter() - t) * 1000)
    results.append(("period, next page", _pct(times, 0.5), _pct(times, 0.95), runs))
    results.append(("label counts (30 days)", _pct(counts, 0.5), _pct(counts, 0.95), runs))
    return results


def main() -> None:
    rng = random.Random(ARGS.seed)
    print(f"database: {connection.vendor}; target corpus: {ARGS.messages:,} messages", flush=True)
    call_command("migrate", verbosity=0)
    loaded = Message.objects.exists()
    if loaded and not ARGS.reuse:
        sys.exit("the database already holds data: use a fresh one, or --reuse to time it")
    if not loaded:
        load(ARGS.messages, rng)
    tenant = Tenant.objects.get(slug="bench-a")
    print(
        f"messages: {Message.objects.count():,}; conversations: {Conversation.objects.count():,}"
        f"; contacts: {Contact.objects.count():,}; keys: {ConversationKey.objects.count():,}"
    )
    measure(tenant, random.Random(1), 5)  # warm the caches
    results = measure(tenant, rng, max(30, ARGS.runs))
    print(f"\n{'filter':<26} {'p50 ms':>8} {'p95 ms':>8} {'hits':>6}")
    for label, p50, p95, hits in results:
        print(f"{label:<26} {p50:8.1f} {p95:8.1f} {hits:6d}")
    worst = max(results, key=lambda r: r[2])
    print(
        f"\nworst p95: {worst[0]} {worst[2]:.1f} ms; median of p50s "
        f"{statistics.median(r[1] for r in results):.1f} ms"
    )


if __name__ == "__main__":
    main()
