"""Reads of flows and their versions, always within one tenant."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from formaliza.accounts.models import Tenant
from formaliza.flows.diagnostics import Diagnostic, diagnose
from formaliza.flows.document import FlowDocument
from formaliza.flows.format import FlowFormatError, Problem, parse
from formaliza.flows.models import Flow, FlowVersion


def flow_list(*, tenant: Tenant, include_archived: bool = False) -> QuerySet[Flow]:
    qs = Flow.objects.filter(tenant=tenant).select_related("live").order_by("name", "key")
    return qs if include_archived else qs.filter(archived_at__isnull=True)


def flow_get(*, tenant: Tenant, key: str) -> Flow | None:
    return Flow.objects.filter(tenant=tenant, key=key).select_related("live").first()


def flow_keys(*, tenant: Tenant) -> set[str]:
    """Keys of the tenant's flows that other flows may call (not archived)."""
    return set(
        Flow.objects.filter(tenant=tenant, archived_at__isnull=True).values_list("key", flat=True)
    )


def flow_versions(*, flow: Flow) -> QuerySet[FlowVersion]:
    return flow.versions.select_related("published_by").order_by("-number")


def flow_version_get(*, flow: Flow, number: int) -> FlowVersion | None:
    return flow.versions.filter(number=number).first()


@dataclass
class DraftReport:
    """What the back office shows about a flow's draft: the parsed document (None when the
    draft no longer parses, e.g. a card type was removed), its problems and its warnings."""

    document: FlowDocument | None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)


def document_report(*, data, keys: set[str]) -> DraftReport:
    """Parse a stored document (a draft or a published version) and diagnose it."""
    try:
        doc = parse(data)
    except FlowFormatError as exc:
        return DraftReport(None, problems=exc.problems)
    return DraftReport(doc, warnings=diagnose(doc, flow_keys=keys))


def flow_draft_report(*, flow: Flow, keys: set[str] | None = None) -> DraftReport:
    if keys is None:
        keys = flow_keys(tenant=flow.tenant)
    return document_report(data=flow.draft, keys=keys)
