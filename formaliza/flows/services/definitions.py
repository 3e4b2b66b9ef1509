"""Writes of flow definitions: import a file into a flow's draft, publish the draft as an
immutable version, roll back to an earlier version, export, archive.

- Import validates the whole file first (format.parse); an invalid file changes nothing. A
  flow with the file's key (or the key chosen at import) gets its draft updated only when the
  caller asks (`on_conflict="update"`); otherwise the import is refused so the person can pick
  a new key. Importing over an archived flow restores it.
- Publishing validates the draft again and also refuses a `go_to_flow` to a flow the tenant does
  not have (import only warns about it). A draft equal to the live version publishes nothing.
- Rollback re-points the flow's live version to an earlier one: no new version number is made,
  so the versions list stays the history of what was published. The draft becomes that
  version's document too, so the next edit starts from what is live (not from the version
  that was rolled back) and publishing the untouched draft is a no-op. Runs keep the version
  they started on in every case (FlowRun.version); only new runs see the change.
- The trigger (what starts a flow) is changed with `flow_trigger_set`; the database allows one
  flow per automatic trigger per tenant, and the service says which flow already has it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from django.db import IntegrityError, transaction
from django.db.models import Max

from formaliza.accounts.actors import Actor
from formaliza.accounts.models import Tenant
from formaliza.accounts.roles import Perm
from formaliza.core import clock
from formaliza.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from formaliza.erp.ports import ACTION_LABELS, Action
from formaliza.erp.services import capabilities_for
from formaliza.flows import format as flow_format
from formaliza.flows.cards.system.erp import ERP_CARD_ACTIONS
from formaliza.flows.diagnostics import Diagnostic, diagnose, unknown_flows
from formaliza.flows.document import FlowDocument
from formaliza.flows.format import FlowFormatError, Problem
from formaliza.flows.models import Flow, FlowVersion
from formaliza.flows.selectors import flow_keys


class FlowInvalid(FlowFormatError):
    """What the services (import, publish) raise for a document with problems: the parser's
    `flow_invalid` error, with a message of the service's own when it has one."""


@dataclass(frozen=True)
class ImportResult:
    flow: Flow
    created: bool
    warnings: list[Diagnostic]


@dataclass(frozen=True)
class PublishResult:
    version: FlowVersion
    created: bool  # False: the draft equals the live version, nothing was published


@dataclass(frozen=True)
class Export:
    filename: str
    text: str


def _document(data: Any, *, message: str | None = None) -> FlowDocument:
    try:
        return flow_format.parse(data)
    except FlowFormatError as exc:
        raise FlowInvalid(exc.problems, message) from None


def flow_import(
    *,
    tenant: Tenant,
    actor: Actor,
    text: str | bytes | None = None,
    data: Any = None,
    key: str = "",
    on_conflict: Literal["fail", "update"] = "fail",
) -> ImportResult:
    """Import a flow file (`text`) or an already decoded document (`data`) into the tenant's
    flow with the document's key, or with `key` when given (renaming it)."""
    actor.require(Perm.FLOW_MANAGE)
    if text is not None:
        try:
            data = flow_format.decode(text)
        except FlowFormatError as exc:
            raise FlowInvalid(exc.problems) from None
    if key:
        if not re.fullmatch(flow_format.ID_PATTERN, key):
            raise FlowInvalid(
                [Problem("", "key", "chave inválida: use letras minúsculas, números, - e _")]
            )
        if isinstance(data, dict):
            data = {**data, "key": key}
    doc = _document(data)
    erp_problems = erp_action_problems(tenant=tenant, doc=doc)
    if erp_problems:
        raise FlowInvalid(erp_problems, "O fluxo usa ações que o ERP deste provedor não faz.")
    canonical = flow_format.to_data(doc)
    try:
        with transaction.atomic():
            flow = Flow.objects.select_for_update().filter(tenant=tenant, key=doc.key).first()
            created = flow is None
            if flow is None:
                flow = Flow.objects.create(
                    tenant=tenant,
                    key=doc.key,
                    name=doc.name,
                    description=doc.description,
                    draft=canonical,
                )
            elif on_conflict == "update":
                flow.draft = canonical
                flow.name = doc.name
                flow.description = doc.description
                flow.archived_at = None
                flow.save(
                    update_fields=["draft", "name", "description", "archived_at", "updated_at"]
                )
            else:
                raise _key_taken(doc.key)
    except IntegrityError:
        # Another import created the same key between our read and our insert.
        raise _key_taken(doc.key) from None
    warnings = diagnose(doc, flow_keys=flow_keys(tenant=tenant))
    return ImportResult(flow=flow, created=created, warnings=warnings)


def erp_action_problems(*, tenant: Tenant, doc: FlowDocument) -> list[Problem]:
    """ERP cards whose action the tenant's connector cannot do (or no ERP configured)."""
    capabilities = None
    problems = []
    for card in doc.cards.values():
        action = ERP_CARD_ACTIONS.get(card.type)
        if action is None:
            continue
        if capabilities is None:
            capabilities = capabilities_for(tenant=tenant)
        if not capabilities.can(action):
            label = ACTION_LABELS[Action(action)]
            problems.append(Problem(card.id, "type", f"o ERP configurado não faz a ação “{label}”"))
    return problems


def _key_taken(key: str) -> Conflict:
    return Conflict(
        "flow_key_exists",
        f'Já existe um fluxo com a chave "{key}". Escolha atualizar o rascunho dele ou '
        "importar com outra chave.",
        key=key,
    )


