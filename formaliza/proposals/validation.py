"""Turn typed input (from the form or the API) into a proposal's column values, or report every
problem at once with a stable code and a pt-BR message per field. Nothing is written here."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from formaliza.accounts.models import Branch, Tenant
from formaliza.core import br, clock
from formaliza.core.errors import FieldErrors
from formaliza.proposals import choices as c
from formaliza.proposals.fields import SPECS, Spec
from formaliza.proposals.models import CatalogEntry

MAX_INSTALLMENTS = 120
MAX_MONTHLY_RATE = Decimal("30")
ADULT_AGE = 18
MAX_AGE = 110
MONEY_LIMIT = Decimal("999999999.99")


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class _Normalizer:
    """Per-kind parsing shared by every field of that kind."""

    def __init__(self, tenant: Tenant, errors: FieldErrors):
        self.tenant = tenant
        self.errors = errors
        self.catalog = {
            (e.kind, e.code): e for e in CatalogEntry.objects.filter(tenant=tenant, is_active=True)
        }
        self.branches = {b.code: b for b in Branch.objects.filter(tenant=tenant)}

    def __call__(self, spec: Spec, value: Any) -> Any:
        handler = getattr(self, f"_{spec.kind}")
        return handler(spec, value)

    def _text(self, spec: Spec, value: Any) -> str:
        text = re.sub(r"\s+", " ", str(value)).strip()
        if len(text) > spec.max_length:
            self.errors.add(
                spec.name, "too_long", f"{spec.label}: no máximo {spec.max_length} caracteres."
            )
        return text

    def _email(self, spec: Spec, value: Any) -> str:
        text = str(value).strip().lower()
        try:
            validate_email(text)
        except ValidationError:
            self.errors.add(
                spec.name, "invalid_email", "Informe um e-mail válido, como nome@exemplo.com."
            )
        return text

    def _cpf(self, spec: Spec, value: Any) -> str:
        cpf = br.cpf_normalize(str(value))
        if cpf is None:
            self.errors.add(
                spec.name, "invalid_cpf", f"{spec.label} inválido: confira os 11 dígitos."
            )
            return ""
        return cpf

    def _date(self, spec: Spec, value: Any) -> dt.date | None:
        if isinstance(value, dt.date):
            return value
        for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                return dt.datetime.strptime(str(value).strip(), fmt).date()  # noqa: DTZ007
            except ValueError:
                continue
        self.errors.add(
            spec.name, "invalid_date", f"{spec.label}: use uma data válida no formato dd/mm/aaaa."
        )
        return None

    def _money(self, spec: Spec, value: Any) -> Decimal | None:
        amount = br.money_parse(value)
        if amount is None or amount < 0 or amount > MONEY_LIMIT:
            self.errors.add(
                spec.name,
                "invalid_amount",
                f"{spec.label}: informe um valor em reais, como 1.234,56.",
            )
            return None
        return amount.quantize(Decimal("0.01"))

    def _rate(self, spec: Spec, value: Any) -> Decimal | None:
        rate = br.money_parse(value)
        if rate is None or rate < 0 or rate > Decimal("999"):
            self.errors.add(
                spec.name, "invalid_rate", f"{spec.label}: informe um percentual, como 1,80."
            )
            return None
        return rate.quantize(Decimal("0.0001"))

    def _int(self, spec: Spec, value: Any) -> int | None:
        try:
            return int(str(value).strip())
        except ValueError:
            self.errors.add(
                spec.name, "invalid_number", f"{spec.label}: informe um número inteiro."
            )
            return None

    def _bool(self, spec: Spec, value: Any) -> bool:
        if isinstance(value, str):
            return value.strip().lower() in {"1", "true", "on", "sim", "yes"}
        return bool(value)

    def _choice(self, spec: Spec, value: Any) -> str:
        text = str(value).strip()
        if text not in {key for key, _ in spec.choices}:
            self.errors.add(
                spec.name, "invalid_choice", f"{spec.label}: escolha uma das opções da lista."
            )
        return text

    def _phone(self, spec: Spec, value: Any) -> br.Phone | None:
        phone = br.phone_parse(str(value))
        if phone is None:
            self.errors.add(
                spec.name,
                "invalid_phone",
                f"{spec.label}: informe DDD e número, como (11) 98765-4321.",
            )
        return phone

    def _cep(self, spec: Spec, value: Any) -> str:
        cep = br.cep_normalize(str(value))
        if cep is None:
            self.errors.add(spec.name, "invalid_cep", f"{spec.label}: o CEP tem 8 dígitos.")
            return ""
        return cep

    def _catalog(self, spec: Spec, value: Any) -> CatalogEntry | None:
        entry = self.catalog.get((spec.catalog, str(value).strip()))
        if entry is None:
            self.errors.add(
                spec.name, f"unknown_{spec.catalog}", f"{spec.label}: código não cadastrado."
            )
        return entry

    def _branch(self, spec: Spec, value: Any) -> Branch | None:
        branch = self.branches.get(str(value).strip())
        if branch is None:
            self.errors.add(spec.name, "unknown_branch", "Filial não cadastrada nesta empresa.")
        return branch


def _normalize(tenant: Tenant, data: dict[str, Any], errors: FieldErrors) -> dict[str, Any]:
    normalize = _Normalizer(tenant, errors)
    values: dict[str, Any] = {}
    for spec in SPECS:
        raw = data.get(spec.name)
        if spec.kind == "bool":
            values[spec.name] = normalize(spec, raw) if raw is not None else False
            continue
        if _is_blank(raw):
            if spec.required:
                errors.add(spec.name, "required", f"{spec.label}: campo obrigatório.")
            values[spec.name] = None
            continue
        values[spec.name] = normalize(spec, raw)
    return values


def _check_beneficiary(v: dict[str, Any], errors: FieldErrors) -> None:
    today = clock.today()
    if v["name"] and len(v["name"].split()) < 2:
        errors.add("name", "name_incomplete", "Nome: informe nome e sobrenome completos.")
    born = v["birth_date"]
    if born and not (ADULT_AGE <= _age(born, today) <= MAX_AGE):
        errors.add(
            "birth_date",
            "birth_date_out_of_range",
            "Dt. nasc.: o cliente precisa ter entre 18 e 110 anos.",
        )
    issued = v["doc_issue_date"]
    if issued and (issued > today or (born and issued < born)):
        errors.add(
            "doc_issue_date",
            "doc_issue_date_invalid",
            "Dt. emissão: a data não pode ser futura nem anterior ao nascimento.",
        )
    if v["module"] == c.Module.INSS and not errors.has("module"):
        benefit = br.only_digits(v["benefit_code"] or "")
        if len(benefit) != 10:
            errors.add(
                "benefit_code",
                "benefit_code_invalid",
                "Cód. benefício: no INSS o número do benefício tem 10 dígitos.",
            )
        v["benefit_code"] = benefit
    if (
        v["marital_status"] in (c.MaritalStatus.CASADO, c.MaritalStatus.UNIAO_ESTAVEL)
        and not v["spouse_name"]
    ):
        errors.add(
            "spouse_name",
            "spouse_required",
            "Nome do cônjuge: obrigatório para casados ou em união estável.",
        )
    if v["nationality"] == c.Nationality.ESTRANGEIRA and not v["other_nationality"]:
        errors.add(
            "other_nationality",
            "other_nationality_required",
            "Outra nacionalidade: informe o país.",
        )
    if v["nationality"] == c.Nationality.BRASILEIRA:
        for name, label in (("birthplace_city", "Naturalidade"), ("birthplace_uf", "UF nat.")):
            if not v[name]:
                errors.add(name, "required", f"{label}: obrigatório para brasileiros.")


def _check_attorney(v: dict[str, Any], errors: FieldErrors) -> None:
    if not v["has_attorney"]:
        for name in ("attorney_cpf", "attorney_name", "attorney_birth_date"):
            v[name] = None
        v["attorney_public_deed"] = False
        return
    for name, label in (
        ("attorney_cpf", "CPF do procurador"),
        ("attorney_name", "Nome do procurador"),
        ("attorney_birth_date", "Dt. nasc. do procurador"),
    ):
        if v[name] is None and not errors.has(name):
            errors.add(name, "required", f"{label}: obrigatório quando há procurador.")
    if v["attorney_cpf"] and v["attorney_cpf"] == v["cpf"]:
        errors.add(
            "attorney_cpf",
            "attorney_is_beneficiary",
            "O procurador não pode ser o próprio cliente.",
        )
    born = v["attorney_birth_date"]
    if born and _age(born, clock.today()) < ADULT_AGE:
        errors.add(
            "attorney_birth_date", "attorney_minor", "O procurador precisa ser maior de idade."
        )


_ADDRESS_PARTS = ("uf", "cep", "street", "number", "complement", "district", "city")
_ADDRESS_REQUIRED = ("uf", "cep", "street", "number", "district", "city")


def _check_addresses(v: dict[str, Any], errors: FieldErrors) -> None:
    if v["copy_residential"]:
        for part in _ADDRESS_PARTS:
            v[f"com_{part}"] = v[f"res_{part}"]
        return
    given = [part for part in _ADDRESS_PARTS if v[f"com_{part}"]]
    if given:
        for part in _ADDRESS_REQUIRED:
            name = f"com_{part}"
            if not v[name] and not errors.has(name):
                errors.add(
                    name,
                    "required",
                    "Endereço comercial: preencha o endereço completo ou deixe-o em branco.",
                )


def _check_phones(v: dict[str, Any], errors: FieldErrors) -> None:
    for name in ("mobile", "mobile2"):
        phone = v[name]
        if phone is not None and not phone.is_mobile:
            errors.add(
                name,
                "not_a_mobile",
                "Informe um celular (com o 9 na frente), não um telefone fixo.",
            )
    choice = v["formalization_phone_choice"]
    if (
        choice == c.FormalizationPhone.MOBILE2
        and v["mobile2"] is None
        and not errors.has("mobile2")
    ):
        errors.add(
            "mobile2",
            "formalization_phone_missing",
            "O celular 2 foi marcado como celular de formalização, mas está vazio.",
        )
    chosen = v.get(choice) if choice in ("mobile", "mobile2") else None
    v["formalization_phone"] = chosen.e164 if chosen is not None and chosen.is_mobile else None
    for name in ("landline", "mobile", "mobile2"):
        v[name] = v[name].e164 if isinstance(v[name], br.Phone) else None


def _check_financials(v: dict[str, Any], errors: FieldErrors) -> None:
    positive = ("requested_amount", "released_amount", "installment_value", "income")
    for name in positive:
        if v[name] is not None and v[name] <= 0:
            errors.add(name, "must_be_positive", "Informe um valor maior que zero.")
    if (
        v["requested_amount"]
        and v["released_amount"]
        and v["released_amount"] > v["requested_amount"]
    ):
        errors.add(
            "released_amount",
            "released_above_requested",
            "O valor liberado não pode ser maior que o solicitado.",
        )
    count = v["installments"]
    if count is not None and not (1 <= count <= MAX_INSTALLMENTS):
        errors.add(
            "installments",
            "installments_out_of_range",
            f"Quantidade de parcelas: de 1 a {MAX_INSTALLMENTS}.",
        )
    rate = v["monthly_rate"]
    if rate is not None and not (0 < rate <= MAX_MONTHLY_RATE):
        errors.add(
            "monthly_rate", "rate_out_of_range", "Taxa mensal: maior que zero e até 30% a.m."
        )
    if rate is not None and v["cet_monthly"] is not None and v["cet_monthly"] < rate:
        errors.add(
            "cet_monthly",
            "cet_below_rate",
            "O CET mensal inclui a taxa de juros e não pode ser menor que ela.",
        )
    if (
        v["cet_annual"] is not None
        and v["cet_monthly"] is not None
        and v["cet_annual"] < v["cet_monthly"]
    ):
        errors.add(
            "cet_annual", "cet_annual_below_monthly", "O CET anual não pode ser menor que o mensal."
        )
    comparable = v["installment_value"] and count and v["released_amount"]
    if (
        comparable
        and not errors.has("installments")
        and v["installment_value"] * count < v["released_amount"]
    ):
        errors.add(
            "installment_value",
            "installments_do_not_cover",
            "As parcelas somadas não cobrem o valor liberado.",
        )
    first_due = v["first_due_date"]
    today = clock.today()
    if first_due and not (today < first_due <= today + dt.timedelta(days=366)):
        errors.add(
            "first_due_date",
            "first_due_date_invalid",
            "1º vencimento: uma data futura, em até um ano.",
        )


def proposal_input_validate(*, tenant: Tenant, data: dict[str, Any]) -> dict[str, Any]:
    """The proposal's column values from typed input, or ValidationFailed listing every problem."""
    errors = FieldErrors()
    values = _normalize(tenant, data, errors)
    _check_beneficiary(values, errors)
    _check_attorney(values, errors)
    _check_addresses(values, errors)
    _check_phones(values, errors)
    _check_financials(values, errors)
    errors.raise_if_any()
    stored = {spec.name for spec in SPECS if spec.stored} | {"formalization_phone"}
    row = {k: v for k, v in values.items() if k in stored}
    for key, value in row.items():  # text columns are NOT NULL: blank is ""
        if value is None and key not in _NULLABLE:
            row[key] = ""
    return row


_NULLABLE = {
    "assets_value", "rmc_value", "cet_annual", "attorney_birth_date", "branch",
}  # fmt: skip
