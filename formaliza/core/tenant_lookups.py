"""Tenant lookups of the API's path parameters, run before the request body is judged.

A request naming another tenant's object must get 404 whatever its body: a 400/415/422 about
the body would tell the caller that the id exists. django-ninja validates path, query and body
together, before the view runs; so when that validation (or the JSON parse) fails, the API's
error handler asks the lookups registered here whether every object named in the path is the
caller's, and answers 404 when one is not.

Each app registers, next to its router, one lookup per path parameter of its endpoints:

    @tenant_lookup("proposals", "proposal_id")
    def _proposal(actor, value: str) -> bool:
        return selectors.proposal_get(actor=actor, proposal_id=value) is not None

The namespace is the first segment after `/api/v1/` (`/api/v1/proposals/{proposal_id}` →
`proposals`). A lookup answers whether the caller may see the object; an `ApplicationError`
with status 404 or a malformed value (ValueError, ValidationError) count as "not visible".
`formaliza/api/tests/test_tenant_matrix.py` sends every operation with a path parameter an
invalid body on another tenant's object and fails, naming the parameter, when a lookup is
missing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError

from formaliza.core.errors import ApplicationError

Lookup = Callable[[Any, str], bool]
LOOKUPS: dict[tuple[str, str], Lookup] = {}


def tenant_lookup(namespace: str, param: str):
    def register(fn: Lookup) -> Lookup:
        LOOKUPS[(namespace, param)] = fn
        return fn

    return register


def api_namespace(path: str) -> str:
    """`/api/v1/proposals/abc/decisions` → `proposals`."""
    parts = [p for p in path.split("/") if p]
    return parts[2] if len(parts) > 2 and parts[0] == "api" else ""


def visible(actor, namespace: str, param: str, value: str) -> bool | None:
    """True/False when a lookup is registered for the parameter, None when none is."""
    fn = LOOKUPS.get((namespace, param))
    if fn is None:
        return None
    try:
        return bool(fn(actor, value))
    except ApplicationError as exc:
        if exc.status == 404:
            return False
        raise  # e.g. 403: the caller may not use the endpoint at all, whatever the object
    except (ValueError, TypeError, DjangoValidationError):
        return False
