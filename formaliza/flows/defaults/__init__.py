"""The flows Formaliza ships (JSON documents in format "formaliza.flow/1" next to this module)
and their installation for a tenant.

`formalization_flow_ensure(tenant)` gives the tenant's formalization flow (trigger
"formalization"), installing and publishing the default assistant (`formalizacao.json`) the
first time. It never touches a flow the tenant already has: once installed, the tenant may edit
it, publish new versions or replace it with another flow of the same trigger.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from django.db import IntegrityError, transaction

from formaliza.accounts.models import Tenant
from formaliza.core import clock
from formaliza.flows.document import FlowDocument
from formaliza.flows.format import parse, to_data
from formaliza.flows.models import Flow, FlowVersion

DEFAULTS_DIR = Path(__file__).parent
FORMALIZATION_KEY = "formalizacao"


@cache
def default_data(key: str) -> dict:
    """The shipped document `key` as decoded JSON (validated by `default_document`)."""
    return json.loads((DEFAULTS_DIR / f"{key}.json").read_text(encoding="utf-8"))


def default_document(key: str) -> FlowDocument:
    return parse(default_data(key))


def checksum(data: dict) -> str:
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def formalization_flow_get(*, tenant: Tenant) -> Flow | None:
    return (
        Flow.objects.select_related("live")
        .filter(tenant=tenant, trigger=Flow.Trigger.FORMALIZATION)
        .first()
    )


def formalization_flow_ensure(*, tenant: Tenant) -> Flow | None:
    """The tenant's formalization flow, with the default assistant installed and published
    (version 1) when the tenant has none. Idempotent and safe under concurrency. None when the
    tenant has no formalization flow and the key "formalizacao" is taken by another of its
    flows (the tenant turned the assistant into something else: we do not override that)."""
    flow = formalization_flow_get(tenant=tenant)
    if flow is not None:
        return flow
    if Flow.objects.filter(tenant=tenant, key=FORMALIZATION_KEY).exists():
        return None
    data = to_data(default_document(FORMALIZATION_KEY))
    try:
        with transaction.atomic():
            flow = Flow.objects.create(
                tenant=tenant, key=FORMALIZATION_KEY, name=data["name"],
                description=data["description"], trigger=Flow.Trigger.FORMALIZATION, draft=data,
            )  # fmt: skip
            version = FlowVersion.objects.create(
                flow=flow, number=1, document=data, checksum=checksum(data),
                published_at=clock.now(), note="Fluxo padrão instalado pelo Formaliza",
            )  # fmt: skip
            flow.live = version
            flow.save(update_fields=["live", "updated_at"])
    except IntegrityError:  # another worker installed it at the same moment
        return formalization_flow_get(tenant=tenant)
    return flow
