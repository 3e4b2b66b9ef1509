"""The order's timeline: one function writes every event, called explicitly by the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from formaliza.accounts.actors import Actor
from formaliza.core import clock
from formaliza.triage.models import CertificateOrder, OrderEvent


@dataclass(frozen=True)
class Who:
    """The author of an event: a user, an API key, the system (a rule, an import) or the
    client (a booking from the link)."""

    kind: str  # user | api_key | system | client
    label: str
    user: object = None

    @classmethod
    def of(cls, actor: Actor) -> Who:
        return cls(kind=actor.kind, label=actor.label, user=actor.user)

    @classmethod
    def client(cls, name: str) -> Who:
        return cls(kind="client", label=f"Cliente: {name}"[:200])

    @classmethod
    def system(cls, name: str) -> Who:
        return cls(kind="system", label=f"Sistema ({name})"[:200])


def order_event_record(
    *, order: CertificateOrder, kind: str, who: Who, text: str, outcome: str = "",
    from_list: str = "", to_list: str = "", data: dict | None = None,
    at: dt.datetime | None = None,
) -> OrderEvent:  # fmt: skip
    return OrderEvent.objects.create(
        tenant_id=order.tenant_id, order=order, at=at or clock.now(), kind=kind,
        author_kind=who.kind, author_label=who.label[:200], user=who.user, outcome=outcome,
        from_list=from_list, to_list=to_list, text=text[:300], data=data or {},
    )  # fmt: skip
