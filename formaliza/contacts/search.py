"""The contact base's search (seed 002 "Buscar um cliente"): one text, one type.

Every type is an exact match after normalising what was typed — a CPF, CNPJ or phone may be
written in any common way (masked, bare, spaced, with or without +55, 8- or 9-digit mobile) —
except "Nome", which also finds similar names ("Maria Clara" finds "Maria Laura"), accent- and
case-insensitive. "Todos" runs every exact type that the text can be (and the exact folded
name), never a partial match: "aria" does not find "Maria".

Name similarity is PostgreSQL's pg_trgm (`%` similarity and `%>` word similarity, GIN index
over `Contact.name_search`, the folded name). On SQLite the same two functions are registered
in Python (`formaliza.contacts.sqlite`) and the filter is a scan of the tenant's contacts: the
documented development fallback (docs/contacts.md).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.core.validators import validate_email
from django.db import connection, models
from django.db.models.functions import Greatest
from django.utils.module_loading import import_string

from formaliza.accounts.models import Tenant
from formaliza.contacts.folding import fold
from formaliza.contacts.models import Contact, ContactEmail, ContactPhone
from formaliza.core import br
from formaliza.core.errors import ApplicationError

# pg_trgm's defaults, applied on SQLite as well so both answer the same.
SIMILARITY_THRESHOLD = 0.3
WORD_SIMILARITY_THRESHOLD = 0.6
EXACT_LIMIT = 200  # an exact value shared by more contacts than this is not a search any more


class SearchType(models.TextChoices):
    ALL = "todos", "Todos"
    CPF = "cpf", "CPF"
    CNPJ = "cnpj", "CNPJ"
    NAME = "nome", "Nome"
    EMAIL = "email", "E-mail"
    PHONE = "celular", "Celular"
    ID = "id", "ID"
    DOCUMENT = "documento", "Nº do documento"


class SearchInvalid(ApplicationError):
    """What was typed cannot be the chosen type (a CPF with a wrong check digit...)."""

    def __init__(self, code: str, message: str):
        super().__init__(code=code, message=message, status=422)


@dataclass(frozen=True)
class SearchOutcome:
    kind: str
    text: str
    page: Page
    # How the text was understood ("CPF 123.456.789-09"), shown above the results.
    understood: str
    similar: bool  # name similarity: results are ordered by how close they are


_ID_BLOCK = re.compile(r"^[0-9a-f]{8}$")


def _cpf(text: str, *, strict: bool) -> str | None:
    digits = br.only_digits(text)
    if len(digits) != 11 or re.search(r"[A-Za-z]", text):
        if strict:
            raise SearchInvalid("cpf_incomplete", "CPF incompleto: digite os 11 dígitos.")
        return None
    cpf = br.cpf_normalize(digits)
    if cpf is None and strict:
        raise SearchInvalid("cpf_invalid", "CPF inválido: confira os dígitos.")
    return cpf


def _cnpj(text: str, *, strict: bool) -> str | None:
    compact = re.sub(r"[^0-9A-Za-z]", "", text).upper()
    if len(compact) != 14:
        if strict:
            raise SearchInvalid("cnpj_incomplete", "CNPJ incompleto: digite os 14 caracteres.")
        return None
    cnpj = br.cnpj_normalize(compact)
    if cnpj is None and strict:
        raise SearchInvalid("cnpj_invalid", "CNPJ inválido: confira os dígitos.")
    return cnpj


def _email(text: str, *, strict: bool) -> str | None:
    address = text.strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        if strict:
            raise SearchInvalid(
                "email_invalid", "E-mail inválido: digite o endereço completo."
            ) from None
        return None
    return address


def _phone(text: str, *, strict: bool) -> br.Phone | None:
    if re.search(r"[A-Za-z@]", text) or len(br.only_digits(text)) < 10:
        phone = None
    else:
        phone = br.phone_parse(text)
    if phone is None and strict:
        raise SearchInvalid(
            "phone_invalid", "Celular inválido: digite o DDD e o número (ex.: 11 98765-4321)."
        )
    return phone


def _id_range(text: str, *, strict: bool) -> tuple[uuid.UUID, uuid.UUID] | None:
    value = text.strip().lower()
    try:
        full = uuid.UUID(value)
    except ValueError:
        full = None
    if full is not None and len(value.replace("-", "")) == 32:
        return full, full
    if _ID_BLOCK.match(value):
        return uuid.UUID(value + "0" * 24), uuid.UUID(value + "f" * 24)
    if strict:
        raise SearchInvalid(
            "id_invalid",
            "ID inválido: digite o primeiro bloco do ID (8 caracteres, ex.: 155372b3) "
            "ou o ID completo.",
        )
    return None


def _document_number(text: str, *, strict: bool) -> str | None:
    number = re.sub(r"\s+", "", text)
    if not number:
        if strict:
            raise SearchInvalid("document_number_empty", "Digite o número do documento.")
        return None
    return number


def _ids(queryset) -> set[int]:
    return set(queryset.values_list("contact_id", flat=True)[:EXACT_LIMIT])


def _exact_ids(tenant: Tenant, kind: str, text: str, *, strict: bool) -> tuple[set[int], str]:
    """The contacts an exact type finds, and how the text was understood ("" if it was not)."""
    contacts = Contact.objects.filter(tenant=tenant)
    if kind == SearchType.CPF and (cpf := _cpf(text, strict=strict)):
        ids = set(contacts.filter(document=cpf).values_list("pk", flat=True))
        return ids, f"CPF {br.cpf_format(cpf)}"
    if kind == SearchType.CNPJ and (cnpj := _cnpj(text, strict=strict)):
        ids = set(contacts.filter(document=cnpj).values_list("pk", flat=True))
        return ids, f"CNPJ {br.cnpj_format(cnpj)}"
    if kind == SearchType.EMAIL and (address := _email(text, strict=strict)):
        return _ids(ContactEmail.objects.filter(tenant=tenant, address=address)), address
    if kind == SearchType.PHONE and (phone := _phone(text, strict=strict)):
        found = ContactPhone.objects.filter(tenant=tenant, e164=phone.e164)
        return _ids(found), f"Celular {br.phone_format(phone.e164)}"
    if kind == SearchType.ID and (bounds := _id_range(text, strict=strict)):
        found = contacts.filter(public_id__gte=bounds[0], public_id__lte=bounds[1])
        return set(found.values_list("pk", flat=True)[:EXACT_LIMIT]), f"ID {text.strip().lower()}"
    if kind == SearchType.DOCUMENT and (number := _document_number(text, strict=strict)):
        ids: set[int] = set()
        for path in settings.CONTACT_DOCUMENT_NUMBER_FINDERS:
            ids |= set(import_string(path)(tenant=tenant, number=number))
        return ids, f"Documento nº {number}"
    return set(), ""


def _name_queryset(tenant: Tenant, text: str):
    folded = fold(text)
    if not folded:
        raise SearchInvalid("name_empty", "Digite o nome do cliente.")
    contacts = Contact.objects.filter(tenant=tenant).annotate(
        similarity=TrigramSimilarity("name_search", folded),
        word_similarity=TrigramWordSimilarity(folded, "name_search"),
        closeness=Greatest("similarity", "word_similarity"),
    )
    if connection.vendor == "postgresql":
        # The operators use the GIN trigram index (contacts migration 0002).
        found = contacts.filter(
            models.Q(name_search__trigram_similar=folded)
            | models.Q(name_search__trigram_word_similar=folded)
        )
    else:  # the registered Python functions, over the tenant's contacts
        found = contacts.filter(
            models.Q(similarity__gte=SIMILARITY_THRESHOLD)
            | models.Q(word_similarity__gte=WORD_SIMILARITY_THRESHOLD)
        )
    return found.order_by("-closeness", "name", "pk")


def contact_search(
    *, tenant: Tenant, kind: str, text: str, page: int = 1, per_page: int | None = None
) -> SearchOutcome:
    """The tenant's contacts that `text` finds as `kind` (a `SearchType`), one page of them.
    Raises `SearchInvalid` (pt-BR message) when the text cannot be that type."""
    text = (text or "").strip()[:200]
    per_page = per_page or settings.CONTACT_SEARCH_PAGE_SIZE
    if kind not in SearchType.values:
        raise SearchInvalid("search_type_invalid", "Escolha o tipo de dado da busca.")
    if not text:
        raise SearchInvalid("search_empty", "Digite o que procurar.")
    similar = False
    if kind == SearchType.NAME:
        queryset = _name_queryset(tenant, text)
        understood = f"Nome parecido com “{text}”"
        similar = True
    elif kind == SearchType.ALL:
        ids: set[int] = set()
        for each in SearchType.values:
            if each not in (SearchType.ALL, SearchType.NAME):
                ids |= _exact_ids(tenant, each, text, strict=False)[0]
        folded = fold(text)
        if folded:
            named = Contact.objects.filter(tenant=tenant, name_search=folded)
            ids |= set(named.values_list("pk", flat=True)[:EXACT_LIMIT])
        queryset = Contact.objects.filter(pk__in=ids).order_by("name", "pk")
        understood = f"“{text}” em todos os tipos de dado"
    else:
        ids, understood = _exact_ids(tenant, kind, text, strict=True)
        queryset = Contact.objects.filter(pk__in=ids).order_by("name", "pk")
    queryset = queryset.prefetch_related("phones", "emails")
    paginator = Paginator(queryset, per_page)
    return SearchOutcome(
        kind=kind,
        text=text,
        page=paginator.get_page(page),
        understood=understood,
        similar=similar,
    )
