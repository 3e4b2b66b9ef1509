"""The tenant's terms of use (versioned, immutable) and contract templates (per product)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max

from formaliza.accounts.actors import Actor
from formaliza.accounts.models import Tenant
from formaliza.accounts.roles import Perm
from formaliza.core.errors import Conflict, FieldErrors, NotFound
from formaliza.journeys import documents
from formaliza.journeys.models import ContractTemplate, JourneyTerms
from formaliza.proposals.choices import CatalogKind
from formaliza.proposals.models import CatalogEntry


def journey_content_install_defaults(*, tenant: Tenant) -> None:
    """Give a tenant the built-in terms (version 1) and default contract template when it has
    none, so a journey can always open. Idempotent."""
    with transaction.atomic():
        if not JourneyTerms.objects.filter(tenant=tenant).exists():
            body = documents.default_terms_body(tenant_name=tenant.name)
            title = documents.DEFAULT_TERMS_TITLE
            try:
                with transaction.atomic():
                    JourneyTerms.objects.create(
                        tenant=tenant, version=1, title=title, body=body,
                        sha256=documents.terms_sha256(title=title, body=body),
                        created_by="Formaliza (padrão)",
                    )  # fmt: skip
            except IntegrityError:
                pass  # another process installed it first
        if not ContractTemplate.objects.filter(tenant=tenant, product__isnull=True).exists():
            try:
                with transaction.atomic():
                    ContractTemplate.objects.create(
                        tenant=tenant, product=None, title=documents.DEFAULT_CONTRACT_TITLE,
                        body=documents.default_contract_body(), updated_by="Formaliza (padrão)",
                    )  # fmt: skip
            except IntegrityError:
                pass


def journey_terms_current(*, tenant: Tenant) -> JourneyTerms:
    journey_content_install_defaults(tenant=tenant)
    return JourneyTerms.objects.filter(tenant=tenant).order_by("-version").first()


def journey_terms_publish(*, actor: Actor, title: str, body: str) -> JourneyTerms:
    """Publish a new version of the terms; journeys opened from now on use it (journeys already
    open keep the version they pinned)."""
    actor.require(Perm.JOURNEY_CONTENT)
    title, body = (title or "").strip(), (body or "").replace("\r\n", "\n").strip()
    errors = FieldErrors()
    if not title:
        errors.add("title", "required", "Informe o título.")
    if len(body) < 200:
        errors.add(
            "body", "too_short", "O texto dos termos está curto demais (mínimo de 200 caracteres)."
        )
    if "assinatura eletrônica" not in body.lower():
        errors.add(
            "body",
            "electronic_signature_missing",
            "Os termos precisam tratar da aceitação da assinatura eletrônica (MP 2.200-2/2001, art. 10, § 2º).",
        )
    errors.raise_if_any()
    with transaction.atomic():
        journey_content_install_defaults(tenant=actor.tenant)
        last = JourneyTerms.objects.filter(tenant=actor.tenant).aggregate(v=Max("version"))["v"]
        try:
            with transaction.atomic():
                return JourneyTerms.objects.create(
                    tenant=actor.tenant, version=(last or 0) + 1, title=title, body=body,
                    sha256=documents.terms_sha256(title=title, body=body),
                    created_by=actor.label[:150],
                )  # fmt: skip
        except IntegrityError as exc:
            raise Conflict(
                "terms_version_taken", "Outra versão foi publicada agora mesmo. Tente de novo."
            ) from exc


def contract_template_for(*, tenant: Tenant, product_id: int | None) -> ContractTemplate:
    """The product's template, else the tenant's default (installed when missing)."""
    if product_id is not None:
        template = ContractTemplate.objects.filter(tenant=tenant, product_id=product_id).first()
        if template is not None:
            return template
    journey_content_install_defaults(tenant=tenant)
    return ContractTemplate.objects.get(tenant=tenant, product__isnull=True)


def contract_template_save(
    *, actor: Actor, product_id: int | None, title: str, body: str
) -> ContractTemplate:
    """Create or change the template of a product (None: the tenant's default). Journeys
    already open keep the contract text they rendered when they opened."""
    actor.require(Perm.JOURNEY_CONTENT)
    title, body = (title or "").strip(), (body or "").replace("\r\n", "\n")
    errors = FieldErrors()
    if not title:
        errors.add("title", "required", "Informe o título.")
    for message in documents.template_errors(body):
        errors.add("body", "template_invalid", message)
    product = None
    if product_id is not None:
        product = CatalogEntry.objects.filter(
            tenant=actor.tenant, kind=CatalogKind.PRODUCT, pk=product_id
        ).first()
        if product is None:
            raise NotFound("Produto", code="product_not_found")
    errors.raise_if_any()
    template, _ = ContractTemplate.objects.update_or_create(
        tenant=actor.tenant, product=product,
        defaults={"title": title, "body": body, "updated_by": actor.label[:150]},
    )  # fmt: skip
    return template
