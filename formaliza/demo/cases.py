"""Demo data of the cases app: the synthetic index table, the WhatsApp templates of the case
notices, and two agents with cases in every status (calculado … protocolado), plus drafts.
Everything goes through the services; the demo's paid cases are paid with a credit (granted
to the agent, debited from the ledger), and the tenant's Pix account talks to the fake PSP, so
the awaiting-payment cases show a Pix QR code that can be paid on it. Each agent bought 5
credits (Meus créditos); the operators find flagged charges (Cobranças com divergência)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
from decimal import Decimal

from django.conf import settings
from faker import Faker
from pypdf import PdfWriter

from formaliza.accounts.models import Tenant, User
from formaliza.cases import services
from formaliza.cases.events import Who
from formaliza.cases.indices import month_add
from formaliza.cases.models import Case, CaseStatus, DocumentType, IndexTable
from formaliza.payments import services as payments
from formaliza.payments.fake_psp import FakePixPsp, key_of
from formaliza.payments.models import Charge, PixAccount

logger = logging.getLogger("formaliza.demo")

CASE_TEMPLATES = [
    ("caso_documento_rejeitado", "Olá {{1}}, o documento {{2}} foi recusado: {{3}}. Envie de novo pelo link: {{4}}"),
    ("caso_protocolado", "Olá {{1}}, o caso {{2}} foi protocolado. Número do processo: {{3}}."),
]  # fmt: skip
# Real-looking CNJ numbers of the Federal Courts (check digits computed, numbers invented).
PROTOCOL_BASES = [
    "5001234" + "2026" + "4" + "03" + "6301",
    "5004321" + "2026" + "4" + "01" + "3400",
]
STATUS_PLAN = [
    CaseStatus.CALCULATED, CaseStatus.REGISTERED, CaseStatus.DOCS_IN_REVIEW,
    CaseStatus.DOCS_PENDING, CaseStatus.DOCS_APPROVED, CaseStatus.AWAITING_PAYMENT,
    CaseStatus.PAID, CaseStatus.FILING_REQUESTED, CaseStatus.FILED,
]  # fmt: skip


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _history(end: dt.date, amount: Decimal) -> str:
    lines, month = [], dt.date(1994, 7, 1)
    while month <= end:
        lines.append(f"{month.month:02d}/{month.year};{amount:.2f}".replace(".", ","))
        month = month_add(month, 1)
    return "\n".join(lines)


def _index_table() -> None:
    if not IndexTable.objects.filter(is_active=True).exists():
        services.index_table_import(raw=settings.CASE_DEMO_INDEX_TABLE.read_bytes(), activate=True)


def _templates(tenant: Tenant) -> None:
    from formaliza.conversations.models import Channel
    from formaliza.conversations.services import TemplateInput, template_save

    channel = (
        Channel.objects.filter(tenant=tenant, kind=Channel.Kind.WHATSAPP).order_by("pk").first()
    )
    if channel is None:
        return
    for name, text in CASE_TEMPLATES:
        if not channel.templates.filter(name=name).exists():
            template_save(tenant=tenant, channel_id=channel.pk, data=TemplateInput(
                name=name, language="pt_BR", category="utility",
                components=[{"type": "BODY", "text": text}]))  # fmt: skip


def _client_input(fake: Faker, status: str) -> services.ClientInput:
    name = fake.name()
    if status == CaseStatus.CALCULATED:
        return services.ClientInput(name=name)
    email = "" if status in (CaseStatus.REGISTERED, CaseStatus.DOCS_APPROVED) else fake.email()
    return services.ClientInput(
        name=name, cpf=fake.cpf(), email=email, phone=f"(11) 9{fake.numerify('####-####')}",
        birth_date=dt.date(1957, 3, 9), sex="F", cep=fake.postcode(), street=fake.street_name(),
        number=fake.building_number(), city=fake.city(), uf="SP",
    )  # fmt: skip


def _documents(client, status: str, who: Who) -> None:
    if status in (CaseStatus.CALCULATED, CaseStatus.REGISTERED):
        return
    types = list(
        DocumentType.objects.filter(tenant_id=client.tenant_id, required=True, is_active=True)
    )
    for index, doc_type in enumerate(types):
        document = services.document_upload(
            client=client,
            doc_type_id=doc_type.pk,
            filename=f"{doc_type.code}.pdf",
            data=_pdf(),
            who=who,
        )
        if status == CaseStatus.DOCS_IN_REVIEW:
            continue
        reject = status == CaseStatus.DOCS_PENDING and index == 1
        services.document_review(
            document=document, approve=not reject, who=who,
            reason="Comprovante com mais de 3 meses: envie um recente." if reject else "",
        )  # fmt: skip


def _case(tenant: Tenant, agent: User, fake: Faker, status: str, n: int, staff) -> Case:
    who = Who(kind="user", label=agent.display_name, user=agent)
    data = services.CalculationInput(
        rule="ec103_aposentadoria", dib=dt.date(2021, 3, 15), first_payment=dt.date(2021, 4, 12),
        granted_rmi=Decimal("1600.00"), birth_date=dt.date(1957, 3, 9), sex="F",
        contribution_years=28 + n % 5, contribution_months=0, contribution_days=0,
        history=_history(dt.date(2021, 2, 1), Decimal(2200 + 150 * n)), label=f"Demonstração {n}",
    )  # fmt: skip
    calc = services.calculation_run(tenant=tenant, agent=agent, data=data)
    client = services.client_create(
        tenant=tenant, agent=agent, data=_client_input(fake, status), who=who
    )
    case = services.case_save(calculation=calc, client=client, who=who)
    _documents(client, status, who)
    case.refresh_from_db()
    if status in (CaseStatus.PAID, CaseStatus.FILING_REQUESTED, CaseStatus.FILED):
        # "Usar crédito": a credit granted to the agent pays the case (the ledger's real path).
        wallet = payments.wallet_for(tenant=tenant, owner=agent)
        payments.credit_add(
            wallet=wallet, quantity=1, kind="grant", reference=f"demo:{case.number}",
            note="Crédito de demonstração",
        )  # fmt: skip
        case = services.case_pay_with_credit(case=case, user=agent)
    if status in (CaseStatus.FILING_REQUESTED, CaseStatus.FILED):
        case = services.case_filing_request(case=case, who=who)
    if status == CaseStatus.FILED:
        from stdnum.iso7064 import mod_97_10

        base = PROTOCOL_BASES[(n // 10) % 2]  # one filed case per agent
        dd = mod_97_10.calc_check_digits(base)
        number = f"{base[:7]}-{dd}.{base[7:11]}.{base[11]}.{base[12:14]}.{base[14:]}"
        case = services.case_protocol_record(case=case, number=number, actor=staff)
    return case


def _pix_account(tenant: Tenant) -> None:
    """The demo tenant receives Pix through the fake PSP that `manage.py serve` starts."""
    PixAccount.objects.get_or_create(tenant=tenant, defaults={
        "provider": "pix_api", "api_url": settings.FAKE_PIX_PSP_URL,
        "token_url": f"{settings.FAKE_PIX_PSP_URL}/oauth/token",
        "client_id": f"demo-{tenant.slug}", "client_secret": "segredo-demo",
        "chave": f"pix@{tenant.slug}.example.com", "merchant_name": tenant.name[:25],
        "merchant_city": "Sao Paulo",
    })  # fmt: skip


@contextlib.contextmanager
def _seed_psp(tenant: Tenant):
    """A fake PSP of our own while seeding (the one `manage.py serve` starts may not be up):
    the account points at it for the seed's charges and back at FAKE_PIX_PSP_URL after."""
    account = PixAccount.objects.get(tenant=tenant)
    saved = (account.api_url, account.token_url)
    psp = FakePixPsp(mode="collect")
    url = psp.start(port=0)
    PixAccount.objects.filter(pk=account.pk).update(api_url=url, token_url=f"{url}/oauth/token")
    account.refresh_from_db()
    psp.key_register(key_of(account))
    try:
        yield account, psp
    finally:
        PixAccount.objects.filter(pk=account.pk).update(api_url=saved[0], token_url=saved[1])
        psp.stop()


