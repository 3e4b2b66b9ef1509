"""What the client reads: the default terms of use, the conditions snapshot and the contracts.

Contracts are Django templates written by the tenant (one per product, or the tenant's default,
or the built-in default). They are rendered by an isolated template engine (no file loaders, no
custom tags) with a context of plain pt-BR formatted strings — never model instances — so a
template can only print the proposal's data.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html as html_entities
import math
import re
from decimal import Decimal
from pathlib import Path

from django.template import Context, Engine, TemplateDoesNotExist, TemplateSyntaxError

from formaliza.core import br, clock
from formaliza.core.ids import sha256_hex
from formaliza.evidence.chain import canonical_json
from formaliza.proposals.models import Proposal

DEFAULT_CONTRACT_PATH = Path(__file__).parent / "templates/journeys/contracts/default.html"
DEFAULT_CONTRACT_TITLE = "Cédula de Crédito Bancário — Crédito Consignado"

DEFAULT_TERMS_TITLE = "Termos de uso da formalização digital"
DEFAULT_TERMS_BODY = """\
1. O que é este serviço. {empresa} usa esta página para que você confira e assine, pelo celular, \
os contratos de crédito consignado que você contratou por meio de um correspondente. As mensagens \
chegam pela conta comercial oficial de WhatsApp de {empresa}.

2. Assinatura eletrônica. Ao aceitar estes termos, você concorda que a sua assinatura nos \
contratos seja feita por meio eletrônico nesta página, sem certificado ICP-Brasil, e reconhece \
este meio como válido para comprovar a sua autoria e a sua concordância (Medida Provisória \
nº 2.200-2/2001, art. 10, § 2º, e Lei nº 14.063/2020). A assinatura fica vinculada a você pelo \
seu CPF, pelas fotos do seu documento e pela sua selfie, e ao link enviado para o seu WhatsApp.

3. O que registramos. Para provar a assinatura e evitar fraudes, registramos: data e hora de \
cada passo, endereço IP, modelo do navegador, o celular usado, as condições exibidas, a leitura \
de cada contrato até o fim, as fotos do documento e a selfie, e os códigos (hashes) que \
identificam cada documento. Esses registros formam um relatório de evidências anexado ao \
contrato assinado.

4. Seus dados. Seus dados pessoais e as imagens do seu rosto (dado pessoal sensível) são usados \
apenas para identificar você, prevenir fraudes e comprovar a contratação, conforme a Lei Geral \
de Proteção de Dados (Lei nº 13.709/2018). O acesso às imagens é restrito e registrado, e elas \
são guardadas só pelo tempo exigido por lei e pelo contrato.

5. Se algo estiver errado. Se alguma informação não estiver correta, não assine: toque em \
"Algo errado?" e um atendente vai entrar em contato. Você também pode falar conosco pelo mesmo \
WhatsApp a qualquer momento.
"""


def terms_sha256(*, title: str, body: str) -> str:
    """The hash the client's acceptance records: over exactly the text the page shows."""
    return sha256_hex(f"{title}\n\n{body}")


def default_terms_body(*, tenant_name: str) -> str:
    return DEFAULT_TERMS_BODY.format(empresa=tenant_name)


def default_contract_body() -> str:
    return DEFAULT_CONTRACT_PATH.read_text(encoding="utf-8")


# An engine of its own: autoescaped, no template directories, no app templates, no extra tags.
_ENGINE = Engine(dirs=[], app_dirs=False, autoescape=True, debug=False, libraries={})


def template_errors(body: str) -> list[str]:
    """pt-BR problems of a contract template (empty when it compiles)."""
    if not body.strip():
        return ["O modelo está vazio."]
    try:
        template = _ENGINE.from_string(body)
    except TemplateSyntaxError as exc:
        return [f"Erro de sintaxe no modelo: {exc}"]
    try:  # {% include %} and friends only fail when rendered
        template.render(Context({}, autoescape=True))
    except TemplateDoesNotExist:
        return ["O modelo não pode incluir outros arquivos: escreva o contrato inteiro nele."]
    return []


def contract_render(*, body: str, context: dict) -> str:
    return _ENGINE.from_string(body).render(Context(context, autoescape=True))


def _money(value: Decimal | None) -> str:
    return br.money_format(value) if value is not None else "—"


def _rate(value: Decimal | None) -> str:
    return br.percent_format(Decimal(value)) if value is not None else "—"


def _last_due(proposal: Proposal) -> dt.date:
    """The due date of the last installment: monthly from the first, same day of the month
    (the last day when a month is shorter)."""
    first = proposal.first_due_date
    months = first.month - 1 + proposal.installments - 1
    year, month = first.year + months // 12, months % 12 + 1
    return dt.date(year, month, min(first.day, calendar.monthrange(year, month)[1]))


