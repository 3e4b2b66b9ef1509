"""The agent's self-service registration link: the client calculates, registers and sends
documents from the phone. Registering with the e-mail the agent already entered joins that
record — after a code sent to that e-mail proves it is the client's; any other e-mail makes a
new record. Records are never merged silently."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from formaliza.accounts.models import User
from formaliza.cases import gateway
from formaliza.cases.events import Who
from formaliza.cases.models import (
    PRE_PAYMENT,
    AgentProfile,
    Calculation,
    Case,
    CaseClient,
    EmailChallenge,
)
from formaliza.cases.services.access import code_matches, code_new
from formaliza.cases.services.calculations import case_save
from formaliza.cases.services.clients import ClientInput, client_clean, client_create, client_update
from formaliza.core import br, clock
from formaliza.core.errors import ApplicationError
from formaliza.core.ids import random_token

MAX_CODE_ATTEMPTS = 5


def agent_profile_ensure(*, user: User) -> AgentProfile:
    profile = AgentProfile.objects.filter(user=user).first()
    if profile is None:
        profile, _ = AgentProfile.objects.get_or_create(
            user=user, defaults={"tenant_id": user.tenant_id, "signup_token": random_token(16)}
        )
    return profile


def agent_profile_update(*, user: User, phone: str, rotate_link: bool = False) -> AgentProfile:
    profile = agent_profile_ensure(user=user)
    if phone.strip():
        parsed = br.phone_parse(phone)
        if parsed is None or not parsed.is_mobile:
            raise ApplicationError(
                code="invalid_phone", status=422, message="Celular inválido: informe DDD e número."
            )
        profile.phone = parsed.e164
    else:
        profile.phone = ""
    if rotate_link:
        profile.signup_token = random_token(16)
    profile.save()
    return profile


@dataclass(frozen=True)
class Registration:
    client: CaseClient | None = None
    case: Case | None = None
    challenge: EmailChallenge | None = None


@transaction.atomic
def selfservice_register(
    *, profile: AgentProfile, calculation: Calculation, data: ClientInput
) -> Registration:
    values = client_clean(data, require_email=True)
    existing = (
        CaseClient.objects.filter(
            tenant_id=profile.tenant_id, agent=profile.user, email__iexact=values["email"]
        )
        .order_by("pk")
        .first()
    )
    if existing is not None:
        code, code_hash = code_new()
        challenge = EmailChallenge.objects.create(
            tenant_id=profile.tenant_id, client=existing, calculation=calculation, code_hash=code_hash,
            expires_at=clock.now() + dt.timedelta(minutes=settings.CASE_EMAIL_CODE_TTL_MINUTES),
        )  # fmt: skip
        gateway.notify(
            tenant=profile.tenant, kind="email_code", recipient="client", client=existing,
            key=f"case-email-code:{challenge.pk}",
            email=gateway.email_code_note(address=values["email"], code=code, tenant_name=profile.tenant.name),
        )  # fmt: skip
        return Registration(challenge=challenge)
    who = Who.client(values["name"])
    client = client_create(
        tenant=profile.tenant,
        agent=profile.user,
        data=data,
        who=who,
        origin=CaseClient.Origin.SELF_SERVICE,
    )
    return Registration(
        client=client, case=case_save(calculation=calculation, client=client, who=who)
    )


def _code_refusal(challenge_id: int, code: str) -> ApplicationError | None:
    """Check the code in its own transaction, so that a wrong attempt stays counted."""
    with transaction.atomic():
        challenge = EmailChallenge.objects.select_for_update().get(pk=challenge_id)
        if challenge.verified_at is not None:
            return None
        if challenge.expires_at <= clock.now() or challenge.attempts >= MAX_CODE_ATTEMPTS:
            return ApplicationError(
                code="email_code_expired", status=422,
                message="O código expirou ou foi digitado errado vezes demais. Peça um novo código.",
            )  # fmt: skip
        if not code_matches(code, challenge.code_hash):
            challenge.attempts += 1
            challenge.save(update_fields=["attempts"])
            left = MAX_CODE_ATTEMPTS - challenge.attempts
            return ApplicationError(
                code="email_code_wrong", status=422,
                message=f"Código incorreto. Confira o e-mail e tente de novo ({left} tentativa(s) restante(s)).",
            )  # fmt: skip
        challenge.verified_at = clock.now()
        challenge.save(update_fields=["verified_at"])
    return None


def selfservice_verify(*, challenge: EmailChallenge, code: str, data: ClientInput) -> Registration:
    if (refusal := _code_refusal(challenge.pk, code)) is not None:
        raise refusal
    with transaction.atomic():
        challenge = EmailChallenge.objects.select_related("client", "calculation").get(
            pk=challenge.pk
        )
        who = Who.client(challenge.client.name)
        client = client_update(client=challenge.client, data=data, who=who, fill_only=True)
        CaseClient.objects.filter(pk=client.pk).update(email_verified_at=clock.now())
        # The agent already has an open case for this client: the client continues it (their
        # own calculation stays as a draft for the agent) instead of opening a second one.
        case = client.cases.filter(status__in=PRE_PAYMENT).order_by("-pk").first()
        if case is None:
            case = case_save(calculation=challenge.calculation, client=client, who=who)
    return Registration(client=client, case=case)
