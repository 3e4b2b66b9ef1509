"""Executors of the ERP cards: they call the tenant's ERP through `erp`'s port, outside the
step's transaction (network), and always answer with data the card routes on — an ERP that is
down, slow, answers garbage or refuses the credentials gives `{"ok": False, "error": kind}`
and a warning line for the operators (tenant, card, kind, detail; never a credential)."""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal, InvalidOperation

import httpx
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from formaliza.conversations.services import message_redact
from formaliza.core import br, clock, crypto
from formaliza.core.net import UnsafeURL, check_outbound_url
from formaliza.erp.ports import (
    Action,
    Contract,
    Customer,
    ErpFailure,
    TicketOption,
    next_month,
    same_phone,
)
from formaliza.erp.services import connector_for
from formaliza.flows.effects.registry import EffectContext, executor

logger = logging.getLogger("formaliza.erp")


def _failed(ctx: EffectContext, action: str, kind: str, detail: str) -> dict:
    logger.warning(
        "erp %s falhou: tenant=%s conversa=%s card=%s tipo=%s: %s",
        action, ctx.tenant.pk, ctx.conversation.pk, ctx.card, kind, detail,
    )  # fmt: skip
    return {"ok": False, "error": kind}


def _money(amount: str) -> str:
    try:
        return br.money_format(Decimal(amount))
    except InvalidOperation:
        return f"R$ {amount}"


def _connector(ctx: EffectContext, action: Action):
    """(connector, None) or (None, the failure answer)."""
    connector = connector_for(tenant=ctx.tenant)
    if connector is None or not connector.capabilities.can(action):
        return None, _failed(ctx, action, "not_configured", "o provedor não tem ERP com essa ação")
    try:  # the ERP's address is the tenant's: same SSRF rule as the HTTP card
        check_outbound_url(connector.base_url, extra_allow=ctx.tenant.outbound_allowlist or ())
    except UnsafeURL as exc:
        return None, _failed(ctx, action, "unsafe_url", exc.message)
    return connector, None


@executor("erp_invoice", outside_transaction=True)
def erp_invoice(ctx: EffectContext, payload: dict) -> dict:
    connector, failed = _connector(ctx, Action.INVOICE)
    if failed is not None:
        return failed
    try:
        customer = connector.customer_find(document=str(payload.get("document", "")))
        if customer is None:
            return {"ok": True, "found": False}
        invoices = connector.invoices_open(customer=customer)
    except ErpFailure as exc:
        return _failed(ctx, "invoice", exc.kind, exc.detail)
    return {
        "ok": True,
        "found": True,
        "customer": {"id": customer.id, "name": customer.name},
        "invoices": [
            {
                "id": i.id, "amount_display": _money(i.amount), "due": i.due.isoformat(),
                "due_display": i.due.strftime("%d/%m/%Y"), "digitable_line": i.digitable_line,
                "pix_code": i.pix_code, "pdf_url": i.pdf_url, "overdue": i.overdue,
            }
            for i in sorted(invoices, key=lambda i: i.due)
        ],
    }  # fmt: skip


# Contract statuses a trust unlock can lift (an active one needs none; cancelled is final).
_UNLOCKABLE = ("blocked", "reduced")


def _holder_writes(ctx: EffectContext, contract) -> bool:
    """Is the conversation's phone one of the contract holder's phones in the ERP?"""
    handle = ctx.conversation.handle
    return any(
        same_phone(phone, address)
        for phone in contract.phones
        for address in (handle.address, handle.wa_id)
    )


def _refused(reason: str, customer, *, message: str = "", available_on=None) -> dict:
    return {
        "ok": True, "found": True, "unlocked": False, "reason": reason, "message": message,
        "customer": {"id": customer.id, "name": customer.name},
        "available_on": available_on.strftime("%d/%m/%Y") if available_on else "",
    }  # fmt: skip


@executor("erp_trust_unlock", outside_transaction=True)
def erp_trust_unlock(ctx: EffectContext, payload: dict) -> dict:
    """Desbloqueio em confiança: the client's blocked contract, only when the conversation's
    phone is one of the holder's phones in the ERP, at most once a month (the ERP's last unlock
    when it tells it, else the ERP's own refusal)."""
    connector, failed = _connector(ctx, Action.TRUST_UNLOCK)
    if failed is not None:
        return failed
    try:
        customer = connector.customer_find(document=str(payload.get("document", "")))
        if customer is None:
            return {"ok": True, "found": False}
        blocked = [c for c in customer.contracts if c.status in _UNLOCKABLE]
        if not blocked:
            return _refused("not_blocked", customer)
        contract = blocked[0]
        if not _holder_writes(ctx, contract):
            return _refused("not_holder", customer)
        today = clock.today()
        if contract.unlock_in_use or (
            contract.last_unlock and contract.last_unlock.replace(day=1) == today.replace(day=1)
        ):
            return _refused("used", customer, available_on=next_month(today))
        result = connector.trust_unlock(customer=customer, contract=contract)
    except ErpFailure as exc:
        return _failed(ctx, "trust_unlock", exc.kind, exc.detail)
    if not result.ok:
        reason = "used" if result.available_on else "refused"
        return _refused(reason, customer, message=result.message, available_on=result.available_on)
    return {
        "ok": True, "found": True, "unlocked": True, "message": result.message,
        "contract": contract.id, "customer": {"id": customer.id, "name": customer.name},
    }  # fmt: skip


