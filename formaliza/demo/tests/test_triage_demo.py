"""`manage.py demo_seed` fills the four lists (called by name: the demo app sits above this
one)."""

from __future__ import annotations

import io

from django.core.management import call_command

from formaliza.accounts.models import Tenant
from formaliza.triage import selectors


def test_demo_fills_all_four_lists(db, settings):
    settings.JOURNEY_MESSENGER = "formaliza.journeys.adapters.console.ConsoleMessenger"
    call_command("demo_seed", stdout=io.StringIO())
    counts = selectors.worklist_counts(tenant=Tenant.objects.get(slug="demo"))
    assert all(c.total > 0 for c in counts), counts
    documents = next(c for c in counts if c.worklist == "documentos")
    assert documents.due == documents.total - 1  # one rests until the follow-up
