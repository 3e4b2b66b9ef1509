from django.db import models


class Activity(models.TextChoices):
    DIGITACAO = "DIGITACAO", "Digitação"
    APROVA_INICIO_FLUXO_ASS = "APROVA_INICIO_FLUXO_ASS", "Aprova início fluxo ASS"
    AGUARDA_FORMALIZACAO_DIGITAL = "AGUARDA_FORMALIZACAO_DIGITAL", "Aguarda formalização digital"
    FORMALIZADA = "FORMALIZADA", "Formalizada"
    PENDENTE = "PENDENTE", "Pendente"
    REPROVADA = "REPROVADA", "Reprovada"
    CANCELADA = "CANCELADA", "Cancelada"


class Decision(models.TextChoices):
    CREATE = "create", "Digitada"
    APPROVE = "approve", "Aprovada"
    REJECT = "reject", "Reprovada"
    PENDING = "pending", "Pendente"
    CANCEL = "cancel", "Cancelada"
    FORMALIZATION_OPENED = "formalization_opened", "Formalização aberta"
    FORMALIZATION_COMPLETED = "formalization_completed", "Formalização concluída"
    FORMALIZATION_CANCELLED = "formalization_cancelled", "Formalização cancelada"


# Decisions a person (or integrator) may take on the approval screen.
USER_DECISIONS = (Decision.APPROVE, Decision.REJECT, Decision.PENDING, Decision.CANCEL)


class Module(models.TextChoices):
    INSS = "INSS", "INSS"
    FEDERAL = "FEDERAL", "Federal"
    MILITAR = "MILITAR", "Militar"
    ESTADUAL = "ESTADUAL", "Estadual"
    MUNICIPAL = "MUNICIPAL", "Municipal"
    PRIVADO = "PRIVADO", "Privado"


class OperationType(models.TextChoices):
    NOVA = "NOVA", "Nova"
    REFINANCIAMENTO = "REFINANCIAMENTO", "Refinanciamento"
    PORTABILIDADE = "PORTABILIDADE", "Portabilidade"
    CARTAO = "CARTAO", "Cartão consignado (RMC)"


class DocType(models.TextChoices):
    RG = "RG", "RG"
    CNH = "CNH", "CNH"
    RNM = "RNM", "RNM/RNE"
    CTPS = "CTPS", "CTPS"
    PASSAPORTE = "PASSAPORTE", "Passaporte"


class Sex(models.TextChoices):
    FEMININO = "F", "Feminino"
    MASCULINO = "M", "Masculino"


class MaritalStatus(models.TextChoices):
    SOLTEIRO = "SOLTEIRO", "Solteiro(a)"
    CASADO = "CASADO", "Casado(a)"
    UNIAO_ESTAVEL = "UNIAO_ESTAVEL", "União estável"
    SEPARADO = "SEPARADO", "Separado(a)"
    DIVORCIADO = "DIVORCIADO", "Divorciado(a)"
    VIUVO = "VIUVO", "Viúvo(a)"


class Nationality(models.TextChoices):
    BRASILEIRA = "BRASILEIRA", "Brasileira"
    ESTRANGEIRA = "ESTRANGEIRA", "Estrangeira"


class FormalizationPhone(models.TextChoices):
    MOBILE = "mobile", "Celular"
    MOBILE2 = "mobile2", "Celular 2"


class CatalogKind(models.TextChoices):
    AGREEMENT = "agreement", "Convênio"
    EMPLOYER = "employer", "Empregador"
    AGENCY = "agency", "Órgão"
    SALES_CHANNEL = "sales_channel", "Canal de venda"
    PRODUCT = "product", "Produto"
