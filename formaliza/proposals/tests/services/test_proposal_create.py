import datetime as dt

import pytest

from formaliza.accounts.roles import Role
from formaliza.contacts.models import Contact, ContactPhone
from formaliza.core import clock
from formaliza.core.errors import Conflict, PermissionDenied, ValidationFailed
from formaliza.proposals.choices import Activity
from formaliza.proposals.models import ActivityChange, Proposal
from formaliza.proposals.services import proposal_create


def _codes(exc: ValidationFailed) -> dict[str, str]:
    return {f.field: f.code for f in exc.fields}


def test_typed_proposal_is_stored_normalized_in_digitacao(kit, make_input):
    data = make_input(
        cpf="529.982.247-25",
        mobile="(11) 98765-4321",
        landline="(11) 3265-4321",
        income="3.500,75",
        monthly_rate="1,80",
        first_due_date="",
    )
    data["first_due_date"] = (clock.today() + dt.timedelta(days=35)).strftime("%d/%m/%Y")

    created = proposal_create(actor=kit.actor(), data=data)

    p = Proposal.objects.get(pk=created.proposal.pk)
    assert p.activity == Activity.DIGITACAO
    assert p.cpf == "52998224725"
    assert p.mobile == "+5511987654321"
    assert p.landline == "+551132654321"
    assert p.formalization_phone == "+5511987654321"
    assert str(p.income) == "3500.75"
    assert str(p.monthly_rate) == "1.8000"
    assert p.number == "00000001"
    assert p.branch == kit.branch
    assert p.com_street == p.res_street  # "copy residential to commercial"
    contact = Contact.objects.get(tenant=kit.tenant, document="52998224725")
    assert p.contact == contact
    assert ContactPhone.objects.filter(contact=contact, e164="+5511987654321").exists()
    history = list(p.history.all())
    assert [(h.decision, h.to_activity, h.actor_user) for h in history] == [
        ("create", "DIGITACAO", kit.users[Role.CORRESPONDENT])
    ]


def test_numbers_are_sequential_per_tenant(kit, other_kit, make_input):
    a = proposal_create(actor=kit.actor(), data=make_input()).proposal
    b = proposal_create(actor=kit.actor(), data=make_input()).proposal
    c = proposal_create(actor=other_kit.actor(), data=make_input()).proposal
    assert (a.number, b.number, c.number) == ("00000001", "00000002", "00000001")


def test_legacy_eight_digit_mobile_gets_its_ninth_digit(kit, make_input):
    p = proposal_create(actor=kit.actor(), data=make_input(mobile="11 8765-4321")).proposal
    assert p.formalization_phone == "+5511987654321"


