"""Builders for cases tests: a contribution history, calculation inputs, a case walked to a
given status, documents that pass the checks."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from pypdf import PdfWriter

from formaliza.accounts.roles import Role
from formaliza.cases import services
from formaliza.cases.events import Who
from formaliza.cases.indices import month_add
from formaliza.cases.models import Case, CaseStatus, DocumentType
from formaliza.journeys.tests.helpers import document_frame, jpeg

CPF = "52998224725"


def history(
    start=dt.date(1994, 7, 1), end=dt.date(2019, 12, 1), amount="2500,00", low_from=None
) -> str:
    lines, month = [], start
    while month <= end:
        value = "900,00" if low_from and month >= low_from else amount
        lines.append(f"{month.month:02d}/{month.year};{value}")
        month = month_add(month, 1)
    return "\n".join(lines)


def calc_input(**overrides) -> services.CalculationInput:
    data = {
        "rule": "ec103_aposentadoria", "dib": dt.date(2021, 3, 15), "first_payment": dt.date(2021, 4, 10),
        "granted_rmi": Decimal("1800.00"), "birth_date": dt.date(1958, 5, 2), "sex": "M",
        "contribution_years": 30, "contribution_months": 0, "contribution_days": 0,
        "history": history(end=dt.date(2021, 2, 1)), "label": "Maria",
    }  # fmt: skip
    data.update(overrides)
    return services.CalculationInput(**data)


def agent_of(kit):
    return kit.users[Role.AGENT]


def registered_input(**overrides) -> services.ClientInput:
    data = {
        "name": "Maria da Silva", "cpf": CPF, "email": "maria@example.com", "phone": "(11) 98765-4321",
        "birth_date": dt.date(1958, 5, 2), "sex": "F", "cep": "01310-100", "street": "Av. Paulista",
        "number": "1000", "city": "São Paulo", "uf": "SP",
    }  # fmt: skip
    data.update(overrides)
    return services.ClientInput(**data)


def photo() -> bytes:
    return jpeg(document_frame())


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def saved_case(kit, *, client_data=None, **calc_overrides) -> Case:
    agent = agent_of(kit)
    who = Who(kind="user", label=agent.display_name, user=agent)
    calc = services.calculation_run(
        tenant=kit.tenant, agent=agent, data=calc_input(**calc_overrides)
    )
    client = services.client_create(
        tenant=kit.tenant, agent=agent, data=client_data or registered_input(), who=who
    )
    return services.case_save(calculation=calc, client=client, who=who)


def approve_all(kit, case: Case) -> Case:
    agent = agent_of(kit)
    who = Who(kind="user", label=agent.display_name, user=agent)
    services.document_types_ensure(tenant=kit.tenant)
    for doc_type in DocumentType.objects.filter(tenant=kit.tenant, required=True, is_active=True):
        document = services.document_upload(
            client=case.client,
            doc_type_id=doc_type.pk,
            filename="doc.pdf",
            data=pdf_bytes(),
            who=who,
        )
        services.document_review(document=document, approve=True, reason="", who=who)
    case.refresh_from_db()
    return case


def case_at(kit, status: str) -> Case:
    case = approve_all(kit, saved_case(kit))
    assert case.status == CaseStatus.AWAITING_PAYMENT
    if status == CaseStatus.AWAITING_PAYMENT:
        return case
    case = services.case_mark_paid(case=case, source="teste", reference=f"ref-{case.pk}")
    if status == CaseStatus.PAID:
        return case
    agent = agent_of(kit)
    return services.case_filing_request(case=case, who=Who(kind="user", label="A", user=agent))
