"""Executors of the system cards' effects (see cards/system/ and docs/flows.md).

Every executor is tenant-scoped through `ctx.tenant` / `ctx.conversation`: nothing here reads
or writes another tenant's rows, whatever the payload says. Failures a flow can route on come
back as data (`{"ok": False, "error": ...}`) rather than exceptions.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import ssl
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from formaliza.contacts.models import Contact
from formaliza.conversations.models import Conversation
from formaliza.core.net import UnsafeURL, outbound_addresses
from formaliza.core.tasks import enqueue
from formaliza.flows.effects.registry import EffectContext, executor
from formaliza.flows.intent import Intent, classifier_get
from formaliza.flows.models import (
    BulkRecipient,
    GroupNotice,
    LinkedAccount,
    MetricCount,
    NotifyGroup,
)

NOTIFY_EMAIL_SEND_TASK = "formaliza.flows.tasks.system.notify_email_send"

logger = logging.getLogger(__name__)


def contact_data(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "name": contact.name,
        "document": contact.document,
        "kind": contact.kind,
    }


def _phone(ctx: EffectContext) -> str:
    """The client's phone (E.164) on this conversation, or "" (an e-mail conversation)."""
    address = ctx.conversation.handle.address
    return address if address.startswith("+") else ""


def _contacts(ctx: EffectContext):
    return Contact.objects.filter(tenant=ctx.tenant, archived_at__isnull=True)


# --- tag ------------------------------------------------------------------------------------


@executor("tag")
def tag(ctx: EffectContext, payload: dict) -> dict:
    conversation = Conversation.objects.select_for_update().get(
        pk=ctx.conversation.pk, tenant=ctx.tenant
    )
    tags = list(conversation.tags or [])
    for name in payload.get("tags", []):
        if name not in tags:
            tags.append(name)
    Conversation.objects.filter(pk=conversation.pk).update(tags=tags)
    ctx.conversation.tags = tags
    return {"tags": tags}


# --- registrations and accounts -------------------------------------------------------------


@executor("registration_lookup")
def registration_lookup(ctx: EffectContext, payload: dict) -> dict:
    contact = _contacts(ctx).filter(document=payload.get("document") or "-").first()
    if contact is None:
        return {"found": False}
    return {"found": True, "contact": contact_data(contact)}


def _link(ctx: EffectContext, contact: Contact) -> None:
    """Make `contact` the conversation's contact and the phone's active account."""
    Conversation.objects.filter(pk=ctx.conversation.pk, tenant=ctx.tenant).update(contact=contact)
    ctx.conversation.contact = contact
    phone = _phone(ctx)
    if not phone:
        return
    LinkedAccount.objects.filter(tenant=ctx.tenant, phone=phone, active=True).exclude(
        contact=contact
    ).update(active=False)
    account, created = LinkedAccount.objects.get_or_create(
        tenant=ctx.tenant, phone=phone, contact=contact, defaults={"active": True}
    )
    if not created and not account.active:
        LinkedAccount.objects.filter(pk=account.pk).update(active=True)


@executor("auto_link")
def auto_link(ctx: EffectContext, payload: dict) -> dict:
    """Linked when the conversation's contact already has a CPF/CNPJ; else the phone's active
    account; else the one registered contact (with a document) that has this phone. Several
    candidates and no active account: not linked (an account switch can choose)."""
    current = ctx.conversation.contact
    if current.document and current.tenant_id == ctx.tenant.pk:
        return {"linked": True, "contact": contact_data(current)}
    phone = _phone(ctx)
    if not phone:
        return {"linked": False, "candidates": 0}
    active = (
        LinkedAccount.objects.filter(tenant=ctx.tenant, phone=phone, active=True)
        .select_related("contact")
        .first()
    )
    if active is not None and active.contact.archived_at is None:
        _link(ctx, active.contact)
        return {"linked": True, "contact": contact_data(active.contact)}
    candidates = list(_contacts(ctx).exclude(document="").filter(phones__e164=phone).distinct()[:2])
    if len(candidates) != 1:
        return {"linked": False, "candidates": len(candidates)}
    _link(ctx, candidates[0])
    return {"linked": True, "contact": contact_data(candidates[0])}


@executor("account_add")
def account_add(ctx: EffectContext, payload: dict) -> dict:
    if not _phone(ctx):
        return {"ok": False, "error": "no_phone"}
    contact = _contacts(ctx).filter(document=payload.get("document") or "-").first()
    if contact is None:
        return {"ok": False, "error": "not_found"}
    _link(ctx, contact)
    return {"ok": True, "contact": contact_data(contact)}


