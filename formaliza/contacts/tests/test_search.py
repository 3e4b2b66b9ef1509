"""The contact search: every type, any common writing, clear refusals, similar names."""

import pytest

from formaliza.contacts import search
from formaliza.contacts.models import Contact, ContactEmail, ContactPhone
from formaliza.contacts.search import SearchInvalid, contact_search
from formaliza.core import br

CPF = "52998224725"
CNPJ = "11222333000181"


@pytest.fixture
def people(kit):
    t = kit.tenant
    maria = Contact.objects.create(tenant=t, name="Maria Clara Souza", document=CPF)
    laura = Contact.objects.create(tenant=t, name="Maria Laura Souza")
    joao = Contact.objects.create(tenant=t, name="João da Silva")
    firm = Contact.objects.create(tenant=t, name="Padaria Pão Bom", kind="company", document=CNPJ)
    ContactPhone.objects.create(tenant=t, contact=maria, e164="+5511987654321")
    ContactEmail.objects.create(tenant=t, contact=joao, address="joao@example.com")
    return {"maria": maria, "laura": laura, "joao": joao, "firm": firm}


def names(outcome):
    return [c.name for c in outcome.results]


@pytest.mark.parametrize("typed", ["529.982.247-25", "52998224725", " 529 982 247 25 "])
def test_cpf_any_writing(kit, people, typed):
    assert names(contact_search(tenant=kit.tenant, kind="cpf", text=typed)) == ["Maria Clara Souza"]


def test_cpf_wrong_check_digit_says_so(kit, people):
    with pytest.raises(SearchInvalid) as exc:
        contact_search(tenant=kit.tenant, kind="cpf", text="529.982.247-26")
    assert exc.value.message == "CPF inválido: confira os dígitos."
    with pytest.raises(SearchInvalid, match="incompleto"):
        contact_search(tenant=kit.tenant, kind="cpf", text="52998")


@pytest.mark.parametrize("typed", ["11.222.333/0001-81", "11222333000181", "11 222 333 0001 81"])
def test_cnpj_any_writing(kit, people, typed):
    assert names(contact_search(tenant=kit.tenant, kind="cnpj", text=typed)) == ["Padaria Pão Bom"]


def test_cnpj_wrong_digit_and_no_partial(kit, people):
    with pytest.raises(SearchInvalid, match="CNPJ inválido"):
        contact_search(tenant=kit.tenant, kind="cnpj", text="11.222.333/0001-82")
    with pytest.raises(SearchInvalid, match="incompleto"):
        contact_search(tenant=kit.tenant, kind="cnpj", text="0001-81")


@pytest.mark.parametrize(
    "typed",
    ["+55 11 98765-4321", "(11) 98765-4321", "11987654321", "5511987654321", "11 8765-4321",
     "+55 (11) 8765 4321"],
)  # fmt: skip
def test_phone_any_writing_with_or_without_ninth_digit(kit, people, typed):
    assert names(contact_search(tenant=kit.tenant, kind="celular", text=typed)) == [
        "Maria Clara Souza"
    ]


def test_email_exact_case_insensitive(kit, people):
    assert names(contact_search(tenant=kit.tenant, kind="email", text=" JOAO@example.com ")) == [
        "João da Silva"
    ]
    assert names(contact_search(tenant=kit.tenant, kind="email", text="joao@example.co")) == []


def test_id_by_first_block_or_whole(kit, people):
    maria = people["maria"]
    block = str(maria.public_id).split("-")[0]
    assert names(contact_search(tenant=kit.tenant, kind="id", text=block.upper())) == [maria.name]
    assert names(contact_search(tenant=kit.tenant, kind="id", text=str(maria.public_id))) == [
        maria.name
    ]
    with pytest.raises(SearchInvalid, match="primeiro bloco"):
        contact_search(tenant=kit.tenant, kind="id", text=block[:5])


def test_name_finds_similar_accent_insensitive(kit, people):
    found = names(contact_search(tenant=kit.tenant, kind="nome", text="Maria Clara"))
    assert found[0] == "Maria Clara Souza" and "Maria Laura Souza" in found
    assert names(contact_search(tenant=kit.tenant, kind="nome", text="joao")) == ["João da Silva"]
    assert names(contact_search(tenant=kit.tenant, kind="nome", text="JOÃO DA SILVA"))[0] == (
        "João da Silva"
    )


def test_all_is_exact_never_partial(kit, people):
    assert names(contact_search(tenant=kit.tenant, kind="todos", text="aria")) == []
    assert names(contact_search(tenant=kit.tenant, kind="todos", text="529.982.247-25")) == [
        "Maria Clara Souza"
    ]
    assert names(contact_search(tenant=kit.tenant, kind="todos", text="joão da silva")) == [
        "João da Silva"
    ]
    assert names(contact_search(tenant=kit.tenant, kind="todos", text="11 98765-4321")) == [
        "Maria Clara Souza"
    ]


def test_other_tenant_is_never_found(kit, other_kit, people):
    Contact.objects.create(
        tenant=other_kit.tenant, name="Maria Clara Souza", document="11144477735"
    )
    assert names(contact_search(tenant=other_kit.tenant, kind="cpf", text=CPF)) == []
    assert len(names(contact_search(tenant=other_kit.tenant, kind="nome", text="Maria Clara"))) == 1