def _pay(account: PixAccount, psp: FakePixPsp, charge: Charge, valor: str | None = None) -> Charge:
    """The payer pays on the fake PSP; its `pix` callback is applied as the worker would
    (the paid charge's handlers run here too; the queued ones find it done)."""
    psp.collected.clear()
    psp.pay(charge.txid, valor=valor)
    provider = payments.provider_for(account)
    for delivery in psp.collected:
        for pix in provider.webhook_parse(delivery.body):
            payments.pix_apply(account=account, pix=pix)
    charge.refresh_from_db()
    if charge.status == Charge.Status.PAID:
        payments.credit_purchase_settle(charge=charge)
        services.case_charge_paid(charge=charge)
    return charge


def _payments_seed(tenant: Tenant, agents: list[User], staff) -> None:
    """Meus créditos with a paid purchase for each agent; for the operators' "Cobranças com
    divergência": a client who paid a case with another amount (flagged), a credit purchase
    paid with another amount (flagged) and one already closed with a note."""
    with _seed_psp(tenant) as (account, psp):
        for agent in agents:
            charge = services.agent_credits_buy(agent=agent, quantity=5)
            _pay(account, psp, charge)
        awaiting = Case.objects.filter(
            tenant=tenant, agent=agents[0], status=CaseStatus.AWAITING_PAYMENT
        ).first()
        _pay(account, psp, services.case_charge(case=awaiting), valor="15.00")
        _pay(account, psp, services.agent_credits_buy(agent=agents[-1], quantity=2), valor="200.00")
        closed = _pay(
            account, psp, services.agent_credits_buy(agent=agents[0], quantity=1), valor="12.00"
        )
        payments.charge_dismiss(
            charge=closed, user=staff.user,
            note="Valor errado: devolvido ao pagador pelo internet banking.",
        )  # fmt: skip


def cases_seed(*, tenant: Tenant, agents: list[User], staff) -> None:
    """`agents`: the demo's agent users; `staff`: an Actor allowed to record protocols."""
    _index_table()
    _templates(tenant)
    _pix_account(tenant)
    if Case.objects.filter(tenant=tenant).exists():
        return
    services.document_types_ensure(tenant=tenant)
    fake = Faker("pt_BR")
    fake.seed_instance(1501)
    for a, agent in enumerate(agents):
        services.agent_profile_update(user=agent, phone=f"(11) 9700{a}-1234")
        for s, status in enumerate(STATUS_PLAN):
            _case(tenant, agent, fake, status, a * 10 + s, staff)
        # A draft never saved, and a decadent calculation (flagged, no value): both drafts.
        services.calculation_run(tenant=tenant, agent=agent, data=services.CalculationInput(
            rule="lei9876_tempo", dib=dt.date(2012, 5, 2), first_payment=dt.date(2012, 6, 5),
            granted_rmi=Decimal("1400.00"), birth_date=dt.date(1955, 1, 20), sex="M",
            contribution_years=35, contribution_months=2, contribution_days=0,
            history=_history(dt.date(2012, 4, 1), Decimal("2500.00")), label="Rascunho: benefício de 2012 (decadente)",
        ))  # fmt: skip
    _payments_seed(tenant, agents, staff)
    logger.info("Casos de demonstração: %s agentes com casos em todos os status", len(agents))
