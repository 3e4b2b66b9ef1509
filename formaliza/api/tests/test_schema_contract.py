"""The OpenAPI document tells the truth: schemathesis generates requests for every operation of
the schema (a bounded number per operation, so the suite stays fast) and runs all its checks on
the answers — no server error, every status and body documented (errors in the one error shape),
nothing the schema accepts refused for the wrong reason. Authenticated with the kit's API key;
new routers are covered the day they are mounted."""

from __future__ import annotations

import socket

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from formaliza.api.api import api

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api"))
schema.app = get_wsgi_application()
EXAMPLES = 12


@schemathesis.check
def schema_valid_input_is_not_malformed(ctx, response, case):
    """Stands in for the built-in `positive_data_acceptance`: a request the schema calls valid
    may still break a business rule the schema cannot express (a CPF's check digits, a
    catalog code, an unknown id) and be refused with 404/409 or 422 `validation_failed`, as
    documented; but never as malformed — 400 `invalid_json` or 422 `invalid_request` would mean the
    schema promises what the server refuses."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    if response.status_code < 400:
        return None
    try:
        code = response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        code = "?"
    if code in ("invalid_json", "invalid_request", "?"):
        raise AssertionError(
            f"schema-valid request refused as malformed: {response.status_code} {code}"
        )
    return None


@pytest.fixture(scope="module")
def wsgi_app():
    """Django's WSGI app, with the connection kept open across requests as Django's own test
    client does (the test's transaction holds the data the requests read)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schema.app
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def no_dns(monkeypatch):
    """Generated webhook URLs name random hosts: answer "unresolvable" at once instead of
    asking a DNS server (tests never use the network)."""

    def refuse(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "no DNS in tests")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_keeps_its_contract(case, kit, wsgi_app, no_dns):
    case.call_and_validate(
        headers={"X-API-Key": kit.api_key_plain},
        excluded_checks=[positive_data_acceptance],
        additional_checks=[schema_valid_input_is_not_malformed],
    )