def contract_context(*, proposal: Proposal, tenant_name: str, tenant_cnpj: str) -> dict:
    """The values a contract template may print (documented in docs/journeys.md)."""
    p = proposal
    address = f"{p.res_street}, {p.res_number}"
    if p.res_complement:
        address += f", {p.res_complement}"
    address += f" — {p.res_district}, {p.res_city}/{p.res_uf}, CEP {br.cep_format(p.res_cep)}"
    return {
        "empresa": {
            "nome": tenant_name,
            "cnpj": br.cnpj_format(tenant_cnpj) if tenant_cnpj else "",
        },
        "cliente": {
            "nome": p.name,
            "cpf": br.cpf_format(p.cpf),
            "nascimento": br.date_format(p.birth_date),
            "documento": f"{p.get_doc_type_display()} {p.doc_number} ({p.doc_issuer}/{p.doc_uf})",
            "mae": p.mother_name,
            "estado_civil": p.get_marital_status_display(),
            "nacionalidade": p.get_nationality_display(),
            "endereco": address,
            "celular": br.phone_format(p.formalization_phone),
            "email": p.email,
        },
        "proposta": {
            "numero": p.number,
            "produto": p.product.name,
            "convenio": p.agreement.name,
            "orgao": p.agency.name,
            "tipo_operacao": p.get_operation_type_display(),
            "matricula": p.registration,
            "beneficio": p.benefit_code,
        },
        "condicoes": {
            "valor_solicitado": _money(p.requested_amount),
            "valor_liberado": _money(p.released_amount),
            "valor_parcela": _money(p.installment_value),
            "parcelas": str(p.installments),
            "taxa_mensal": _rate(p.monthly_rate),
            "cet_mensal": _rate(p.cet_monthly),
            "cet_anual": _rate(p.cet_annual),
            "iof": _money(p.iof_amount),
            "primeiro_vencimento": br.date_format(p.first_due_date),
            "ultimo_vencimento": br.date_format(_last_due(p)),
        },
        "data_emissao": br.date_format(clock.today()),
    }


def conditions_snapshot(*, contexts: list[dict]) -> dict:
    """Exactly what the conditions page shows (label, value) for every proposal."""
    items = []
    for ctx in contexts:
        c, client, prop = ctx["condicoes"], ctx["cliente"], ctx["proposta"]
        items.append(
            {
                "numero": prop["numero"],
                "produto": prop["produto"],
                "condicoes": [
                    ["Valor solicitado", c["valor_solicitado"]],
                    ["Valor liberado para você", c["valor_liberado"]],
                    ["Parcelas", f"{c['parcelas']} × {c['valor_parcela']}"],
                    ["Taxa de juros", f"{c['taxa_mensal']} ao mês"],
                    [
                        "CET (custo efetivo total)",
                        f"{c['cet_mensal']} ao mês · {c['cet_anual']} ao ano",
                    ],
                    ["IOF", c["iof"]],
                    ["1º vencimento", c["primeiro_vencimento"]],
                    ["Último vencimento", c["ultimo_vencimento"]],
                ],
                "dados_pessoais": [
                    ["Nome", client["nome"]],
                    ["CPF", client["cpf"]],
                    ["Data de nascimento", client["nascimento"]],
                    ["Documento", client["documento"]],
                    ["Nome da mãe", client["mae"]],
                    ["Endereço", client["endereco"]],
                    ["Celular", client["celular"]],
                    ["Convênio", prop["convenio"]],
                    ["Matrícula / benefício", f"{prop['matricula']} / {prop['beneficio']}"],
                ],
            }
        )
    return {"version": 1, "propostas": items}


def snapshot_sha256(snapshot: dict) -> str:
    return sha256_hex(canonical_json(snapshot))


def conditions_items(proposal_snapshot: dict) -> tuple[tuple[str, str], ...]:
    """One proposal of the snapshot as the conditions page shows it, as (label, value) pairs in
    page order: its product, its conditions, then the client's data. The evidence report prints
    these, and their `formaliza.evidence.bundle.conditions_sha256` is recorded when the client
    confirms them."""
    items = [
        ("Contrato nº", proposal_snapshot["numero"]),
        ("Produto", proposal_snapshot["produto"]),
    ]
    items += [(label, value) for label, value in proposal_snapshot["condicoes"]]
    items += [(label, value) for label, value in proposal_snapshot["dados_pessoais"]]
    return tuple((str(label), str(value)) for label, value in items)


TAG = re.compile(r"<[^>]*>")


def contract_pages(html: str, *, words_per_page: int) -> int:
    """How many pages of reading a contract is, counted from the words the client sees (not
    from its PDF, which is rendered in the background and may not exist yet): the same HTML
    always gives the same count, so the reading floor it sets is reproducible from the
    evidence."""
    # Tags become spaces (a heading and the paragraph after it are two words, not one).
    words = len(html_entities.unescape(TAG.sub(" ", html)).split())
    return max(1, math.ceil(words / max(1, words_per_page)))
