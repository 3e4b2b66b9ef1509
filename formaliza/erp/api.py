"""Integrators' endpoints for the tenant's ERP (mounted by formaliza.api under /api/v1/erp):
read it (secrets never come back: only whether each is set), save it (a blank secret keeps the
stored one) and test the connection. Tenant-scoped by the API key: a tenant without an ERP
gets 404, whatever another tenant has."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Router, Schema

from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Perm
from formaliza.core.api_schema import ERRORS
from formaliza.core.errors import NotFound
from formaliza.erp import services
from formaliza.erp.models import ErpAccount

router = Router()

Kind = Literal["hubsoft", "ixc", "sgp", "mk_solutions"]


class ErpAccountIn(Schema):
    kind: Kind
    base_url: str = Field(min_length=1, max_length=300, description="Endereço da API do ERP.")
    client_id: str = Field(default="", max_length=120)
    client_secret: str = Field(default="", max_length=500, description="Vazio: mantém o atual.")
    username: str = Field(default="", max_length=160)
    password: str = Field(default="", max_length=500, description="Vazio: mantém a atual.")
    timeout_seconds: int = Field(default=8, ge=1, le=30)
    is_active: bool = True


class ErpAccountOut(Schema):
    kind: str
    kind_display: str
    base_url: str
    client_id: str
    username: str
    has_client_secret: bool
    has_password: bool
    timeout_seconds: int
    is_active: bool
    actions: list[str] = Field(description="Ações que o conector deste ERP faz.")
    updated_at: dt.datetime


class ErpCheckOut(Schema):
    ok: bool
    code: str = Field(description="`ok` ou o tipo da falha: timeout, unavailable, auth...")
    message: str


def _actor(request) -> Actor:
    actor = Actor.of_api_key(request.auth)
    actor.require(Perm.FLOW_MANAGE)
    return actor


def account_out(account: ErpAccount) -> dict:
    connector = services.connector_for_account(account)
    actions = sorted(connector.capabilities.actions) if connector is not None else []
    return {
        "kind": account.kind, "kind_display": account.get_kind_display(),
        "base_url": account.base_url, "client_id": account.client_id,
        "username": account.username, "has_client_secret": bool(account.client_secret),
        "has_password": bool(account.password), "timeout_seconds": account.timeout_seconds,
        "is_active": account.is_active, "actions": [str(a) for a in actions],
        "updated_at": account.updated_at,
    }  # fmt: skip


@router.get("/account", response={200: ErpAccountOut, **ERRORS}, summary="ERP configurado")
def account_get(request):
    actor = _actor(request)
    account = services.erp_account_get(tenant=actor.tenant)
    if account is None:
        raise NotFound("ERP", code="erp_not_configured")
    return account_out(account)


@router.put("/account", response={200: ErpAccountOut, **ERRORS}, summary="Configurar o ERP")
def account_put(request, body: ErpAccountIn):
    actor = _actor(request)
    account = services.erp_account_save(
        tenant=actor.tenant, actor=actor, data=services.AccountInput(**body.dict())
    )
    return account_out(account)


@router.post("/account/test", response={200: ErpCheckOut, **ERRORS}, summary="Testar a conexão")
def account_test(request):
    actor = _actor(request)
    check = services.erp_connection_test(tenant=actor.tenant, actor=actor)
    return {"ok": check.ok, "code": check.code, "message": check.message}
