"""Contracts rendered to PDF ahead of the seal.

The final PDF holds every contract as PDF pages. Rendering HTML with WeasyPrint is the slowest
part of sealing (~20 ms a page), and the contracts are frozen when the journey starts, so a
background task renders them while the client is still reading; sealing then only assembles.
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from formaliza.evidence.report import html_to_pdf
from formaliza.journeys.models import JourneyContract


def journey_contracts_render(*, journey_id: Any) -> int:
    """Render every contract of the journey not rendered yet; idempotent. Returns how many were
    rendered now. A contract whose HTML changed since (it cannot: contracts are frozen) would be
    caught by the seal, which checks the HTML's SHA-256."""
    rendered = 0
    for contract_id in JourneyContract.objects.filter(
        journey_id=journey_id, rendered_pdf=""
    ).values_list("pk", flat=True):
        contract = JourneyContract.objects.select_related("journey").get(pk=contract_id)
        pdf = html_to_pdf(contract.html)  # outside any transaction: seconds of CPU, no locks
        with transaction.atomic():
            locked = JourneyContract.objects.select_for_update(of=("self",)).get(pk=contract_id)
            if locked.rendered_pdf:
                continue  # another worker got there first
            locked.journey = contract.journey
            locked.rendered_pdf.save(
                f"contract-{locked.position:02d}.pdf", ContentFile(pdf), save=True
            )
            rendered += 1
    return rendered
