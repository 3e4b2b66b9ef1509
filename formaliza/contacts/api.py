"""Integrators' contact search (mounted by formaliza.api under /api/v1/contacts): the same
search as the back office's Base de contatos, tenant-scoped by the API key."""

from __future__ import annotations

import uuid

from django.http import Http404
from ninja import Field, Query, Router, Schema

from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Perm
from formaliza.contacts.models import Contact
from formaliza.contacts.search import SearchType, contact_search
from formaliza.core.tenant_lookups import tenant_lookup

router = Router()


class ErrorBody(Schema):
    code: str
    message: str
    fields: list[dict] | None = None


class ErrorOut(Schema):
    error: ErrorBody


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ContactOut(Schema):
    id: uuid.UUID
    short_id: str
    kind: str
    name: str
    document: str
    phones: list[str]
    emails: list[str]
    created_at: str


class SearchOut(Schema):
    type: str
    understood: str
    page: int
    pages: int
    total: int = Field(description="Contatos encontrados, no máximo 200 (ver `more`).")
    more: bool = Field(description="Mais de 200 encontrados: só os 200 primeiros são paginados.")
    similar: bool
    results: list[ContactOut]


class SearchParams(Schema):
    q: str
    type: SearchType = SearchType.ALL
    page: int = 1


def contact_out(contact: Contact) -> dict:
    return {
        "id": contact.public_id,
        "short_id": contact.short_id,
        "kind": contact.kind,
        "name": contact.name,
        "document": contact.document,
        "phones": [p.e164 for p in contact.phones.all()],
        "emails": [e.address for e in contact.emails.all()],
        "created_at": contact.created_at.isoformat(),
    }


@tenant_lookup("contacts", "contact_id")
def _contact_visible(actor: Actor, value: str) -> bool:
    try:
        public_id = uuid.UUID(str(value))
    except ValueError:
        return False
    return Contact.objects.filter(tenant=actor.tenant, public_id=public_id).exists()


def _actor(request) -> Actor:
    actor = Actor.of_api_key(request.auth)
    actor.require(Perm.CONTACT_VIEW)
    return actor


@router.get(
    "",
    response={200: SearchOut, **ERRORS},
    summary="Buscar contatos",
    description=(
        "Busca exata por `type` (cpf, cnpj, email, celular, id — o primeiro bloco do ID —, "
        "documento) com o valor escrito de qualquer forma comum (com ou sem máscara, +55, "
        "celular com 8 ou 9 dígitos); `nome` também traz nomes parecidos, sem diferenciar "
        "acentos; `todos` procura o valor exato em todos os tipos. CPF/CNPJ com dígito "
        "verificador errado: 422 `cpf_invalid`/`cnpj_invalid`. A contagem vai até 200 (`more` "
        "quando há mais) e a paginação só percorre esses 200: refine a busca."
    ),
)
def search_contacts(request, params: Query[SearchParams]):
    actor = _actor(request)
    outcome = contact_search(
        tenant=actor.tenant, kind=str(params.type.value), text=params.q, page=params.page
    )
    return {
        "type": outcome.kind,
        "understood": outcome.understood,
        "page": outcome.number,
        "pages": outcome.num_pages,
        "total": outcome.count,
        "more": outcome.more,
        "similar": outcome.similar,
        "results": [contact_out(c) for c in outcome.results],
    }


@router.get("/{contact_id}", response={200: ContactOut, **ERRORS}, summary="Contato")
def get_contact(request, contact_id: uuid.UUID):
    actor = _actor(request)
    contact = (
        Contact.objects.filter(tenant=actor.tenant, public_id=contact_id)
        .prefetch_related("phones", "emails")
        .first()
    )
    if contact is None:
        raise Http404
    return contact_out(contact)
