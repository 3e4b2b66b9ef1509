"""A call to the client through the Telephony port (docs/telephony.md): with the default
`tel_link` adapter the operator's phone dials a `tel:` link, with `asterisk_ari` the PBX rings
the operator's extension and then the client. Either way the call is a contact of the order and
its outcome form follows."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from formaliza.accounts.models import User
from formaliza.core.errors import ApplicationError
from formaliza.telephony.models import Call
from formaliza.telephony.services import call_start
from formaliza.triage.events import Who
from formaliza.triage.models import CertificateOrder, ContactAttempt
from formaliza.triage.services.contacts import contact_start, outcome_pending, pending_attempt


def operator_extension(user: User | None) -> str:
    """The operator's PBX extension: `TRIAGE_EXTENSIONS` by e-mail, else the default."""
    extensions = settings.TRIAGE_EXTENSIONS
    if user is not None and user.email in extensions:
        return extensions[user.email]
    return settings.TRIAGE_DEFAULT_EXTENSION


def order_call(*, order: CertificateOrder, who: Who) -> tuple[ContactAttempt, Call]:
    """Place the call and open its contact (whose outcome the operator then records)."""
    if not order.client_phone:
        raise ApplicationError(
            code="triage_no_phone", message="O pedido não tem celular do cliente.", status=422
        )
    if pending_attempt(order) is not None:  # refused before ringing anyone
        raise outcome_pending()
    with transaction.atomic():
        call = call_start(
            tenant_id=order.tenant_id, operator_extension=operator_extension(who.user),
            client_number=order.client_phone, reference=f"triage-order:{order.pk}",
        )  # fmt: skip
        attempt = contact_start(
            order=order, kind=ContactAttempt.Kind.CALL, who=who, channel="phone", call_id=call.pk
        )
    return attempt, call
