"""The client's booking page (/t/agendar/<token>/): the signed token is the link's secret."""

from __future__ import annotations

from django.shortcuts import render

from formaliza.core.errors import ApplicationError, NotFound
from formaliza.triage.services.booking import free_slots, order_for_token, slot_book


def book(request, token: str):
    try:
        order = order_for_token(token)
    except NotFound as exc:
        context = {"title": "Link inválido", "message": exc.message}
        return render(request, "core/error.html", context, status=404)
    context, status = {"order": order, "tenant_name": order.tenant.name}, 200
    if request.method == "POST":
        try:
            booking = slot_book(order=order, slot_id=int(request.POST.get("slot") or 0))
            context["booked"] = booking.slot.starts_at
        except (ApplicationError, ValueError) as exc:
            context["refused"] = getattr(exc, "message", "Escolha um horário.")
            status = 409
    context["slots"] = free_slots(tenant=order.tenant)
    return render(request, "triage/public/book.html", context, status=status)
