"""Time in one place, so tests and services agree on 'now' and on the display zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    """Today's date in Brazil (where the business day is decided)."""
    return timezone.now().astimezone(SAO_PAULO).date()


def local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(SAO_PAULO)
