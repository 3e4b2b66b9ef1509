"""`make run`'s demo data fills the four lists."""

from __future__ import annotations

from formaliza.demo.seed import demo_seed
from formaliza.triage import selectors


def test_demo_fills_all_four_lists(db):
    tenant = demo_seed().tenant
    counts = selectors.worklist_counts(tenant=tenant)
    assert all(c.total > 0 for c in counts), counts
    documents = next(c for c in counts if c.worklist == "documentos")
    assert documents.due == documents.total - 1  # one rests until the follow-up
