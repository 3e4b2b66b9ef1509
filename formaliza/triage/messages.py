"""The seed's message templates per list and their variables. Pure: no database."""

from __future__ import annotations

import string

from formaliza.triage.worklists import Worklist

VARIABLES = {
    "nome": "primeiro nome do cliente",
    "link_agendamento": "link de agendamento",
    "link_documentos": "link para envio dos documentos",
    "dados_pagamento": "link ou dados de pagamento (boleto/Pix)",
}

# Seed 004's "Modelo de mensagem" of each list, with its placeholders as variables.
DEFAULTS = {
    Worklist.RESCHEDULE: (
        "Olá {nome}, tudo bem? Verifiquei que o(a) Sr./Sra. não conseguiu comparecer ao "
        "agendamento. Para hoje ainda temos alguns horários disponíveis.\n{link_agendamento}"
    ),
    Worklist.DOCUMENTS: (
        "Olá, tudo bem?\nPara darmos continuidade ao agendamento da videoconferência para a "
        "emissão do seu certificado, por favor, envie a foto da sua CNH (e, caso precise, o "
        "contrato social).\nVocê pode enviar seus documentos através deste link: "
        "{link_documentos}\nAssim que recebermos os documentos, informarei os horários "
        "disponíveis para a videoconferência."
    ),
    Worklist.PAYMENT: (
        "Olá, tudo bem?\nCaso não tenha conseguido acessar o e-mail com o boleto, estou "
        "enviando as informações por aqui para facilitar: {dados_pagamento}\nSe preferir, "
        "também oferecemos a opção de pagamento via Pix.\nFico à disposição para qualquer "
        "dúvida!"
    ),
    Worklist.SCHEDULE: (
        "Olá, verificamos que o pagamento foi confirmado e os documentos estão em ordem, porém "
        "ainda não foi realizado o agendamento. Podemos marcar um horário hoje?\n"
        "{link_agendamento}"
    ),
}

# The link a WhatsApp template's {{2}} carries, per list.
LINK_OF = {
    Worklist.RESCHEDULE: "link_agendamento",
    Worklist.DOCUMENTS: "link_documentos",
    Worklist.PAYMENT: "dados_pagamento",
    Worklist.SCHEDULE: "link_agendamento",
}


def unknown_variables(body: str) -> list[str]:
    """Placeholders of `body` that are not variables; ValueError when braces are unbalanced."""
    names = [name for _, name, _, _ in string.Formatter().parse(body) if name is not None]
    return [name for name in names if name not in VARIABLES]


def render(body: str, values: dict[str, str]) -> str:
    return body.format_map({name: values.get(name, "") for name in VARIABLES}).strip()


# "Solicitar à contabilidade" (seed 004, documents list, step 3): the e-mail to the accountant.
ACCOUNTANT = (
    "Olá, tudo bem?\nSomos da emissão do certificado digital ({produto}) de {cliente}, pedido "
    "{pedido}. Para a videoconferência de emissão ainda faltam documentos da empresa (contrato "
    "social e documento do responsável). Pode nos ajudar a verificar as pendências e enviá-los "
    "por este link? {link_documentos}\nObrigado!"
)
