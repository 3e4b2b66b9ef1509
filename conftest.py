"""Fixtures shared by every app's tests: tenants, users per role, catalog, API keys."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client
from faker import Faker

from formaliza.accounts import services as accounts
from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Role
from formaliza.proposals.samples import catalog_install_defaults, proposal_input

# Browser fixtures (Chromium, phone and desktop pages, sign-in) for every app's browser tests.
pytest_plugins = ["formaliza.core.testing_browser", "formaliza.payments.testing"]

PASSWORD = "s3nha-de-teste-longa"
_counter = itertools.count(1)


class TenantKit:
    """A tenant with a branch, a user per role, the default catalog and an API key."""

    def __init__(self, name: str):
        n = next(_counter)
        self.tenant = accounts.tenant_create(
            name=name, slug=f"t{n}-{name.lower().replace(' ', '-')}"
        )
        self.branch = accounts.branch_create(tenant=self.tenant, code="001", name="Centro")
        self.other_branch = accounts.branch_create(tenant=self.tenant, code="002", name="Norte")
        self.users = {
            role: accounts.user_create(
                tenant=self.tenant,
                email=f"{role}-{n}@example.com",
                password=PASSWORD,
                role=role,
                first_name=role.title(),
                branch=self.branch if role == Role.CORRESPONDENT else None,
            )
            for role in Role.values
        }
        catalog_install_defaults(tenant=self.tenant)
        issued = accounts.api_key_create(tenant=self.tenant, name="Integrador")
        self.api_key = issued.api_key
        self.api_key_plain = issued.plaintext

    def actor(self, role: str = Role.CORRESPONDENT) -> Actor:
        return Actor.of_user(self.users[role])

    def api_actor(self) -> Actor:
        return Actor.of_api_key(self.api_key)

    def client_for(self, role: str) -> Client:
        client = Client()
        client.force_login(self.users[role])
        return client

    def api_headers(self, **extra) -> dict:
        return {"HTTP_X_API_KEY": self.api_key_plain, **extra}


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The journeys' walks use synthetic photos and sign before any task runs; the face-match
    # tests (formaliza/journeys/tests/*face*) turn it on with a tenant policy of their own.
    settings.JOURNEY_FACE_MATCH_ENABLED = False
    # No collectstatic in tests: plain storage finds files in the apps.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def fake():
    instance = Faker("pt_BR")
    instance.seed_instance(1234)
    return instance


@pytest.fixture
def kit(db):
    return TenantKit("Promotora Um")


@pytest.fixture
def other_kit(db):
    return TenantKit("Promotora Dois")


@pytest.fixture
def make_input(fake):
    def build(**overrides):
        overrides.setdefault("branch", "001")
        return proposal_input(fake, **overrides)

    return build


@pytest.fixture
def receiver(settings):
    """A local HTTP server standing in for an integrator; loopback allowed for the test."""
    from formaliza.core.testing_http import start_receiver

    settings.OUTBOUND_ALLOWED_PRIVATE = ["127.0.0.1"]
    rec, server = start_receiver()
    yield rec
    server.shutdown()
    server.server_close()


# --- evidence: embedded test PKI and a local RFC 3161 timestamp authority ----------------------


@pytest.fixture(scope="session")
def evidence_pki_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("evidence-pki")


@pytest.fixture(autouse=True)
def _evidence_settings(settings, evidence_pki_dir):
    # Tests never write a PKI under var/, and never reach a TSA unless they ask for `local_tsa`
    # (port 9, discard, has no listener: sealing fails visibly).
    settings.EVIDENCE_PKI_DIR = evidence_pki_dir
    settings.EVIDENCE_SIGNING_PKCS12 = ""
    settings.EVIDENCE_TRUST_ROOTS = []
    settings.EVIDENCE_TSA_URL = "http://127.0.0.1:9/"


@pytest.fixture(scope="session")
def _local_tsa_server(evidence_pki_dir):
    from formaliza.evidence.pki import embedded_pki
    from formaliza.evidence.tsa import start_in_thread

    server = start_in_thread(pki=embedded_pki(evidence_pki_dir))
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def local_tsa(settings, _local_tsa_server):
    """The local timestamp authority (real RFC 3161 over HTTP, test PKI); returns its URL."""
    from formaliza.evidence.tsa import url_of

    settings.EVIDENCE_TSA_URL = url_of(_local_tsa_server)
    return settings.EVIDENCE_TSA_URL
