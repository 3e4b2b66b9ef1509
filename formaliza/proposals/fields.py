"""The typing screen's fields, declared once.

The back-office form, the API's input schema and the service's generic checks (required, length,
choices) are all built from this list; the rules that relate fields to each other live in
`validation.py`. Names are the model's column names (phones and CPFs arrive as typed and are
normalized by the service).
"""

from __future__ import annotations

from dataclasses import dataclass

from formaliza.core.br import UF_CHOICES
from formaliza.proposals import choices as c


@dataclass(frozen=True)
class Spec:
    name: str
    label: str
    kind: str  # text cpf date money rate int bool choice phone cep catalog branch email
    required: bool = False
    max_length: int = 120
    choices: tuple[tuple[str, str], ...] = ()
    catalog: str = ""  # for kind == "catalog"
    help: str = ""
    stored: bool = True  # False for inputs that only steer the service (copy address)


def _ch(choices_cls) -> tuple[tuple[str, str], ...]:
    return tuple(choices_cls.choices)


UF = tuple(UF_CHOICES)

SECTIONS: list[tuple[str, list[Spec]]] = [
    (
        "Operação",
        [
            Spec("module", "Módulo", "choice", True, choices=_ch(c.Module)),
            Spec("agreement", "Convênio", "catalog", True, catalog=c.CatalogKind.AGREEMENT),
            Spec("operator_name", "Operador", "text", max_length=120),
            Spec("branch", "Filial", "branch"),
            Spec("employer", "Empregador", "catalog", True, catalog=c.CatalogKind.EMPLOYER),
            Spec("agency", "Órgão", "catalog", True, catalog=c.CatalogKind.AGENCY),
            Spec(
                "sales_channel",
                "Canal de venda",
                "catalog",
                True,
                catalog=c.CatalogKind.SALES_CHANNEL,
            ),
            Spec("product", "Produto", "catalog", True, catalog=c.CatalogKind.PRODUCT),
            Spec(
                "operation_type", "Tipo de operação", "choice", True, choices=_ch(c.OperationType)
            ),
            Spec("certified_professional_cpf", "CPF profissional certificado", "cpf"),
            Spec("external_id", "Código no sistema de origem", "text", max_length=64),
        ],
    ),
    (
        "Dados do Beneficiário",
        [
            Spec("cpf", "CPF", "cpf", True),
            Spec("registration", "Matrícula", "text", max_length=30),
            Spec("name", "Nome", "text", True, max_length=150),
            Spec("birth_date", "Dt. nasc.", "date", True),
            Spec(
                "benefit_code",
                "Cód. benefício",
                "text",
                max_length=20,
                help="Obrigatório no INSS (10 dígitos).",
            ),
            Spec("doc_type", "Tp. doc.", "choice", True, choices=_ch(c.DocType)),
            Spec("doc_number", "Documento", "text", True, max_length=30),
            Spec("doc_issuer", "Órgão emissor", "text", True, max_length=20),
            Spec("doc_issue_date", "Dt. emissão", "date", True),
            Spec("doc_uf", "UF do doc.", "choice", True, choices=UF),
            Spec("sex", "Sexo", "choice", True, choices=_ch(c.Sex)),
            Spec("marital_status", "Estado civil", "choice", True, choices=_ch(c.MaritalStatus)),
            Spec("nationality", "Nacionalidade", "choice", True, choices=_ch(c.Nationality)),
            Spec("birthplace_city", "Naturalidade", "text", max_length=80),
            Spec("birthplace_uf", "UF nat.", "choice", choices=UF),
            Spec("other_nationality", "Outra nacionalidade", "text", max_length=60),
            Spec("mother_name", "Mãe", "text", True, max_length=150),
            Spec("father_name", "Pai", "text", max_length=150),
            Spec("spouse_name", "Nome do cônjuge", "text", max_length=150),
            Spec("income", "Renda", "money", True),
            Spec("assets_value", "Valor patrimonial", "money"),
            Spec("is_pep", "Pessoa politicamente exposta (PPE)", "bool"),
            Spec("consignable_margin", "Margem consig.", "money", True),
            Spec("rmc_value", "Valor RMC", "money"),
            Spec("activity_branch", "Ramo de atividade", "text", max_length=80),
            Spec("profession", "Tipo de profissão", "text", max_length=80),
            Spec("email", "E-mail", "email", max_length=254),
        ],
    ),
    (
        "Dados do Procurador",
        [
            Spec("has_attorney", "Cliente representado por procurador", "bool"),
            Spec("attorney_public_deed", "Procuração pública", "bool"),
            Spec("attorney_cpf", "CPF do procurador", "cpf"),
            Spec("attorney_name", "Nome do procurador", "text", max_length=150),
            Spec("attorney_birth_date", "Dt. nasc. do procurador", "date"),
        ],
    ),
    (
        "Endereço residencial",
        [
            Spec("res_uf", "UF", "choice", True, choices=UF),
            Spec("res_cep", "CEP", "cep", True),
            Spec("res_street", "Endereço", "text", True, max_length=150),
            Spec("res_number", "Número", "text", True, max_length=10),
            Spec("res_complement", "Complemento", "text", max_length=60),
            Spec("res_district", "Bairro", "text", True, max_length=80),
            Spec("res_city", "Cidade", "text", True, max_length=80),
            Spec(
                "copy_residential",
                "Copiar endereço residencial para endereço comercial",
                "bool",
                stored=False,
            ),
        ],
    ),
    (
        "Endereço comercial",
        [
            Spec("com_uf", "UF", "choice", choices=UF),
            Spec("com_cep", "CEP", "cep"),
            Spec("com_street", "Endereço", "text", max_length=150),
            Spec("com_number", "Número", "text", max_length=10),
            Spec("com_complement", "Complemento", "text", max_length=60),
            Spec("com_district", "Bairro", "text", max_length=80),
            Spec("com_city", "Cidade", "text", max_length=80),
        ],
    ),
    (
        "Telefones",
        [
            Spec("landline", "Tel. resid. (com DDD)", "phone"),
            Spec("mobile", "Celular (com DDD)", "phone", True),
            Spec("mobile2", "Celular 2 (com DDD)", "phone"),
            Spec(
                "formalization_phone_choice",
                "Celular de formalização",
                "choice",
                True,
                choices=_ch(c.FormalizationPhone),
                help="O link de assinatura vai por WhatsApp para este número.",
            ),
        ],
    ),
    (
        "Condições financeiras",
        [
            Spec("requested_amount", "Valor solicitado", "money", True),
            Spec("released_amount", "Valor liberado", "money", True),
            Spec("installment_value", "Valor da parcela", "money", True),
            Spec("installments", "Quantidade de parcelas", "int", True),
            Spec("monthly_rate", "Taxa mensal (% a.m.)", "rate", True),
            Spec("cet_monthly", "CET mensal (% a.m.)", "rate", True),
            Spec("cet_annual", "CET anual (% a.a.)", "rate"),
            Spec("iof_amount", "IOF", "money", True),
            Spec("first_due_date", "1º vencimento", "date", True),
        ],
    ),
]

SPECS: list[Spec] = [spec for _, specs in SECTIONS for spec in specs]
SPEC_BY_NAME: dict[str, Spec] = {spec.name: spec for spec in SPECS}
