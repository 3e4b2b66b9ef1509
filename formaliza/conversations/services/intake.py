"""The webhook hot path: verify the provider's signature on the raw body, store the raw event and
enqueue its processing in one transaction, answer. Nothing else happens before the 200.

The channel's credentials are kept in memory for a few seconds per process (a webhook burst does
not re-read and re-decrypt them per request); a signature that fails against the cached secret
is checked once more against the database, so a rotated secret takes effect at once.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction

from formaliza.conversations.adapters import channel_config, provider_for_config
from formaliza.conversations.models import Channel, InboundEvent
from formaliza.conversations.ports import ChannelConfig
from formaliza.core import clock
from formaliza.core.tasks import enqueue, task_named

PROCESS_TASK = "formaliza.conversations.tasks.inbound_event_process"


@dataclass(frozen=True)
class _Cached:
    channel_id: int
    config: ChannelConfig
    expires: float


_cache: dict[str, _Cached] = {}


def _load(key: str) -> _Cached | None:
    try:
        key_uuid = uuid.UUID(key)
    except ValueError:
        return None
    channel = (
        Channel.objects.select_related("tenant")
        .filter(key=key_uuid, is_active=True, tenant__is_active=True)
        .first()
    )
    if channel is None:
        _cache.pop(key, None)
        return None
    ttl = settings.CONVERSATION_WEBHOOK_CHANNEL_CACHE_SECONDS
    cached = _Cached(channel.pk, channel_config(channel), time.monotonic() + ttl)
    _cache[key] = cached
    return cached


def _channel(key: str) -> _Cached | None:
    cached = _cache.get(key)
    if cached is None or cached.expires < time.monotonic():
        return _load(key)
    return cached


def webhook_handshake(*, channel_key: str, query: Mapping[str, str]) -> str | None:
    """The challenge to echo for a valid subscription check, or None (403)."""
    cached = _load(channel_key)
    if cached is None:
        return None
    return provider_for_config(cached.config).handshake(query=query)


@dataclass(frozen=True)
class Intake:
    status: int  # 200 stored (or already stored), 403 forged/unsigned, 404 unknown channel
    stored: bool = False


def webhook_receive(
    *, channel_key: str, body: bytes, headers: Mapping[str, str], url: str
) -> Intake:
    cached = _channel(channel_key)
    if cached is None:
        return Intake(404)
    verified = provider_for_config(cached.config).verify_request(
        body=body, headers=headers, url=url
    )
    if not verified:
        fresh = _load(channel_key)  # maybe the secret was just rotated
        if fresh is None or fresh.config == cached.config:
            return Intake(403)
        if not provider_for_config(fresh.config).verify_request(
            body=body, headers=headers, url=url
        ):
            return Intake(403)
        cached = fresh
    return Intake(200, stored=inbound_event_store(channel_id=cached.channel_id, body=body))


def inbound_event_store(*, channel_id: int, body: bytes) -> bool:
    """Store a verified webhook body and enqueue its processing, atomically. False when this
    exact body was stored before (the provider retried): nothing new is enqueued."""
    digest = hashlib.sha256(body).hexdigest()
    # The hot path skips Django's per-request connection health check (one more round trip):
    # a pooled connection found dead is closed and the write tried once more, outside any
    # transaction of the caller.
    for attempt in (1, 2):
        if not connection.in_atomic_block:
            connection.health_check_done = True
        try:
            if connection.vendor == "postgresql":
                return _store_postgresql(channel_id, body, digest)
            return _store_orm(channel_id, body, digest)
        except (OperationalError, InterfaceError):
            if attempt == 2 or connection.in_atomic_block:
                raise
            connection.close()
    raise AssertionError("unreachable")


def _store_orm(channel_id: int, body: bytes, digest: str) -> bool:
    try:
        with transaction.atomic():
            event = InboundEvent.objects.create(
                channel_id=channel_id, received_at=clock.now(), body=body, body_sha256=digest
            )
            enqueue(PROCESS_TASK, event.pk)
    except IntegrityError:
        return False
    return True


@cache
def _postgresql_statement() -> str:
    """One statement (one round trip, one commit) writing the event and its task row exactly as
    `inbound_event_process.enqueue(event.pk)` would (tests compare the two): on PostgreSQL the
    webhook's cost is then that of a single INSERT, which is what the intake budget allows.
    The task's constant columns are rendered as literals once; six values are parameters."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max
    from psycopg.sql import Literal

    task = task_named(PROCESS_TASK)
    connection.ensure_connection()

    def literal(value) -> str:
        return Literal(value).as_string(connection.connection)

    event, result = InboundEvent._meta, DBTaskResult._meta
    ec = {f.name: connection.ops.quote_name(f.column) for f in event.concrete_fields}
    values = {
        "id": "%s", "status": literal(str(TaskResultStatus.READY)), "enqueued_at": "%s",
        "started_at": "NULL", "finished_at": "NULL",
        "args_kwargs": f"jsonb_build_object('args', jsonb_build_array(stored.{ec['id']}), "
        "'kwargs', '{}'::jsonb)",
        "priority": literal(task.priority), "task_path": literal(task.module_path),
        "worker_ids": "'[]'::jsonb", "queue_name": literal(task.queue_name),
        "backend_name": literal(task.backend), "run_after": literal(get_date_max()),
        "return_value": "NULL", "exception_class_path": "''", "traceback": "''",
    }  # fmt: skip
    columns = ", ".join(connection.ops.quote_name(result.get_field(n).column) for n in values)
    unique = f"{ec['channel']}, {ec['body_sha256']}"
    # Identifiers come from the models; values are parameters or psycopg-rendered literals.
    return (
        f"WITH stored AS (INSERT INTO {connection.ops.quote_name(event.db_table)} "  # noqa: S608
        f"({ec['channel']}, {ec['received_at']}, {ec['body']}, {ec['body_sha256']}, "
        f"{ec['status']}, {ec['processed_at']}, {ec['error']}) "
        f"VALUES (%s, %s, %s, %s, 'pending', NULL, '') ON CONFLICT ({unique}) DO NOTHING "
        f"RETURNING {ec['id']}) "
        f"INSERT INTO {connection.ops.quote_name(result.db_table)} ({columns}) "
        f"SELECT {', '.join(values.values())} FROM stored"
    )


def _store_postgresql(channel_id: int, body: bytes, digest: str) -> bool:
    now = clock.now()
    with connection.cursor() as cursor:
        cursor.execute(_postgresql_statement(), [channel_id, now, body, digest, uuid.uuid4(), now])
        return cursor.rowcount == 1