def _moment(value) -> str:
    return value.strftime("%d/%m/%Y %H:%M") if value else ""


@executor("erp_diagnosis", outside_transaction=True)
def erp_diagnosis(ctx: EffectContext, payload: dict) -> dict:
    """Condicional / diagnóstico: for each of the client's contracts (cancelled ones last, at
    most 5), its status, whether a trust unlock was used this month, an overdue invoice (when
    `overdue` is asked and the ERP gives invoices) and the connection as the ERP's RADIUS or
    connection records tell it (online, optical signal, the last session)."""
    connector, failed = _connector(ctx, Action.DIAGNOSIS)
    if failed is not None:
        return failed
    try:
        customer = connector.customer_find(document=str(payload.get("document", "")))
        if customer is None:
            return {"ok": True, "found": False}
        contracts = sorted(customer.contracts, key=lambda c: c.status == "cancelled")[:5]
        overdue: set[str] = set()
        if payload.get("overdue") and connector.capabilities.can(Action.INVOICE):
            overdue = {i.contract for i in connector.invoices_open(customer=customer) if i.overdue}
        today = clock.today()
        rows = []
        for contract in contracts:
            diagnosis = connector.connection_diagnosis(customer=customer, contract=contract)
            used = contract.unlock_in_use or bool(
                contract.last_unlock and contract.last_unlock.replace(day=1) == today.replace(day=1)
            )
            rows.append(
                {
                    "id": contract.id, "plan": contract.plan, "status": contract.status,
                    # An invoice without a contract (MK) counts for every contract.
                    "overdue": contract.id in overdue or "" in overdue, "unlock_used": used,
                    "online": diagnosis.online, "signal": diagnosis.signal,
                    "session_started": _moment(diagnosis.session_started),
                    "session_ended": _moment(diagnosis.session_ended),
                    "disconnect_reason": diagnosis.disconnect_reason,
                }
            )  # fmt: skip
    except ErpFailure as exc:
        return _failed(ctx, "diagnosis", exc.kind, exc.detail)
    return {
        "ok": True, "found": True, "contracts": rows,
        "customer": {"id": customer.id, "name": customer.name},
    }  # fmt: skip


def _live_contracts(customer) -> list[dict]:
    live = [c for c in customer.contracts if c.status != "cancelled"] or list(customer.contracts)
    return [{"id": c.id, "plan": c.plan, "status": c.status} for c in live[:10]]


@executor("erp_ticket_options", outside_transaction=True)
def erp_ticket_options(ctx: EffectContext, payload: dict) -> dict:
    """Abrir atendimento, first half: the client, their contracts, and the ERP's departments
    and subjects to choose from."""
    connector, failed = _connector(ctx, Action.TICKET)
    if failed is not None:
        return failed
    try:
        customer = connector.customer_find(document=str(payload.get("document", "")))
        if customer is None:
            return {"ok": True, "found": False}
        departments = connector.ticket_departments()
        subjects = connector.ticket_subjects(department=departments[0]) if departments else []
    except ErpFailure as exc:
        return _failed(ctx, "ticket", exc.kind, exc.detail)
    return {
        "ok": True, "found": True, "contracts": _live_contracts(customer),
        "customer": {"id": customer.id, "name": customer.name},
        "departments": [{"id": d.id, "name": d.name} for d in departments],
        "subjects": [{"id": o.id, "name": o.name} for o in subjects],
    }  # fmt: skip


@executor("erp_ticket_open", outside_transaction=True)
def erp_ticket_open(ctx: EffectContext, payload: dict) -> dict:
    """Abrir atendimento, second half: the ticket in the chosen department and subject; the
    ERP's number comes back for the client. Sent once (a write: never retried)."""
    connector, failed = _connector(ctx, Action.TICKET)
    if failed is not None:
        return failed
    department, subject = payload.get("department") or {}, payload.get("subject") or {}
    try:
        number = connector.ticket_open(
            customer=Customer(id=str(payload.get("customer", "")), name="",
                              document=str(payload.get("document", ""))),
            contract=Contract(id=str(payload.get("contract", "")), plan="", status="active"),
            department=TicketOption(id=str(department.get("id")), name=str(department.get("name"))),
            subject=TicketOption(id=str(subject.get("id")), name=str(subject.get("name"))),
            text=str(payload.get("text", ""))[:2000],
        )  # fmt: skip
    except ErpFailure as exc:
        return _failed(ctx, "ticket", exc.kind, exc.detail)
    return {"ok": True, "found": True, "number": number}