def test_second_mobile_can_be_the_formalization_phone(kit, make_input):
    data = make_input(mobile2="(21) 99876-5432", formalization_phone_choice="mobile2")
    p = proposal_create(actor=kit.actor(), data=data).proposal
    assert p.formalization_phone == "+5521998765432"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"cpf": "111.111.111-11"}, "cpf", "invalid_cpf"),
        ({"cpf": "529.982.247-24"}, "cpf", "invalid_cpf"),
        ({"cpf": ""}, "cpf", "required"),
        ({"name": "Maria"}, "name", "name_incomplete"),
        ({"birth_date": "31/02/1960"}, "birth_date", "invalid_date"),
        ({"birth_date": "01/01/2015"}, "birth_date", "birth_date_out_of_range"),
        ({"benefit_code": "123"}, "benefit_code", "benefit_code_invalid"),
        ({"doc_issue_date": "01/01/2999"}, "doc_issue_date", "doc_issue_date_invalid"),
        ({"marital_status": "CASADO", "spouse_name": ""}, "spouse_name", "spouse_required"),
        (
            {"nationality": "ESTRANGEIRA", "other_nationality": ""},
            "other_nationality",
            "other_nationality_required",
        ),
        ({"mobile": "(11) 3265-4321"}, "mobile", "not_a_mobile"),
        ({"mobile": "123"}, "mobile", "invalid_phone"),
        (
            {"formalization_phone_choice": "mobile2", "mobile2": ""},
            "mobile2",
            "formalization_phone_missing",
        ),
        ({"res_cep": "123"}, "res_cep", "invalid_cep"),
        ({"res_uf": "XX"}, "res_uf", "invalid_choice"),
        ({"income": "abc"}, "income", "invalid_amount"),
        (
            {"released_amount": "99.999,00", "requested_amount": "1.000,00"},
            "released_amount",
            "released_above_requested",
        ),
        ({"installments": "200"}, "installments", "installments_out_of_range"),
        ({"installments": "dez"}, "installments", "invalid_number"),
        ({"monthly_rate": "45"}, "monthly_rate", "rate_out_of_range"),
        ({"monthly_rate": "1,80", "cet_monthly": "1,20"}, "cet_monthly", "cet_below_rate"),
        ({"installment_value": "1,00"}, "installment_value", "installments_do_not_cover"),
        ({"first_due_date": "01/01/2000"}, "first_due_date", "first_due_date_invalid"),
        ({"agreement": "999999"}, "agreement", "unknown_agreement"),
        ({"product": "nope"}, "product", "unknown_product"),
        ({"branch": "777"}, "branch", "unknown_branch"),
        ({"email": "nao-e-email"}, "email", "invalid_email"),
        (
            {
                "has_attorney": True,
                "attorney_cpf": "",
                "attorney_name": "",
                "attorney_birth_date": "",
            },
            "attorney_cpf",
            "required",
        ),
        ({"copy_residential": False, "com_street": "Rua A"}, "com_cep", "required"),
    ],
)
def test_bad_field_gets_specific_code_and_nothing_is_saved(kit, make_input, overrides, field, code):
    with pytest.raises(ValidationFailed) as err:
        proposal_create(actor=kit.actor(), data=make_input(**overrides))

    assert _codes(err.value).get(field) == code
    message = next(f.message for f in err.value.fields if f.field == field)
    assert len(message) > 15 and message.endswith(".")  # a sentence a person can act on
    assert Proposal.objects.count() == 0
    assert Contact.objects.count() == 0
    assert ActivityChange.objects.count() == 0


def test_every_bad_field_is_reported_at_once(kit, make_input):
    with pytest.raises(ValidationFailed) as err:
        proposal_create(actor=kit.actor(), data=make_input(cpf="123", mobile="1", res_cep="9"))
    assert {"cpf", "mobile", "res_cep"} <= set(_codes(err.value))


def test_attorney_cannot_be_the_client(kit, make_input):
    data = make_input(
        has_attorney=True, attorney_name="Fulano de Tal", attorney_birth_date="01/01/1970"
    )
    data["attorney_cpf"] = data["cpf"]
    with pytest.raises(ValidationFailed) as err:
        proposal_create(actor=kit.actor(), data=data)
    assert _codes(err.value)["attorney_cpf"] == "attorney_is_beneficiary"


def test_duplicate_external_id_is_a_conflict(kit, make_input):
    proposal_create(actor=kit.api_actor(), data=make_input(external_id="ABC-1"))
    with pytest.raises(Conflict) as err:
        proposal_create(actor=kit.api_actor(), data=make_input(external_id="ABC-1"))
    assert err.value.code == "duplicate_external_id"
    assert Proposal.objects.count() == 1


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.ATTENDANT])
def test_roles_without_typing_permission_are_refused(kit, make_input, role):
    with pytest.raises(PermissionDenied):
        proposal_create(actor=kit.actor(role), data=make_input())
    assert Proposal.objects.count() == 0


def test_same_client_twice_reuses_the_contact(kit, make_input):
    first = proposal_create(actor=kit.actor(), data=make_input()).proposal
    data = make_input(cpf=first.cpf, name="Nome Atualizado da Silva")
    second = proposal_create(actor=kit.actor(), data=data).proposal
    assert first.contact_id == second.contact_id
    second.contact.refresh_from_db()
    assert second.contact.name == "Nome Atualizado da Silva"
