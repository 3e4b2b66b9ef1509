"""Small reads about links shared by services, selectors and views."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.urls import reverse

from formaliza.journeys.models import Journey, JourneyLink

TOKEN_BYTES = 32  # 256 random bits; the issue asks for at least 128


def as_uuid(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def current_link(journey: Journey) -> JourneyLink | None:
    """The journey's one link that is not revoked (a database constraint keeps it unique)."""
    return journey.links.filter(revoked_at__isnull=True).order_by("-created_at").first()


def link_url(token: str) -> str:
    return settings.PUBLIC_BASE_URL + reverse("journey:enter", args=[token])