@executor("account_list")
def account_list(ctx: EffectContext, payload: dict) -> dict:
    phone = _phone(ctx)
    rows = (
        LinkedAccount.objects.filter(tenant=ctx.tenant, phone=phone, contact__archived_at=None)
        .select_related("contact")
        .order_by("created_at", "pk")
    )
    return {"accounts": [{**contact_data(r.contact), "id": r.pk} for r in rows] if phone else []}


@executor("account_switch")
def account_switch(ctx: EffectContext, payload: dict) -> dict:
    account = (
        LinkedAccount.objects.filter(
            tenant=ctx.tenant, phone=_phone(ctx) or "-", pk=payload.get("account") or 0
        )
        .select_related("contact")
        .first()
    )
    if account is None:
        return {"ok": False, "error": "not_found"}
    _link(ctx, account.contact)
    return {"ok": True, "contact": contact_data(account.contact)}


# --- notify ---------------------------------------------------------------------------------


@executor("notify")
def notify(ctx: EffectContext, payload: dict) -> dict:
    """A notice to each active member of the tenant's group (back office) and an e-mail to
    the group's addresses (a task, enqueued with this step: nothing is sent if it rolls
    back)."""
    group = NotifyGroup.objects.filter(tenant=ctx.tenant, name=payload.get("group", "")).first()
    if group is None:
        logger.warning("flows.notify: group %r not found (tenant %s)", payload, ctx.tenant.pk)
        return {"ok": False, "error": "group_not_found"}
    text = str(payload.get("text", ""))[:4000]
    members = group.members.filter(tenant=ctx.tenant, is_active=True)
    GroupNotice.objects.bulk_create(
        GroupNotice(
            tenant=ctx.tenant, group=group, user=user, conversation=ctx.conversation, text=text
        )
        for user in members
    )
    if group.emails:
        enqueue(NOTIFY_EMAIL_SEND_TASK, group.pk, text)
    return {"ok": True, "users": len(members), "emails": len(group.emails)}


# --- intent ---------------------------------------------------------------------------------


@executor("intent", outside_transaction=True)
def intent(ctx: EffectContext, payload: dict) -> dict:
    """Classify with the configured classifier (it may call a model over the network, hence
    outside the transaction). A classifier that fails counts as no answer."""
    intents = [
        Intent(name=i["name"], examples=tuple(i.get("examples", ())))
        for i in payload.get("intents", [])
    ]
    try:
        match = classifier_get().classify(
            str(payload.get("text", "")), intents, float(payload.get("threshold", 0.5))
        )
    except Exception:  # a plug-in's bug or outage must not stall the run
        logger.exception("flows.intent: classifier failed")
        return {"intent": "", "error": "classifier_failed"}
    if match is None:
        return {"intent": ""}
    return {"intent": match.name, "score": match.score}


# --- metric ---------------------------------------------------------------------------------


@executor("metric")
def metric(ctx: EffectContext, payload: dict) -> dict:
    path = payload.get("path")
    if path not in ("positive", "negative"):
        return {"ok": False, "error": "invalid_path"}
    key = {
        "tenant": ctx.tenant,
        "flow_key": str(payload.get("flow", ""))[:64],
        "card": str(payload.get("card") or ctx.card)[:64],
        "path": path,
    }
    if not MetricCount.objects.filter(**key).exists():
        try:
            with transaction.atomic():
                MetricCount.objects.create(**key)
        except IntegrityError:  # created concurrently: count on it
            pass
    MetricCount.objects.filter(**key).update(count=F("count") + 1)
    return {"ok": True}


# --- bulk template replies ------------------------------------------------------------------


@executor("bulk_reply")
def bulk_reply(ctx: EffectContext, payload: dict) -> dict:
    updated = BulkRecipient.objects.filter(
        bulk__tenant=ctx.tenant,
        bulk_id=payload.get("bulk") or 0,
        conversation=ctx.conversation,
    ).update(status=BulkRecipient.Status.REPLIED, reply=str(payload.get("reply", ""))[:300])
    return {"ok": bool(updated)}


# --- HTTP integration -----------------------------------------------------------------------

MAX_RESPONSE_BYTES = 1024 * 1024
RETRY_STATUSES = {429, 502, 503, 504}
BACKOFF_SECONDS = 0.2


def _pinned(url: str, address: str) -> tuple[str, str]:
    """The URL with its host replaced by the checked address, and the Host header."""
    parts = urlsplit(url)
    ip = ipaddress.ip_address(address)
    host = f"[{ip}]" if ip.version == 6 else str(ip)
    netloc = f"{host}:{parts.port}" if parts.port else host
    host_header = f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")), host_header


