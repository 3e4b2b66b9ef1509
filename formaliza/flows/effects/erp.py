"""Executors of the ERP cards: they call the tenant's ERP through `erp`'s port, outside the
step's transaction (network), and always answer with data the card routes on — an ERP that is
down, slow, answers garbage or refuses the credentials gives `{"ok": False, "error": kind}`
and a warning line for the operators (tenant, card, kind, detail; never a credential)."""

from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation

from formaliza.core import br
from formaliza.core.net import UnsafeURL, check_outbound_url
from formaliza.erp.ports import Action, ErpFailure
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


@executor("erp_invoice", outside_transaction=True)
def erp_invoice(ctx: EffectContext, payload: dict) -> dict:
    connector = connector_for(tenant=ctx.tenant)
    if connector is None or not connector.capabilities.can(Action.INVOICE):
        return _failed(ctx, "invoice", "not_configured", "o provedor não tem ERP com essa ação")
    try:  # the ERP's address is the tenant's: same SSRF rule as the HTTP card
        check_outbound_url(connector.base_url, extra_allow=ctx.tenant.outbound_allowlist or ())
    except UnsafeURL as exc:
        return _failed(ctx, "invoice", "unsafe_url", exc.message)
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
