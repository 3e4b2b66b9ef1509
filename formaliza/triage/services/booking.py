"""Built-in scheduling: videoconference slots with capacity, booked by the client from the
order's link ("para hoje ainda temos horários"). A booking sets the order's appointment, so it
leaves its list. A full slot is refused with the next free ones."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Count, F
from django.urls import reverse

from formaliza.core import clock
from formaliza.core.errors import ApplicationError, Conflict, FieldErrors, NotFound
from formaliza.triage.events import Who
from formaliza.triage.events import order_event_record as record
from formaliza.triage.models import Attendance, Booking, CertificateOrder, OrderEvent, Slot
from formaliza.triage.services.orders import order_list_refresh

SALT = "triage.booking"


def booking_token(order: CertificateOrder) -> str:
    return signing.dumps(order.pk, salt=SALT, compress=True)


def booking_url(order: CertificateOrder) -> str:
    return settings.PUBLIC_BASE_URL + reverse("triage_public:book", args=[booking_token(order)])


def order_for_token(token: str) -> CertificateOrder:
    try:
        order_id = signing.loads(
            token, salt=SALT, max_age=settings.TRIAGE_BOOKING_LINK_DAYS * 86400
        )
    except signing.BadSignature:
        raise NotFound("Link de agendamento", code="triage_booking_link_invalid") from None
    order = CertificateOrder.objects.filter(pk=order_id).select_related("tenant").first()
    if order is None:
        raise NotFound("Link de agendamento", code="triage_booking_link_invalid")
    return order


def slot_create(*, tenant, starts_at: dt.datetime, capacity: int) -> Slot:
    """A new videoconference slot (in the future, 1 to 50 places, one per start time)."""
    errors = FieldErrors()
    if starts_at.tzinfo is None:
        starts_at = starts_at.replace(tzinfo=clock.SAO_PAULO)
    # Stored in UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts (e.g. -17:31).
    starts_at = starts_at.astimezone(dt.UTC)
    if starts_at <= clock.now():
        errors.add("starts_at", "in_the_past", "O horário precisa ser no futuro.")
    if not 1 <= capacity <= 50:
        errors.add("capacity", "invalid_capacity", "Informe de 1 a 50 vagas.")
    errors.raise_if_any()
    if Slot.objects.filter(tenant=tenant, starts_at=starts_at).exists():
        raise Conflict("triage_slot_exists", "Já existe um horário neste início.")
    return Slot.objects.create(tenant=tenant, starts_at=starts_at, capacity=capacity)


def free_slots(*, tenant, after: dt.datetime | None = None, limit: int = 12) -> list[Slot]:
    after = after or clock.now()
    return list(
        Slot.objects.filter(tenant=tenant, starts_at__gt=after)
        .annotate(taken=Count("bookings"))
        .filter(taken__lt=F("capacity"))
        .order_by("starts_at")[:limit]
    )


def _label(slot: Slot) -> str:
    return clock.local(slot.starts_at).strftime("%d/%m %H:%M")


def slot_book(*, order: CertificateOrder, slot_id: int) -> Booking:
    """Book the slot for the order (a rebooking moves the booking)."""
    with transaction.atomic():
        slot = Slot.objects.select_for_update().filter(tenant=order.tenant, pk=slot_id).first()
        if slot is None or slot.starts_at <= clock.now():
            raise ApplicationError(
                code="triage_slot_unavailable", message="Este horário não está disponível.",
                status=409,
            )  # fmt: skip
        order = CertificateOrder.objects.select_for_update().get(pk=order.pk)
        if order.emitted_at or order.cancelled_at or order.cancel_requested_at:
            raise ApplicationError(
                code="triage_order_closed", message="Este pedido não pode mais ser agendado.",
                status=409,
            )  # fmt: skip
        taken = slot.bookings.exclude(order=order).count()
        if taken >= slot.capacity:
            others = free_slots(tenant=order.tenant, after=clock.now(), limit=3)
            hint = ", ".join(_label(s) for s in others) or "nenhum no momento"
            raise ApplicationError(
                code="triage_slot_full",
                message=f"O horário {_label(slot)} acabou de lotar. Próximos livres: {hint}.",
                status=409, extra={"next_free": [s.starts_at.isoformat() for s in others]},
            )  # fmt: skip
        booking, _ = Booking.objects.update_or_create(
            order=order, defaults={"tenant": order.tenant, "slot": slot, "booked_at": clock.now()}
        )
        order.appointment_at, order.attendance = slot.starts_at, Attendance.UNKNOWN
        order.save(update_fields=["appointment_at", "attendance", "updated_at"])
        who = Who.client(order.client_name)
        record(order=order, kind=OrderEvent.Kind.BOOKED, who=who,
               text=f"Cliente agendou a videoconferência pelo link: {_label(slot)}.")  # fmt: skip
        order_list_refresh(order=order, who=who)
    return booking
