"""pt-BR names of the journey's evidence event kinds: the back office timeline and the event log
of the sealed evidence report use the same words."""

EVENT_LABELS = {
    "journey.created": "Jornada aberta",
    "message.sent": "Mensagem enviada ao cliente",
    "message.failed": "Falha no envio da mensagem",
    "link.resent": "Link reenviado",
    "link.renewed": "Link renovado",
    "link.requested": "Cliente pediu link novo",
    "journey.opened": "Link aberto pelo cliente",
    "welcome.confirmed": "Boas-vindas confirmadas",
    "terms.accepted": "Termos aceitos",
    "conditions.confirmed": "Condições confirmadas",
    "issue.reported": "Cliente apontou algo errado",
    "issue.help_requested": "Cliente pediu ajuda pelo WhatsApp",
    "issue.resolved": "Pendência resolvida",
    "contracts.shown": "Contratos exibidos",
    "contract.read": "Contrato lido até o fim",
    "contracts.accepted": "Contratos aceitos",
    "capture.accepted": "Foto aceita",
    "capture.refused": "Foto recusada",
    "journey.signed": "Assinatura",
    "journey.expired": "Jornada expirada",
    "journey.cancelled": "Jornada cancelada",
    "evidence.sealed": "Documento final selado",
    "integrator.notified": "Integrador avisado (formalization.completed)",
}
