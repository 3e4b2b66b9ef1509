"""Roles and what each may do. One table, read by views, the API and tests."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Administrador"
    MANAGER = "manager", "Gerente"
    CORRESPONDENT = "correspondent", "Correspondente"
    OPERATOR = "operator", "Operador"
    ATTENDANT = "attendant", "Atendente"
    AGENT = "agent", "Agente de casos"


class Perm(models.TextChoices):
    PROPOSAL_VIEW = "proposal.view", "Ver propostas"
    PROPOSAL_VIEW_ALL_BRANCHES = "proposal.view_all_branches", "Ver propostas de todas as filiais"
    PROPOSAL_CREATE = "proposal.create", "Digitar propostas"
    PROPOSAL_DECIDE = "proposal.decide", "Decidir atividades"
    FORMALIZATION_CANCEL = "formalization.cancel", "Cancelar formalizações"
    WEBHOOK_VIEW = "webhook.view", "Ver entregas de webhooks"
    WEBHOOK_MANAGE = "webhook.manage", "Configurar webhooks"
    APIKEY_MANAGE = "apikey.manage", "Gerenciar chaves de API"
    USER_MANAGE = "user.manage", "Gerenciar usuários"
    CONVERSATION_VIEW = "conversation.view", "Ver conversas e recibos de entrega"
    CONVERSATION_REPLY = "conversation.reply", "Responder e encerrar conversas"
    CONVERSATION_SIMULATE = "conversation.simulate", "Usar o simulador de WhatsApp"
    MESSAGE_SEND = "message.send", "Enviar mensagens aos clientes"
    TEMPLATE_MANAGE = "template.manage", "Gerenciar modelos de mensagem"
    CHANNEL_MANAGE = "channel.manage", "Configurar canais (WhatsApp, SMS, e-mail)"
    JOURNEY_VIEW = "journey.view", "Ver jornadas de formalização"
    JOURNEY_MANAGE = "journey.manage", "Reenviar/renovar links e tratar pendências de jornadas"
    JOURNEY_IMAGES = "journey.images", "Ver fotos de documentos e selfies (acesso registrado)"
    JOURNEY_CONTENT = "journey.content", "Editar termos de uso e modelos de contrato"
    EVIDENCE_VIEW = "evidence.view", "Ver documentos selados"
    EVIDENCE_DOWNLOAD = "evidence.download", "Baixar documentos selados (acesso registrado)"
    EVIDENCE_RETRY = "evidence.retry", "Repetir selagens que falharam"
    FLOW_VIEW = "flow.view", "Ver fluxos do chatbot e seus diagramas"
    FLOW_MANAGE = "flow.manage", "Importar, publicar e reverter fluxos do chatbot"
    HISTORY_VIEW = "history.view", "Consultar o histórico de conversas (anexos: acesso registrado)"
    HISTORY_LABELS = "history.labels", "Configurar os status de finalização (etiquetas)"
    PORTAL_SEND = "portal.send", "Enviar modelos pelo portal de envio"
    # --- cases (legal-claim agents; docs/cases.md) ---
    CASE_VIEW = "case.view", "Ver casos e clientes (os seus; com case.view_all, os de todos)"
    CASE_WORK = "case.work", "Calcular, cadastrar clientes, anexar documentos e pedir atermação"
    CASE_VIEW_ALL = "case.view_all", "Ver os casos e clientes de todos os agentes"
    CASE_REVIEW = "case.review", "Aprovar ou rejeitar documentos de clientes"
    CASE_FILING = "case.filing", "Tratar a fila de atermação e registrar protocolos"
    CASE_SETTINGS = "case.settings", "Configurar os tipos de documento dos casos"
    # --- contact base, digital acceptance, AR digital (docs/contacts.md) ---
    CONTACT_VIEW = "contact.view", "Consultar a base de contatos (perfil, documentos, atividades)"
    CONTACT_SEND = "contact.send", "Enviar kits de aceite e reenviar documentos e mensagens"
    CONTACT_DOWNLOAD = "contact.download", "Baixar e desarquivar documentos de contatos"
    # --- triage of certificate orders (docs/triage.md) ---
    TRIAGE_VIEW = "triage.view", "Ver as listas da triagem e os pedidos de certificado"
    TRIAGE_WORK = "triage.work", "Ligar, enviar mensagens e registrar resultados na triagem"
    TRIAGE_MANAGE = "triage.manage", "Importar pedidos e configurar modelos e horários da triagem"


ROLE_PERMS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(Perm.values),
    Role.MANAGER: frozenset(
        {
            Perm.PROPOSAL_VIEW,
            Perm.PROPOSAL_VIEW_ALL_BRANCHES,
            Perm.PROPOSAL_CREATE,
            Perm.PROPOSAL_DECIDE,
            Perm.FORMALIZATION_CANCEL,
            Perm.WEBHOOK_VIEW,
            Perm.CONVERSATION_VIEW,
            Perm.CONVERSATION_REPLY,
            Perm.CONVERSATION_SIMULATE,
            Perm.MESSAGE_SEND,
            Perm.TEMPLATE_MANAGE,
            Perm.JOURNEY_VIEW,
            Perm.JOURNEY_MANAGE,
            Perm.JOURNEY_IMAGES,
            Perm.JOURNEY_CONTENT,
            Perm.EVIDENCE_VIEW,
            Perm.EVIDENCE_DOWNLOAD,
            Perm.EVIDENCE_RETRY,
            Perm.FLOW_VIEW,
            Perm.FLOW_MANAGE,
            Perm.HISTORY_VIEW,
            Perm.HISTORY_LABELS,
            Perm.PORTAL_SEND,
        }
    ),
    # Correspondents type and advance proposals; with a branch they see only their branch's.
    # They consult their clients' conversation history and, when the automatic link fails,
    # send an approved template by hand (the seed's MKTZAP history and "Portal de Envio"); they
    # do not send free messages (no `message.send`): the portal sends on their behalf.
    Role.CORRESPONDENT: frozenset(
        {
            Perm.PROPOSAL_VIEW,
            Perm.PROPOSAL_CREATE,
            Perm.PROPOSAL_DECIDE,
            Perm.CONVERSATION_VIEW,
            Perm.HISTORY_VIEW,
            Perm.PORTAL_SEND,
        }
    ),
    # Operators follow up clients (triage): they read the pipeline, they do not decide it.
    # They also follow journeys (resend/renew links, "Algo errado?" tasks) without seeing photos.
    Role.OPERATOR: frozenset(
        {
            Perm.PROPOSAL_VIEW,
            Perm.PROPOSAL_VIEW_ALL_BRANCHES,
            Perm.CONVERSATION_VIEW,
            Perm.CONVERSATION_REPLY,
            Perm.MESSAGE_SEND,
            Perm.JOURNEY_VIEW,
            Perm.JOURNEY_MANAGE,
            Perm.FLOW_VIEW,
            Perm.HISTORY_VIEW,
            Perm.PORTAL_SEND,
        }
    ),
    # Attendants work the conversations inbox only.
    Role.ATTENDANT: frozenset({Perm.CONVERSATION_VIEW, Perm.CONVERSATION_REPLY, Perm.MESSAGE_SEND}),
    # Legal-claim agents (seed 001) work their own clients and cases only; they review the
    # documents their clients send. They touch no pipeline and send no free messages.
    Role.AGENT: frozenset({Perm.CASE_VIEW, Perm.CASE_WORK, Perm.CASE_REVIEW}),
}
# Cases: the tenant's staff (managers, operators) see every agent's cases and work the filing
# queue; managers also review documents and configure the document types.
ROLE_PERMS[Role.MANAGER] |= {
    Perm.CASE_VIEW, Perm.CASE_VIEW_ALL, Perm.CASE_REVIEW, Perm.CASE_FILING, Perm.CASE_SETTINGS,
}  # fmt: skip
ROLE_PERMS[Role.OPERATOR] |= {
    Perm.CASE_VIEW, Perm.CASE_VIEW_ALL, Perm.CASE_REVIEW, Perm.CASE_FILING,
}  # fmt: skip
# The contact base: operators and managers consult it, send kits and resend; admins have all.
ROLE_PERMS[Role.MANAGER] |= {Perm.CONTACT_VIEW, Perm.CONTACT_SEND, Perm.CONTACT_DOWNLOAD}
ROLE_PERMS[Role.OPERATOR] |= {Perm.CONTACT_VIEW, Perm.CONTACT_SEND, Perm.CONTACT_DOWNLOAD}
# Triage (seed 004): operators work the lists; managers also import and configure.
ROLE_PERMS[Role.OPERATOR] |= {Perm.TRIAGE_VIEW, Perm.TRIAGE_WORK}
ROLE_PERMS[Role.MANAGER] |= {Perm.TRIAGE_VIEW, Perm.TRIAGE_WORK, Perm.TRIAGE_MANAGE}

# What an integrator's API key may do on its tenant.
API_KEY_PERMS = frozenset(
    {
        Perm.PROPOSAL_VIEW,
        Perm.PROPOSAL_VIEW_ALL_BRANCHES,
        Perm.PROPOSAL_CREATE,
        Perm.PROPOSAL_DECIDE,
        Perm.CASE_VIEW,
        Perm.CASE_WORK,
        Perm.CASE_VIEW_ALL,
        Perm.CASE_REVIEW,
        Perm.CASE_FILING,
        # Flows as code: an integrator versions its chatbot flows in its own repository and
        # imports, publishes and rolls them back through the API (issue 12).
        Perm.FLOW_VIEW,
        Perm.FLOW_MANAGE,
        # Conversations: an integrator's CRM reads them, sends inside the window or a
        # template, hands off to a department and closes (no simulator, no channel setup).
        Perm.CONVERSATION_VIEW,
        Perm.CONVERSATION_REPLY,
        Perm.MESSAGE_SEND,
        # History: search and transcripts (an integrator archiving its conversations).
        Perm.HISTORY_VIEW,
        # Its own webhook subscriptions: create, rotate the secret, follow and retry deliveries.
        Perm.WEBHOOK_VIEW,
        Perm.WEBHOOK_MANAGE,
        Perm.CONTACT_VIEW,
        # Triage: the sales system sends and updates its certificate orders, reads the lists
        # and records contacts made from its own tools.
        Perm.TRIAGE_VIEW,
        Perm.TRIAGE_WORK,
        Perm.TRIAGE_MANAGE,
    }
)


def role_has(role: str, perm: str) -> bool:
    return perm in ROLE_PERMS.get(role, frozenset())
