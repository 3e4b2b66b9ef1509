"""Activity changes reach the integrator's URL through the signed outbound webhook."""

from formaliza.core.testing import run_queued_tasks
from formaliza.proposals.tests.helpers import decide, to_approval_step, typed
from formaliza.webhooks import signing
from formaliza.webhooks.services import webhook_endpoint_create


def test_activity_changes_and_opened_formalization_are_pushed(kit, make_input, receiver):
    created = webhook_endpoint_create(tenant=kit.tenant, url=receiver.url + "/in")
    (p,) = typed(kit, make_input)
    to_approval_step(kit, [p])
    decide(kit, p, "approve", "ok")
    run_queued_tasks()

    bodies = [r.json() for r in receiver.requests]
    for r in receiver.requests:
        assert signing.verify(
            secret=created.secret, body=r.body, header=r.headers["X-Formaliza-Signature"]
        )
    changes = [
        (b["data"]["from_activity"], b["data"]["to_activity"])
        for b in bodies
        if b["type"] == "proposal.activity_changed"
    ]
    assert changes == [
        ("DIGITACAO", "APROVA_INICIO_FLUXO_ASS"),
        ("APROVA_INICIO_FLUXO_ASS", "AGUARDA_FORMALIZACAO_DIGITAL"),
    ]
    (opened,) = [b for b in bodies if b["type"] == "formalization.opened"]
    assert opened["data"]["formalization"]["proposals"][0]["number"] == p.number
    approve = next(b for b in bodies if b["data"].get("to_activity") == "APROVA_INICIO_FLUXO_ASS")
    assert approve["data"]["actor"]["kind"] == "user"