def test_pages(kit, settings):
    for n in range(25):
        Contact.objects.create(tenant=kit.tenant, name=f"Ana Paula {n:02d}")
    first = contact_search(tenant=kit.tenant, kind="nome", text="Ana Paula", per_page=10)
    assert (first.count, first.num_pages, first.more) == (25, 3, False)
    assert names(first) == [f"Ana Paula {n:02d}" for n in range(10)] and first.has_next
    last = contact_search(tenant=kit.tenant, kind="nome", text="Ana Paula", page=3, per_page=10)
    assert names(last) == [f"Ana Paula {n:02d}" for n in range(20, 25)] and not last.has_next
    # A page past the end, or not a number, is the nearest real page.
    assert (
        contact_search(tenant=kit.tenant, kind="nome", text="Ana", page=9, per_page=10).number == 3
    )
    assert contact_search(tenant=kit.tenant, kind="nome", text="Ana", page="x").number == 1


def test_count_is_capped_and_says_more(kit, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 5)
    for n in range(7):
        contact = Contact.objects.create(tenant=kit.tenant, name=f"Rita Lee {n}")
        ContactPhone.objects.create(tenant=kit.tenant, contact=contact, e164="+5511912345678")
    for kind, text in (("celular", "11 91234-5678"), ("todos", "11912345678"), ("nome", "Rita")):
        outcome = contact_search(tenant=kit.tenant, kind=kind, text=text, per_page=2)
        assert (outcome.count, outcome.more, outcome.num_pages) == (5, True, 3), kind
        last = contact_search(tenant=kit.tenant, kind=kind, text=text, page=3, per_page=2)
        seen = {
            name
            for n in (1, 2, 3)
            for name in names(
                contact_search(tenant=kit.tenant, kind=kind, text=text, page=n, per_page=2)
            )
        }
        assert len(names(last)) == 1 and len(seen) == 5, kind
        if kind != "nome":  # ordered by name; 7 names equally close to "Rita": any 5 of them
            assert names(last) == ["Rita Lee 4"], kind


def test_name_closest_first_below_the_cap(kit, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 5)
    for name in ("Rita Lee 1", "Rita Lee 2", "Rita Leal", "Rita Cadillac", "Ritinha Lee"):
        Contact.objects.create(tenant=kit.tenant, name=name)
    found = names(contact_search(tenant=kit.tenant, kind="nome", text="rita lee"))
    # word similarity 1.0, 1.0, 0.78, 0.56, 0.5 (pg_trgm's values)
    assert found == ["Rita Lee 1", "Rita Lee 2", "Rita Leal", "Rita Cadillac", "Ritinha Lee"]


def test_name_threshold_drops_names_sharing_little(kit, people):
    Contact.objects.create(tenant=kit.tenant, name="Clarice Lispector")
    found = names(contact_search(tenant=kit.tenant, kind="nome", text="Maria Clara"))
    # "Maria Laura Souza": the extent "maria" (0.5); "Clarice Lispector": "clar" (0.42).
    assert found == ["Maria Clara Souza", "Maria Laura Souza"]


def test_folded_name_follows_updates(kit):
    contact = Contact.objects.create(tenant=kit.tenant, name="José  Antônio")
    assert contact.name_search == "jose antonio"
    contact.name = "Conceição"
    contact.save(update_fields=["name"])
    contact.refresh_from_db()
    assert contact.name_search == "conceicao"


def test_br_phone_parse_is_what_search_uses():
    assert br.phone_parse("11 8765-4321").e164 == "+5511987654321"


# (a, b, word_similarity(a, b), similarity(a, b)) as PostgreSQL 15's pg_trgm 1.6 computes them
PG_TRGM = [
    ("word", "two words", 0.8, 0.363636),
    ("maria clara", "maria laura souza", 0.5, 0.304348),
    ("maria clara", "clarice lispector", 0.416667, 0.2),
    ("rita lee", "ritinha lee", 0.5, 0.5),
    ("rita lee", "rita leal", 0.777778, 0.583333),
    ("rita lee", "rita cadillac", 0.555556, 0.277778),
    ("joao da silva", "joao da silva santos", 1.0, 0.7),
    ("maria figueiredo", "maria santos figueiredo", 0.708333, 0.708333),
]


@pytest.mark.parametrize(("a", "b", "word", "whole"), PG_TRGM)
def test_sqlite_fallback_computes_what_pg_trgm_does(db, a, b, word, whole):
    from django.db import connection

    from formaliza.contacts.folding import similarity, word_similarity

    assert word_similarity(a, b) == pytest.approx(word, abs=1e-5)
    assert similarity(a, b) == pytest.approx(whole, abs=1e-5)
    with connection.cursor() as cursor:  # the database's own (pg_trgm, or the registered ones)
        cursor.execute("SELECT WORD_SIMILARITY(%s, %s), SIMILARITY(%s, %s)", [a, b, a, b])
        assert cursor.fetchone() == pytest.approx((word, whole), abs=1e-5)
