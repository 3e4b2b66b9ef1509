"""The ERPs of seed 003 and what we implemented for each, with the documentation used. The
card picker and docs/erp.md read this: an ERP without public API documentation has no
connector (never one that pretends)."""

from __future__ import annotations

from dataclasses import dataclass

from formaliza.erp.ports import Action


@dataclass(frozen=True)
class ErpInfo:
    kind: str
    name: str
    seed_actions: frozenset[Action]  # what seed 003 lists for it
    implemented: frozenset[Action]  # what our connector does
    source: str  # documentation used, or why there is no connector


CATALOG = (
    ErpInfo(
        "hubsoft", "Hubsoft", frozenset({Action.INVOICE, Action.DIAGNOSIS}),
        frozenset({Action.INVOICE, Action.TRUST_UNLOCK}),
        "github.com/hubsoftbrasil/api (docs/source: autenticacao, clientes/consulta, "
        "clientes/financeiro, clientes/desbloqueio_confianca)",
    ),
    ErpInfo(
        "ixc", "IXC Provedor",
        frozenset({Action.INVOICE, Action.TRUST_UNLOCK, Action.DIAGNOSIS, Action.TICKET,
                   Action.WIFI}),
        frozenset({Action.INVOICE, Action.TRUST_UNLOCK, Action.DIAGNOSIS, Action.TICKET}),
        "webservice/v1 (coleção Postman “API - IXC Provedor”, wikiapiprovedor.ixcsoft.com.br): "
        "Basic user:token, ixcsoft: listar; cliente, cliente_contrato, fn_areceber, get_pix, "
        "desbloqueio_confianca, radusuarios, su_ticket_setor, su_oss_assunto, su_ticket. "
        "Wi-Fi pelo ACS: sem documentação pública encontrada",
    ),
    ErpInfo(
        "sgp", "SGP", frozenset({Action.INVOICE, Action.TRUST_UNLOCK}),
        frozenset({Action.INVOICE, Action.TRUST_UNLOCK, Action.WIFI}),
        "API URA do SGP (coleção Postman): token+app em formulário; consultacliente, "
        "fatura2via (nao_gerar_os), liberacaopromessa, cpemanage (Wi-Fi)",
    ),
    ErpInfo(
        "mk_solutions", "MK-Solutions",
        frozenset({Action.INVOICE, Action.TRUST_UNLOCK, Action.DIAGNOSIS}),
        frozenset({Action.INVOICE, Action.TRUST_UNLOCK, Action.DIAGNOSIS}),
        "MK30 “APIs gerais” (mkloud.atlassian.net): WSAutenticacao, WSMKConsultaDoc, "
        "WSMKConexoesPorCliente, WSMKFaturasPendentes, WSMKSegundaViaCobranca, WSMKLDViaSMS, "
        "WSMKRetornarCopieColaPix, WSMKAutoDesbloqueio",
    ),
    ErpInfo("beesweb", "Beesweb", frozenset({Action.INVOICE, Action.TRUST_UNLOCK}), frozenset(),
            "sem documentação pública de API encontrada"),
    ErpInfo("adapter", "Adapter", frozenset({Action.INVOICE, Action.TRUST_UNLOCK}), frozenset(),
            "sem documentação pública de API encontrada"),
    ErpInfo("mk_auth", "MK-Auth", frozenset({Action.INVOICE}), frozenset(),
            "mini API do MK-Auth (token do provedor) — conector ainda não feito"),
    ErpInfo("synsuite", "Synsuite", frozenset({Action.INVOICE, Action.TRUST_UNLOCK}),
            frozenset(), "sem documentação pública de API encontrada"),
    ErpInfo("controllr", "Controllr", frozenset({Action.INVOICE, Action.DIAGNOSIS}),
            frozenset(), "sem documentação pública de API encontrada"),
    ErpInfo("routerbox", "RouterBox", frozenset({Action.INVOICE}), frozenset(),
            "sem documentação pública de API encontrada"),
    ErpInfo("sami", "Sami Sistemas", frozenset({Action.INVOICE}), frozenset(),
            "sem documentação pública de API encontrada"),
)  # fmt: skip
