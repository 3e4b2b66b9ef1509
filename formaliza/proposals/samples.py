"""Realistic, valid typing-screen input (Faker pt_BR): the demo data and the tests use it."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from faker import Faker

from formaliza.accounts.models import Tenant
from formaliza.core import clock
from formaliza.proposals.choices import CatalogKind, Module
from formaliza.proposals.models import CatalogEntry

DEFAULT_CATALOG = [
    (CatalogKind.AGREEMENT, "902817", "INSS NOVO DIG 1,29%_2,08%", Module.INSS),
    (CatalogKind.AGREEMENT, "902900", "SIAPE DIGITAL", Module.FEDERAL),
    (CatalogKind.EMPLOYER, "000310", "INSS PREV", Module.INSS),
    (CatalogKind.EMPLOYER, "000450", "GOVERNO FEDERAL - SIAPE", Module.FEDERAL),
    (CatalogKind.AGENCY, "003310", "INSS PREV", Module.INSS),
    (CatalogKind.AGENCY, "004500", "MINISTÉRIO DA ECONOMIA", Module.FEDERAL),
    (CatalogKind.SALES_CHANNEL, "000007", "INDIRETO", ""),
    (CatalogKind.SALES_CHANNEL, "000001", "DIRETO", ""),
    (CatalogKind.PRODUCT, "001", "INSS NOVO DIGITAL", Module.INSS),
    (CatalogKind.PRODUCT, "002", "INSS REFIN DIGITAL", Module.INSS),
    (CatalogKind.PRODUCT, "003", "CARTÃO CONSIGNADO RMC", Module.INSS),
]


def catalog_install_defaults(*, tenant: Tenant) -> None:
    for kind, code, name, module in DEFAULT_CATALOG:
        CatalogEntry.objects.get_or_create(
            tenant=tenant, kind=kind, code=code, defaults={"name": name, "module": module}
        )


def mobile_number(rng: random.Random) -> str:
    ddd = rng.choice(["11", "21", "31", "41", "51", "61", "71", "81", "85", "92"])
    return f"({ddd}) 9{rng.randint(6000, 9999)}-{rng.randint(0, 9999):04d}"


def proposal_input(fake: Faker | None = None, **overrides: Any) -> dict[str, Any]:
    """A complete, valid input for services.proposal_create, as a person would type it."""
    fake = fake or Faker("pt_BR")
    rng = random.Random(fake.random.random())
    today = clock.today()
    born = fake.date_of_birth(minimum_age=55, maximum_age=80)
    released = rng.randrange(2_000, 40_000, 50)
    installments = rng.choice([48, 60, 72, 84, 96])
    rate = rng.choice(["1,66", "1,72", "1,80", "1,85"])
    installment = round(released * 0.0285, 2)
    data = {
        "module": "INSS",
        "agreement": "902817",
        "operator_name": fake.name(),
        "branch": "",
        "employer": "000310",
        "agency": "003310",
        "sales_channel": "000007",
        "product": "001",
        "operation_type": "NOVA",
        "certified_professional_cpf": "",
        "external_id": "",
        "cpf": fake.cpf(),
        "registration": str(rng.randint(100000, 999999)),
        "name": f"{fake.first_name()} {fake.last_name()} {fake.last_name()}",
        "birth_date": born.strftime("%d/%m/%Y"),
        "benefit_code": str(rng.randint(1_000_000_000, 9_999_999_999)),
        "doc_type": "RG",
        "doc_number": str(rng.randint(10_000_000, 99_999_999)),
        "doc_issuer": "SSP",
        "doc_issue_date": (born + dt.timedelta(days=365 * 20)).strftime("%d/%m/%Y"),
        "doc_uf": "SP",
        "sex": rng.choice(["F", "M"]),
        "marital_status": "SOLTEIRO",
        "nationality": "BRASILEIRA",
        "birthplace_city": fake.city(),
        "birthplace_uf": fake.estado_sigla(),
        "other_nationality": "",
        "mother_name": f"{fake.first_name_female()} {fake.last_name()}",
        "father_name": f"{fake.first_name_male()} {fake.last_name()}",
        "spouse_name": "",
        "income": f"{rng.randint(1_412, 8_000)},00",
        "assets_value": "",
        "is_pep": False,
        "consignable_margin": f"{installment * 1.2:.2f}".replace(".", ","),
        "rmc_value": "",
        "activity_branch": "Aposentado",
        "profession": "Aposentado",
        "email": "",
        "has_attorney": False,
        "attorney_public_deed": False,
        "attorney_cpf": "",
        "attorney_name": "",
        "attorney_birth_date": "",
        "res_uf": fake.estado_sigla(),
        "res_cep": fake.postcode(),
        "res_street": fake.street_name(),
        "res_number": str(fake.building_number()),
        "res_complement": "",
        "res_district": fake.bairro(),
        "res_city": fake.city(),
        "copy_residential": True,
        "landline": "",
        "mobile": mobile_number(rng),
        "mobile2": "",
        "formalization_phone_choice": "mobile",
        "requested_amount": f"{released + 500},00",
        "released_amount": f"{released},00",
        "installment_value": f"{installment:.2f}".replace(".", ","),
        "installments": installments,
        "monthly_rate": rate,
        "cet_monthly": "1,95",
        "cet_annual": "26,08",
        "iof_amount": f"{released * 0.0138:.2f}".replace(".", ","),
        "first_due_date": (today + dt.timedelta(days=40)).strftime("%d/%m/%Y"),
    }
    data.update(overrides)
    return data
