"""Running a calculation (always stored as a draft at once) and saving it as a case."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from formaliza.accounts.models import Tenant, User
from formaliza.cases.calculation.ports import (
    BenefitFacts,
    CalculationRequest,
    Outcome,
    request_to_dict,
    result_to_dict,
)
from formaliza.cases.calculation.rules import RULES
from formaliza.cases.calculation.theses import THESES
from formaliza.cases.contributions import history_parse
from formaliza.cases.events import Who, case_event_record
from formaliza.cases.indices import IndexTableData, table_parse
from formaliza.cases.models import Calculation, Case, CaseClient, CaseStatus, IndexTable
from formaliza.cases.services.documents import document_types_ensure
from formaliza.cases.services.progress import case_progress
from formaliza.core import clock
from formaliza.core.errors import ApplicationError, Conflict, FieldErrors, NotFound
from formaliza.core.models import sequence_next


@dataclass(frozen=True)
class CalculationInput:
    rule: str
    dib: dt.date
    first_payment: dt.date
    granted_rmi: Decimal
    birth_date: dt.date
    sex: str
    contribution_years: int
    contribution_months: int
    contribution_days: int
    history: str
    thesis: str = "recalculo"
    teacher: bool = False
    label: str = ""


@cache
def _table_data(pk: int, sha256: str) -> IndexTableData:
    row = IndexTable.objects.get(pk=pk)
    return table_parse(bytes(row.content))[0]


def active_table() -> tuple[IndexTable, IndexTableData]:
    row = IndexTable.objects.filter(is_active=True).defer("content").first()
    if row is None:
        raise ApplicationError(
            code="no_index_table",
            message="Nenhuma tabela de índices ativa: importe uma com `manage.py cases_index_import`.",
            status=503,
        )
    return row, _table_data(row.pk, row.sha256)


def calculator():
    return import_string(settings.CASE_REVISION_CALCULATOR)()


def _request(data: CalculationInput, today: dt.date) -> tuple[CalculationRequest, list[str]]:
    errors = FieldErrors()
    if data.rule not in RULES:
        errors.add("rule", "invalid_rule", "Escolha a regra de cálculo do benefício.")
    if data.thesis not in THESES:
        errors.add("thesis", "invalid_thesis", "Escolha a tese da revisão.")
    if data.sex not in ("F", "M"):
        errors.add("sex", "invalid_sex", "Informe o sexo (a regra de cálculo depende dele).")
    errors.raise_if_any()
    history = history_parse(data.history, today=today, field="history")
    days = data.contribution_years * 365 + data.contribution_months * 30 + data.contribution_days
    facts = BenefitFacts(
        rule=data.rule, dib=data.dib, first_payment=data.first_payment,
        granted_rmi=data.granted_rmi, birth_date=data.birth_date, sex=data.sex,
        contribution_days=days, teacher=data.teacher,
    )  # fmt: skip
    request = CalculationRequest(facts, history.contributions, thesis=data.thesis, today=today)
    return request, list(history.notices)


def calculation_run(
    *, tenant: Tenant, agent: User, data: CalculationInput, origin: str = Calculation.Origin.AGENT,
    draft_id=None, client: CaseClient | None = None,
) -> Calculation:  # fmt: skip
    """Compute and store the draft (a new one, or `draft_id` updated while still a draft)."""
    today = clock.today()
    request, notices = _request(data, today)
    table_row, table = active_table()
    engine = calculator()
    result = engine.calculate(request, table)
    result.notices[:0] = notices
    fields = {
        "calculator": engine.name, "index_table": table_row, "input": request_to_dict(request),
        "history_text": data.history, "result": result_to_dict(result), "outcome": result.outcome,
        "new_rmi": result.new_rmi, "monthly_difference": result.monthly_difference,
        "arrears": result.arrears, "label": data.label[:120],
    }  # fmt: skip
    with transaction.atomic():
        if draft_id is not None:
            draft = (
                Calculation.objects.select_for_update()
                .filter(tenant=tenant, agent=agent, pk=draft_id, saved_at=None, discarded_at=None)
                .first()
            )
            if draft is not None:
                for name, value in fields.items():
                    setattr(draft, name, value)
                draft.save()
                return draft
        return Calculation.objects.create(
            tenant=tenant, agent=agent, origin=origin, client=client, **fields
        )


def calculation_discard(*, calculation: Calculation) -> None:
    if not calculation.is_draft:
        raise Conflict("calculation_not_draft", "Este cálculo já foi salvo como caso.")
    calculation.discarded_at = clock.now()
    calculation.save(update_fields=["discarded_at", "updated_at"])


@transaction.atomic
def case_save(*, calculation: Calculation, client: CaseClient, who: Who) -> Case:
    """The case of a calculation (the seed: "salve o caso após o cálculo")."""
    calculation = Calculation.objects.select_for_update().get(pk=calculation.pk)
    if calculation.saved_at is not None:
        return Case.objects.get(calculation=calculation)
    if calculation.discarded_at is not None:
        raise Conflict("calculation_discarded", "Este rascunho foi descartado.")
    if calculation.outcome != Outcome.COMPUTED:
        raise ApplicationError(
            code="calculation_not_claimable", status=422,
            message="Este cálculo não gera um caso: " + Outcome.LABELS[calculation.outcome] + ".",
        )  # fmt: skip
    if client.tenant_id != calculation.tenant_id or client.agent_id != calculation.agent_id:
        raise NotFound("Cliente", code="client_not_found")
    document_types_ensure(tenant=client.tenant)  # the slots the status is decided by
    number = f"{sequence_next(tenant_id=calculation.tenant_id, name='case'):06d}"
    case = Case.objects.create(
        tenant_id=calculation.tenant_id, number=number, agent_id=calculation.agent_id,
        client=client, calculation=calculation, status=CaseStatus.CALCULATED,
    )  # fmt: skip
    calculation.saved_at, calculation.client = clock.now(), client
    calculation.save(update_fields=["saved_at", "client", "updated_at"])
    case_event_record(
        case=case, kind="created", who=who, to_status=CaseStatus.CALCULATED,
        data={"calculation": str(calculation.pk), "outcome": calculation.outcome,
              "new_rmi": str(calculation.new_rmi), "table": str(calculation.index_table)},
    )  # fmt: skip
    case_progress(case=case, who=who)
    return case
