"""Base models shared by every app."""

from __future__ import annotations

import uuid

from django.db import models, transaction

from formaliza.core import clock


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(default=clock.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class UUIDModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class Sequence(models.Model):
    """Per-tenant counters (proposal numbers, protocol numbers), gap-free within a transaction."""

    tenant_id = models.BigIntegerField()
    name = models.CharField(max_length=40)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant_id", "name"], name="core_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.name}={self.value}"


def sequence_next(*, tenant_id: int, name: str) -> int:
    """Next value of a tenant's counter. Must run inside the caller's transaction."""
    with transaction.atomic():
        Sequence.objects.get_or_create(tenant_id=tenant_id, name=name)
        row = Sequence.objects.select_for_update().get(tenant_id=tenant_id, name=name)
        row.value += 1
        row.save(update_fields=["value"])
        return row.value


class WorkerHeartbeat(models.Model):
    """A running task worker (`manage.py task_worker`) says it is alive every few seconds.

    A task RUNNING on a worker whose heartbeat stopped is handed back to the queue within
    seconds (see `core.workers`), instead of waiting for TASK_STALE_AFTER_SECONDS.
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.IntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id}@{self.hostname}:{self.pid}"