@executor("erp_wifi_lookup", outside_transaction=True)
def erp_wifi_lookup(ctx: EffectContext, payload: dict) -> dict:
    """Alterar Wi-Fi, first half: the client and their live contracts, each saying whether
    the conversation's phone is one of its holder's phones."""
    connector, failed = _connector(ctx, Action.WIFI)
    if failed is not None:
        return failed
    try:
        customer = connector.customer_find(document=str(payload.get("document", "")))
    except ErpFailure as exc:
        return _failed(ctx, "wifi", exc.kind, exc.detail)
    if customer is None:
        return {"ok": True, "found": False}
    live = [c for c in customer.contracts if c.status not in ("cancelled", "inactive")]
    return {
        "ok": True, "found": True, "customer": {"id": customer.id, "name": customer.name},
        "contracts": [
            {"id": c.id, "plan": c.plan, "status": c.status, "holder": _holder_writes(ctx, c)}
            for c in live[:10]
        ],
    }  # fmt: skip


@executor("erp_wifi_change", outside_transaction=True)
def erp_wifi_change(ctx: EffectContext, payload: dict) -> dict:
    """Alterar Wi-Fi, second half: the new network name and password (sealed by the card; the
    plain password lives only in this call) to the ERP. Sent once; the ERP may refuse by its
    rules (`refused` with its message)."""
    connector, failed = _connector(ctx, Action.WIFI)
    if failed is not None:
        return failed
    try:
        password = crypto.decrypt(str(payload.get("password_sealed", "")))
    except ValueError:
        return _failed(ctx, "wifi", "malformed", "senha lacrada ilegível (chave trocada?)")
    try:
        result = connector.wifi_change(
            customer=Customer(id=str(payload.get("customer", "")), name="",
                              document=str(payload.get("document", ""))),
            contract=Contract(id=str(payload.get("contract", "")), plan="", status="active"),
            ssid=str(payload.get("ssid", "")), password=password,
        )  # fmt: skip
    except ErpFailure as exc:
        return _failed(ctx, "wifi", exc.kind, exc.detail)
    return {"ok": True, "found": True, "changed": result.ok, "message": result.message}


@executor("message_redact")
def message_redact_effect(ctx: EffectContext, payload: dict) -> dict:
    """The client's message that held a secret (the Wi-Fi password) is hidden in the
    history, in the same transaction as the step that read it."""
    message_redact(
        tenant=ctx.tenant, message_public_id=str(payload.get("message", "")),
        placeholder=str(payload.get("placeholder") or "[oculto]"),
    )  # fmt: skip
    return {}


PDF_MAX_BYTES = 10 * 1024 * 1024  # a boleto is tens of KB; past this it is not a boleto


def _pdf_download(url: str, *, timeout: float) -> bytes:
    """The boleto PDF at the ERP's link: GET without the ERP's credentials (the link may be
    another host), no redirects followed, at most PDF_MAX_BYTES, and it must be a PDF."""
    client = httpx.Client(timeout=timeout, trust_env=False, follow_redirects=False)
    with client, client.stream("GET", url) as response:
        if response.status_code != 200:
            raise ErpFailure("unavailable", f"link do boleto respondeu {response.status_code}")
        data = b""
        for chunk in response.iter_bytes():
            data += chunk
            if len(data) > PDF_MAX_BYTES:
                raise ErpFailure("malformed", "o PDF do boleto passa de 10 MB")
    if not data.startswith(b"%PDF-"):
        raise ErpFailure("malformed", "o link do boleto não devolveu um PDF")
    return data


@executor("erp_invoice_pdf", outside_transaction=True)
def erp_invoice_pdf(ctx: EffectContext, payload: dict) -> dict:
    """The chosen invoice's boleto as a file the card sends as a WhatsApp document (stored
    under `erp/boletos/`; the message keeps its own copy). Any failure: the card sends the
    link instead, so the client still gets the boleto."""
    url = str(payload.get("url", ""))
    connector = connector_for(tenant=ctx.tenant)
    timeout = connector.http.timeout if connector is not None and hasattr(connector, "http") else 8
    try:
        check_outbound_url(url, extra_allow=ctx.tenant.outbound_allowlist or ())
        data = _pdf_download(url, timeout=timeout)
    except UnsafeURL as exc:
        return _failed(ctx, "invoice_pdf", "unsafe_url", exc.message)
    except ErpFailure as exc:
        return _failed(ctx, "invoice_pdf", exc.kind, exc.detail)
    except httpx.TimeoutException:
        return _failed(ctx, "invoice_pdf", "timeout", "link do boleto não respondeu")
    except httpx.HTTPError as exc:
        return _failed(ctx, "invoice_pdf", "unavailable", f"link do boleto: {type(exc).__name__}")
    name = default_storage.save(
        f"erp/boletos/{ctx.tenant.pk}/{uuid.uuid4().hex}.pdf", ContentFile(data)
    )
    return {"ok": True, "file": name}


@executor("erp_file_discard")
def erp_file_discard(ctx: EffectContext, payload: dict) -> dict:
    """The downloaded boleto once the step that sent it committed (the message has its own
    copy); on a rollback it stays for the step's retry."""
    name = str(payload.get("file", ""))
    if name.startswith(f"erp/boletos/{ctx.tenant.pk}/"):
        transaction.on_commit(lambda: default_storage.delete(name))
    return {}
