from formaliza.proposals.services import proposal_create, proposal_decide


def typed(kit, make_input, count=1, actor=None, **same):
    """`count` proposals of ONE client (same CPF, name and formalization mobile)."""
    actor = actor or kit.actor()
    first = make_input(**same)
    shared = {k: first[k] for k in ("cpf", "name", "birth_date", "mobile")}
    shared.update(same)
    return [proposal_create(actor=actor, data=make_input(**shared)).proposal for _ in range(count)]


def decide(kit, proposal, decision, observation="motivo", actor=None):
    return proposal_decide(
        actor=actor or kit.actor(),
        proposal_id=proposal.pk,
        decision=decision,
        observation=observation,
    )


def to_approval_step(kit, proposals):
    for p in proposals:
        decide(kit, p, "approve")
    for p in proposals:
        p.refresh_from_db()
    return proposals