def flow_export(*, flow: Flow, version: int | None = None, draft: bool = False) -> Export:
    """The file of a version (`<key>-v<N>.json`; the live one by default) or of the draft
    (`<key>-rascunho.json`, also when nothing was published yet)."""
    if version is not None:
        found = flow.versions.filter(number=version).first()
        if found is None:
            raise NotFound("Versão")
        return Export(f"{flow.key}-v{found.number}.json", flow_format.dumps_data(found.document))
    if not draft and flow.live is not None:
        live = flow.live
        return Export(f"{flow.key}-v{live.number}.json", flow_format.dumps_data(live.document))
    return Export(f"{flow.key}-rascunho.json", flow_format.dumps_data(flow.draft))


def flow_publish(*, flow: Flow, actor: Actor, note: str = "") -> PublishResult:
    actor.require(Perm.FLOW_MANAGE)
    given = flow
    with transaction.atomic():
        flow = Flow.objects.select_for_update(of=("self",)).select_related("live").get(pk=flow.pk)
        doc = _document(flow.draft, message="O rascunho tem problemas e não foi publicado.")
        erp_problems = erp_action_problems(tenant=flow.tenant, doc=doc)
        if erp_problems:
            raise FlowInvalid(erp_problems, "O rascunho usa ações que o ERP não faz.")
        missing = unknown_flows(doc, flow_keys(tenant=flow.tenant) | {flow.key})
        if missing:
            raise FlowInvalid(
                [Problem(d.card, d.field, d.message) for d in missing],
                "O rascunho chama fluxos que não existem e não foi publicado.",
            )
        document = flow_format.to_data(doc)
        digest = flow_format.checksum(document)
        if flow.live is not None and flow.live.checksum == digest:
            return PublishResult(version=flow.live, created=False)
        last = flow.versions.aggregate(last=Max("number"))["last"] or 0
        version = FlowVersion.objects.create(
            flow=flow,
            number=last + 1,
            document=document,
            checksum=digest,
            published_at=clock.now(),
            published_by=actor.user,
            note=note[:200],
        )
        flow.live = version
        flow.save(update_fields=["live", "updated_at"])
    given.live = version  # the caller's instance sees the change too
    return PublishResult(version=version, created=True)


def flow_rollback(*, flow: Flow, actor: Actor, number: int) -> FlowVersion:
    """Make version `number` live again (re-pointing; no new version is made) and make its
    document the draft."""
    actor.require(Perm.FLOW_MANAGE)
    given = flow
    with transaction.atomic():
        flow = Flow.objects.select_for_update().get(pk=flow.pk)
        version = flow.versions.filter(number=number).first()
        if version is None:
            raise NotFound("Versão")
        if flow.live_id == version.pk:
            raise Conflict("flow_version_live", f"A versão {number} já está em uso.")
        # A version made with card types or settings that no longer exist cannot run again.
        _document(version.document, message=f"A versão {number} não é mais válida.")
        flow.live = version
        flow.draft = version.document
        flow.name = version.document.get("name") or flow.name
        flow.description = version.document.get("description", "")
        flow.save(update_fields=["live", "draft", "name", "description", "updated_at"])
    given.live = version
    given.draft, given.name, given.description = flow.draft, flow.name, flow.description
    return version


def flow_trigger_set(*, flow: Flow, actor: Actor, trigger: str) -> Flow:
    """Change what starts `flow`: "manual" (other flows or by hand), "inbound" (a client's first
    message in a new conversation) or "formalization" (a formalization opened in the pipeline).
    One flow per automatic trigger per tenant: the person is told which flow has it. An archived
    flow cannot take an automatic trigger (nothing would start it)."""
    actor.require(Perm.FLOW_MANAGE)
    if trigger not in Flow.Trigger.values:
        raise ValidationFailed(
            [FieldError("trigger", "invalid_choice", "Escolha uma das opções de início.")]
        )
    given = flow
    label = Flow.Trigger(trigger).label
    try:
        with transaction.atomic():
            flow = Flow.objects.select_for_update().get(pk=flow.pk)
            if flow.trigger == trigger:
                return flow
            if trigger != Flow.Trigger.MANUAL:
                if flow.archived_at is not None:
                    raise Conflict(
                        "flow_archived",
                        "Um fluxo arquivado não pode iniciar atendimentos sozinho; importe-o de "
                        "novo para restaurá-lo antes de mudar o início.",
                    )
                holder = (
                    Flow.objects.filter(tenant_id=flow.tenant_id, trigger=trigger)
                    .exclude(pk=flow.pk)
                    .first()
                )
                if holder is not None:
                    raise _trigger_taken(holder, label)
            flow.trigger = trigger
            flow.save(update_fields=["trigger", "updated_at"])
    except IntegrityError:
        # Another flow took the trigger between our check and our write.
        holder = Flow.objects.filter(tenant_id=given.tenant_id, trigger=trigger).first()
        raise _trigger_taken(holder, label) from None
    given.trigger = flow.trigger
    return flow


def _trigger_taken(holder: Flow | None, label: str) -> Conflict:
    name = f"“{holder.name}”" if holder is not None else "Outro fluxo"
    return Conflict(
        "flow_trigger_taken",
        f"{name} já é o fluxo de “{label}”. Só um fluxo pode ter esse início: mude o início "
        "dele para “Chamado por outro fluxo ou manualmente” antes.",
        flow=holder.key if holder is not None else "",
    )


def flow_archive(*, flow: Flow, actor: Actor) -> Flow:
    """Hide the flow from the list and from other flows' `go_to_flow` at publish. Its versions
    and runs stay; importing a file with its key restores it."""
    actor.require(Perm.FLOW_MANAGE)
    if flow.archived_at is None:
        flow.archived_at = clock.now()
        flow.save(update_fields=["archived_at", "updated_at"])
    return flow
