"""The contact search: every type, any common writing, clear refusals, similar names."""

import pytest

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
    return [c.name for c in outcome.page]


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
    assert first.page.paginator.count == 25 and first.page.paginator.num_pages == 3
    last = contact_search(tenant=kit.tenant, kind="nome", text="Ana Paula", page=3, per_page=10)
    assert len(last.page) == 5


def test_folded_name_follows_updates(kit):
    contact = Contact.objects.create(tenant=kit.tenant, name="José  Antônio")
    assert contact.name_search == "jose antonio"
    contact.name = "Conceição"
    contact.save(update_fields=["name"])
    contact.refresh_from_db()
    assert contact.name_search == "conceicao"


def test_br_phone_parse_is_what_search_uses():
    assert br.phone_parse("11 8765-4321").e164 == "+5511987654321"
