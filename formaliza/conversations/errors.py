"""Errors of the conversation layer: what callers get when a send is refused (a stable code and a
pt-BR reason), and what each provider error code means for operators and for retries."""

from __future__ import annotations

from formaliza.core.errors import ApplicationError, FieldError


class MessageRefused(ApplicationError):
    """A gate refused the message before any provider call; nothing was written."""

    def __init__(self, code: str, message: str, **extra):
        super().__init__(code=code, message=message, status=409, extra=extra)


class InvalidContent(ApplicationError):
    """The message itself is malformed (template variables, choice titles, sizes)."""

    def __init__(self, message: str, *, code: str = "invalid_content", field: str = ""):
        fields = [FieldError(field, code, message)] if field else []
        super().__init__(code=code, message=message, status=422, fields=fields)


# Meta Cloud API codes (and ours) -> (retryable, pt-BR explanation for operators).
# Rate limits, upgrades in progress and Meta-side failures are worth retrying later; everything
# else says "this message, as it is, will not go" and is recorded as final.
PROVIDER_ERRORS: dict[str, tuple[bool, str]] = {
    "1": (True, "Erro desconhecido na API da Meta."),
    "2": (True, "Serviço da Meta temporariamente indisponível."),
    "4": (True, "Limite de chamadas do aplicativo atingido."),
    "10": (False, "Permissão negada: o token não tem acesso a este número."),
    "100": (False, "Parâmetro inválido na requisição."),
    "190": (False, "Token de acesso expirado ou inválido: atualize o token do canal."),
    "368": (False, "Número temporariamente bloqueado por violação de políticas."),
    "80007": (True, "Limite de chamadas da conta do WhatsApp Business atingido."),
    "130429": (True, "Limite de mensagens por segundo do número atingido."),
    "130472": (False, "O número do cliente participa de um experimento da Meta e não recebeu."),
    "131000": (True, "Falha inesperada na Meta ao enviar a mensagem."),
    "131005": (False, "Acesso negado pela Meta."),
    "131008": (False, "Faltou um parâmetro obrigatório."),
    "131009": (False, "Um valor de parâmetro é inválido."),
    "131016": (True, "Serviço da Meta indisponível no momento."),
    "131021": (False, "O destinatário não pode ser o próprio número do canal."),
    "131026": (
        False,
        "Mensagem não entregável: o número pode não ter WhatsApp, o aplicativo pode estar "
        "desatualizado ou o cliente não aceitou os termos recentes do WhatsApp.",
    ),
    "131030": (False, "Número do cliente fora da lista de testes permitidos."),
    "131031": (False, "A conta do WhatsApp Business está bloqueada."),
    "131042": (False, "Problema de pagamento na conta do WhatsApp Business."),
    "131045": (False, "Número do canal sem certificado de registro válido."),
    "131047": (
        False,
        "Fora da janela de 24 horas: só um modelo aprovado (HSM) pode ser enviado até o cliente "
        "responder.",
    ),
    "131048": (False, "Limite antispam atingido: a qualidade do número caiu."),
    "131049": (
        False,
        "A Meta decidiu não entregar esta mensagem de marketing para preservar o engajamento.",
    ),
    "131050": (False, "O cliente pediu para não receber mensagens de marketing."),
    "131051": (False, "Tipo de mensagem não suportado."),
    "131052": (False, "Não foi possível baixar a mídia enviada pelo cliente."),
    "131053": (False, "Falha no envio da mídia: confira tipo e tamanho do arquivo."),
    "131056": (True, "Muitas mensagens seguidas para o mesmo cliente; nova tentativa em breve."),
    "131057": (True, "Conta em manutenção ou atualização na Meta."),
    "132000": (False, "Quantidade de variáveis diferente da aprovada no modelo."),
    "132001": (False, "O modelo não existe neste idioma ou ainda não foi aprovado."),
    "132005": (False, "O texto do modelo com as variáveis ficou longo demais."),
    "132007": (False, "O conteúdo das variáveis viola as políticas do WhatsApp."),
    "132012": (False, "Formato de variável diferente do aprovado no modelo."),
    "132015": (False, "O modelo está pausado pela Meta por baixa qualidade."),
    "132016": (False, "O modelo foi desativado pela Meta."),
    "132018": (False, "Variável com quebra de linha, tabulação ou espaços em excesso."),
    "133004": (True, "Servidor da Meta temporariamente indisponível."),
    "133010": (False, "O número do canal não está registrado no WhatsApp."),
    # Ours: gates and transport.
    "window_closed": (
        False,
        "Fora da janela de 24 horas: o cliente não escreve há mais de 24 horas; envie um modelo.",
    ),
    "opted_out": (False, "O cliente pediu para não receber mensagens neste canal."),
    "marketing_blocked": (False, "O cliente não aceita mensagens de marketing."),
    "marketing_needs_opt_in": (
        False,
        "Modelos de marketing exigem o consentimento (opt-in) do cliente neste canal.",
    ),
    "template_not_approved": (False, "O modelo não está aprovado para envio."),
    "channel_inactive": (False, "O canal está desativado."),
    "dispatch_interrupted": (
        False,
        "O envio foi interrompido e o provedor não confirmou o recebimento. Confira com o "
        "cliente antes de reenviar.",
    ),
    "http_timeout": (True, "O provedor não respondeu a tempo."),
    "http_error": (True, "Falha de conexão com o provedor."),
    "http_5xx": (True, "Erro temporário no provedor."),
    "http_429": (True, "O provedor pediu para diminuir o ritmo."),
    "max_attempts": (False, "Número máximo de tentativas atingido."),
    "smtp_refused": (False, "O servidor de e-mail recusou o destinatário."),
    "smtp_error": (True, "Falha temporária no servidor de e-mail."),
    "zenvia_validation": (False, "A Zenvia recusou a mensagem (erro de validação)."),
    "zenvia_auth": (False, "Token da Zenvia inválido: atualize o token do canal."),
    "not_delivered": (False, "O provedor não conseguiu entregar a mensagem."),
    "rejected": (False, "O provedor rejeitou a mensagem."),
    "media_too_large": (False, "Arquivo maior que o limite do WhatsApp para este tipo."),
    "media_type": (False, "Tipo de arquivo não aceito pelo WhatsApp para este tipo de mídia."),
    "media_hash": (False, "O arquivo baixado não confere com o hash informado pela Meta."),
    "media_expired": (False, "A mídia expirou na Meta antes de ser baixada."),
    # Twilio
    "twilio_20429": (True, "Limite de requisições da Twilio atingido."),
    "twilio_63018": (True, "Limite de mensagens do número na Twilio atingido."),
    "twilio_63016": (
        False,
        "Fora da janela de 24 horas: só um modelo aprovado (ContentSid) pode ser enviado.",
    ),
    "twilio_21211": (False, "Número de destino inválido para a Twilio."),
    "twilio_21610": (False, "O cliente respondeu STOP e não recebe mais mensagens deste número."),
    "twilio_30003": (False, "Aparelho do cliente inacessível (desligado ou sem sinal)."),
    "twilio_30005": (False, "Número de destino desconhecido ou inexistente."),
    "twilio_30006": (False, "O destino é um telefone fixo ou não recebe mensagens."),
    "twilio_30007": (False, "Mensagem bloqueada por filtro da operadora."),
    "twilio_media": (False, "Envio de arquivos pela Twilio não é suportado nesta versão."),
}


def is_retryable(code: str) -> bool:
    return PROVIDER_ERRORS.get(code, (False, ""))[0]


def error_explanation(code: str) -> str:
    return PROVIDER_ERRORS.get(code, (False, f"Erro {code} informado pelo provedor."))[1]
