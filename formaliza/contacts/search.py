"""The contact base's search (seed 002 "Buscar um cliente"): one text, one type.

Every type is an exact match after normalising what was typed — a CPF, CNPJ or phone may be
written in any common way (masked, bare, spaced, with or without +55, 8- or 9-digit mobile) —
except "Nome", which also finds similar names ("Maria Clara" finds "Maria Laura"), accent- and
case-insensitive. "Todos" runs every exact type that the text can be (and the exact folded
name), never a partial match: "aria" does not find "Maria".

Name similarity is PostgreSQL's pg_trgm word similarity (`%>` at `WORD_SIMILARITY_THRESHOLD`,
GIN trigram index over `Contact.name_search`, the folded name). On SQLite the same functions
are registered in Python (`formaliza.contacts.sqlite`) and the filter is a scan of the tenant's
contacts: the documented development fallback (docs/contacts.md).

Every search reads at most `COUNT_CAP + 1` contacts, ordered, in one query per exact type (the
count is capped: "mais de 200"; the page is a slice of those rows), then the page's phones and
e-mails; pages go no further than the cap (refine the search instead).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, models, transaction
from django.db.models import prefetch_related_objects
from django.utils.module_loading import import_string

from formaliza.accounts.models import Tenant
from formaliza.contacts.folding import fold
from formaliza.contacts.models import Contact, ContactEmail, ContactPhone
from formaliza.core import br
from formaliza.core.errors import ApplicationError

# Word similarity (pg_trgm's `word_similarity(typed, name)`: the share of the typed text's
# trigrams found in the name) at which a name counts as similar; the same on SQLite. 0.5 keeps
# "Maria Clara" -> "Maria Laura Souza" (0.58) and drops names sharing one short word only.
WORD_SIMILARITY_THRESHOLD = 0.5
# The most results a search counts and pages through; beyond it the page says "mais de 200"
# (API: `more`) and asks for a more precise search.
COUNT_CAP = 200


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
    # How the text was understood ("CPF 123.456.789-09"), shown above the results.
    understood: str
    similar: bool  # name similarity: results are ordered by how close they are
    results: list[Contact]  # this page's contacts, phones and e-mails prefetched
    number: int  # this page, from 1
    per_page: int
    count: int  # results found, at most COUNT_CAP
    more: bool  # more than COUNT_CAP were found (only the first COUNT_CAP are reachable)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


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


# What a result row needs (the page and the API): the rest of the contact stays unread.
_RESULT_FIELDS = ("pk", "tenant_id", "public_id", "kind", "document", "name", "created_at")


def _first(queryset) -> list[Contact]:
    """At most COUNT_CAP + 1 contacts of an ordered queryset, in one query: the capped count
    and the page come from the same rows."""
    return list(queryset.only(*_RESULT_FIELDS)[: COUNT_CAP + 1])


def _by_contact(queryset):
    """Contacts of a phone/e-mail/... queryset (a semi-join in the same query)."""
    return models.Q(pk__in=queryset.values("contact_id"))


def _exact(tenant: Tenant, kind: str, text: str, *, strict: bool):
    """The condition an exact type puts on the tenant's contacts (None if the text cannot be
    that type), and how the text was understood."""
    if kind == SearchType.CPF and (cpf := _cpf(text, strict=strict)):
        return models.Q(document=cpf), f"CPF {br.cpf_format(cpf)}"
    if kind == SearchType.CNPJ and (cnpj := _cnpj(text, strict=strict)):
        return models.Q(document=cnpj), f"CNPJ {br.cnpj_format(cnpj)}"
    if kind == SearchType.EMAIL and (address := _email(text, strict=strict)):
        found = ContactEmail.objects.filter(tenant=tenant, address=address)
        return _by_contact(found), address
    if kind == SearchType.PHONE and (phone := _phone(text, strict=strict)):
        found = ContactPhone.objects.filter(tenant=tenant, e164=phone.e164)
        return _by_contact(found), f"Celular {br.phone_format(phone.e164)}"
    if kind == SearchType.ID and (bounds := _id_range(text, strict=strict)):
        condition = models.Q(public_id__gte=bounds[0], public_id__lte=bounds[1])
        return condition, f"ID {text.strip().lower()}"
    if kind == SearchType.DOCUMENT and (number := _document_number(text, strict=strict)):
        ids: set[int] = set()
        for path in settings.CONTACT_DOCUMENT_NUMBER_FINDERS:
            ids |= set(import_string(path)(tenant=tenant, number=number))
        return (models.Q(pk__in=sorted(ids)) if ids else None), f"Documento nº {number}"
    return None, ""


def _word_similar(contacts, folded: str, threshold: float):
    """The contacts whose folded name has `word_similarity(folded, name) >= threshold`."""
    if connection.vendor == "postgresql":
        # `%>` is what the GIN trigram index answers (contacts migration 0002), at the
        # transaction's threshold, set just before (`_by_name` runs in a transaction).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                [str(threshold)],
            )
        return contacts.filter(name_search__trigram_word_similar=folded)
    # SQLite: the registered Python function, over the tenant's contacts.
    return contacts.filter(word_similarity__gte=threshold)


# The thresholds `_by_name` probes, highest first (the last is WORD_SIMILARITY_THRESHOLD).
NAME_PROBES = (1.0, 0.8, 0.65)


def _by_name(tenant: Tenant, text: str) -> list[Contact]:
    """Similar names, closest first; among equally close ones the name most nearly the whole
    text, then by name.

    Scoring every name above the threshold costs as many rows as match ("Maria Figueiredo"
    matches every Figueiredo, tens of thousands in a million contacts), so the closest
    COUNT_CAP + 1 are found by probes that each read at most COUNT_CAP + 1 rows, unordered, at
    one threshold, from the highest (NAME_PROBES, then WORD_SIMILARITY_THRESHOLD): a probe that
    returns fewer is every name at that threshold, and the higher the threshold the cheaper
    the index scan. The first full probe ends it: the answer is every name of the probe before
    (all closer) and, up to the cap, names of the full one's band — past COUNT_CAP matches the
    cut is made at the probes' steps. When no probe is full, the last one is the exact answer."""
    folded = fold(text)
    if not folded:
        raise SearchInvalid("name_empty", "Digite o nome do cliente.")
    contacts = Contact.objects.all()
    if connection.vendor == "postgresql":
        # pg_trgm gives the planner no estimate of `%>` (a fixed 1%), so with a LIMIT it would
        # rather walk the tenant index (or the table) and filter, hoping to reach the limit
        # soon: seconds for a rare name. `tenant_id + 0` takes the tenant index out of the
        # choice, and enable_seqscan=off (for this transaction) the table scan: the trigram
        # index is what is left, and the tenant is a filter on its candidates.
        tenant_id = models.ExpressionWrapper(models.F("tenant_id") + 0, models.IntegerField())
        contacts = contacts.alias(tenant_unindexed=tenant_id).filter(tenant_unindexed=tenant.pk)
    else:
        contacts = contacts.filter(tenant=tenant)
    contacts = contacts.annotate(
        word_similarity=TrigramWordSimilarity(folded, "name_search"),
        similarity=TrigramSimilarity("name_search", folded),
    )
    complete: list[Contact] = []  # every name at or above the last threshold probed
    rows: list[Contact] = []
    with transaction.atomic():  # the settings below end with it
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
        for threshold in (*NAME_PROBES, WORD_SIMILARITY_THRESHOLD):
            if threshold < WORD_SIMILARITY_THRESHOLD:
                continue
            rows = _first(_word_similar(contacts, folded, threshold))
            if len(rows) > COUNT_CAP:
                break
            complete, rows = rows, []
    unique = {c.pk: c for c in [*complete, *rows]}.values()
    ordered = sorted(unique, key=lambda c: (-c.word_similarity, -c.similarity, c.name, c.pk))
    return ordered[: COUNT_CAP + 1]