def json_path(data: Any, path: str) -> Any:
    """`a.b.0.c` into decoded JSON; None when any step is missing."""
    current = data
    for step in path.split("."):
        if isinstance(current, dict) and step in current:
            current = current[step]
        elif isinstance(current, list) and step.isdigit() and int(step) < len(current):
            current = current[int(step)]
        else:
            return None
    return current


def _failure(error: str, message: str, status: int = 0) -> dict:
    return {"ok": False, "status": status, "error": error, "message": message}


@executor("http", outside_transaction=True)
def http(ctx: EffectContext, payload: dict) -> dict:
    """Call the integration. The host must resolve to public addresses, or be in the tenant's
    allow-list (`Tenant.outbound_allowlist`, hosts or CIDRs, shared with webhooks); we connect
    to the address we checked. Redirects are not followed. Retries (`retries`, at most 3) on
    connection errors, timeouts and 429/502/503/504, with a short growing pause."""
    url = str(payload.get("url", ""))
    try:
        addresses = outbound_addresses(url, extra_allow=ctx.tenant.outbound_allowlist or ())
    except UnsafeURL as exc:
        return _failure(exc.code, exc.message)
    body = payload.get("body") or ""
    headers = {str(k): str(v) for k, v in (payload.get("headers") or {}).items()}
    if body:
        try:
            json.loads(body)
        except ValueError:
            return _failure(
                "invalid_body", "O corpo montado com as variáveis não é um JSON válido."
            )
        headers.setdefault("Content-Type", "application/json")
    pinned, host_header = _pinned(url, addresses[0])
    headers["Host"] = host_header
    timeout = min(float(payload.get("timeout") or 10), 30.0)
    attempts = 1 + max(0, min(int(payload.get("retries") or 0), 3))
    result = _failure("not_attempted", "Nenhuma tentativa feita.")
    for attempt in range(attempts):
        if attempt:
            time.sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
        result = _attempt(
            payload.get("method", "GET"), pinned, headers, body, timeout, urlsplit(url).hostname
        )
        if result.get("retry") is False:
            break
    result.pop("retry", None)
    if result["ok"]:
        values = {}
        for variable, path in (payload.get("response") or {}).items():
            value = json_path(result.get("json"), path)
            values[variable] = "" if value is None else value
        result["values"] = values
    result.pop("json", None)
    return result


def _tls_context() -> ssl.SSLContext:
    """Certificate and host name checked against the URL's host name (sent as SNI, since we
    connect to the pinned IP): the public CAs, plus settings.OUTBOUND_CA_FILE when set."""
    context = httpx.create_ssl_context(trust_env=False)  # certifi's public CAs
    if settings.OUTBOUND_CA_FILE:
        context.load_verify_locations(cafile=settings.OUTBOUND_CA_FILE)
    return context


def _attempt(method, url, headers, body, timeout, hostname) -> dict:
    verify = _tls_context() if url.startswith("https:") else True
    try:
        with httpx.Client(
            timeout=timeout, follow_redirects=False, trust_env=False, verify=verify
        ) as client:
            request = client.build_request(
                method,
                url,
                headers=headers,
                content=body.encode() if body else None,
                extensions={"sni_hostname": hostname},
            )
            response = client.send(request, stream=True)
            try:
                data = b""
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > MAX_RESPONSE_BYTES:
                        return {
                            **_failure("response_too_large", "Resposta grande demais (máx. 1 MB)."),
                            "retry": False,
                        }
                status = response.status_code
            finally:
                response.close()
    except httpx.TimeoutException:
        return {**_failure("timeout", "O sistema externo não respondeu a tempo."), "retry": True}
    except httpx.ConnectError as exc:
        if "CERTIFICATE_VERIFY_FAILED" in str(exc):
            logger.info("flows.http: certificate refused for %s: %s", hostname, exc)
            return {
                **_failure(
                    "tls_certificate",
                    f"O certificado do sistema externo não é válido para {hostname}.",
                ),
                "retry": False,  # the same certificate will be refused again
            }
        logger.info("flows.http: %s", exc)
        return {**_failure("connection", "Falha de conexão com o sistema externo."), "retry": True}
    except httpx.HTTPError as exc:
        logger.info("flows.http: %s", exc)
        return {**_failure("connection", "Falha de conexão com o sistema externo."), "retry": True}
    if not 200 <= status < 300:
        return {
            **_failure("status", f"O sistema externo respondeu com o código {status}.", status),
            "retry": status in RETRY_STATUSES,
        }
    try:
        decoded = json.loads(data) if data.strip() else None
    except ValueError:
        decoded = None
    return {"ok": True, "status": status, "json": decoded, "retry": False}