def _by_all(tenant: Tenant, text: str) -> list[Contact]:
    """ "Todos": every exact type the text can be, one indexed query each (an OR over all of
    them would defeat the indexes), plus the exact folded name; ordered by name."""
    contacts = Contact.objects.filter(tenant=tenant)
    found: dict[int, Contact] = {}
    conditions = [
        _exact(tenant, each, text, strict=False)[0]
        for each in SearchType.values
        if each not in (SearchType.ALL, SearchType.NAME)
    ]
    if folded := fold(text):
        conditions.append(models.Q(name_search=folded))
    for condition in conditions:
        if condition is None:
            continue
        for contact in _first(contacts.filter(condition).order_by("name", "pk")):
            found[contact.pk] = contact
    return sorted(found.values(), key=lambda c: (c.name, c.pk))[: COUNT_CAP + 1]


def contact_search(
    *, tenant: Tenant, kind: str, text: str, page: int | str = 1, per_page: int | None = None
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
        rows = _by_name(tenant, text)
        understood = f"Nome parecido com “{text}”"
        similar = True
    elif kind == SearchType.ALL:
        rows = _by_all(tenant, text)
        understood = f"“{text}” em todos os tipos de dado"
    else:
        condition, understood = _exact(tenant, kind, text, strict=True)
        rows = []
        if condition is not None:
            found = Contact.objects.filter(tenant=tenant).filter(condition)
            rows = _first(found.order_by("name", "pk"))
    more, rows = len(rows) > COUNT_CAP, rows[:COUNT_CAP]
    count = len(rows)
    try:
        number = int(page)
    except (TypeError, ValueError):
        number = 1
    number = min(max(number, 1), max(1, -(-count // per_page)))
    results = rows[(number - 1) * per_page : number * per_page]
    prefetch_related_objects(results, "phones", "emails")  # two queries, none when empty
    return SearchOutcome(
        kind=kind,
        text=text,
        understood=understood,
        similar=similar,
        results=results,
        number=number,
        per_page=per_page,
        count=count,
        more=more,
    )
