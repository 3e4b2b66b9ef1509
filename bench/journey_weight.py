"""Bytes a client's phone downloads per journey step, before any photo.

For each step page: the HTML plus every stylesheet and script it references, as a first visit
would fetch them (no cache), raw and gzip-compressed (what whitenoise or a proxy serves). Run on
a throwaway SQLite database with a journey of N proposals (2 by default):

    .venv/bin/python bench/journey_weight.py [--proposals 3]

Target (issue 5): under 100 KB per step.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="journey-weight-"))
os.environ["FORMALIZA_VAR_DIR"] = str(TMP)
os.environ["DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["JOURNEY_MESSENGER"] = "formaliza.journeys.adapters.fake.FakeMessenger"
os.environ.setdefault("LOG_LEVEL", "WARNING")

import warnings  # noqa: E402

import django  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic: finders serve

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from faker import Faker  # noqa: E402

from formaliza.accounts import services as accounts  # noqa: E402
from formaliza.accounts.actors import Actor  # noqa: E402
from formaliza.accounts.roles import Role  # noqa: E402
from formaliza.journeys import services as journeys  # noqa: E402
from formaliza.journeys.models import Step  # noqa: E402
from formaliza.journeys.tests.helpers import CLIENT_CTX, walk  # noqa: E402
from formaliza.proposals import services as proposals  # noqa: E402
from formaliza.proposals.samples import catalog_install_defaults, proposal_input  # noqa: E402

PAGES = [
    (Step.WELCOME, "/j/inicio/"),
    (Step.TERMS, "/j/termos/"),
    (Step.CONDITIONS, "/j/condicoes/"),
    (Step.CONTRACTS, "/j/contratos/"),
    (Step.ID_FRONT, "/j/documento-frente/"),
    (Step.ID_BACK, "/j/documento-verso/"),
    (Step.SELFIE, "/j/selfie/"),
    (Step.CONFIRM, "/j/assinar/"),
    (Step.DONE, "/j/concluido/"),
]
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def _journey(count: int):
    tenant = accounts.tenant_create(name="Promotora Exemplo", slug="bench", cnpj="11222333000181")
    accounts.branch_create(tenant=tenant, code="001", name="Centro")
    catalog_install_defaults(tenant=tenant)
    user = accounts.user_create(
        tenant=tenant,
        email="c@bench.dev",
        role=Role.CORRESPONDENT,
        password="x-bench-pass-123",  # noqa: S106 - a throwaway bench database
    )
    actor = Actor.of_user(user)
    fake = Faker("pt_BR")
    fake.seed_instance(7)
    person = proposal_input(fake, branch="001")
    fixed = {k: person[k] for k in ("cpf", "name", "birth_date", "mobile")}
    typed = [
        proposals.proposal_create(
            actor=actor, data=proposal_input(fake, branch="001", **fixed)
        ).proposal
        for _ in range(count)
    ]
    for _round in range(2):  # DIGITACAO -> APROVA_INICIO_FLUXO_ASS -> formalization opened
        for proposal in typed:
            proposals.proposal_decide(actor=actor, proposal_id=proposal.pk, decision="approve")
    request = typed[0].formalizations.get()
    return journeys.journey_start(request_id=request.pk)


def _weigh(client: Client, html: bytes) -> tuple[int, int, int, int]:
    assets = {"css": 0, "js": 0}
    gz = len(gzip.compress(html, 6))
    for url in sorted(set(ASSET.findall(html.decode()))):
        path = finders.find(url.removeprefix(settings.STATIC_URL))
        data = Path(path).read_bytes()
        assets["css" if url.endswith(".css") else "js"] += len(data)
        gz += len(gzip.compress(data, 6))
    return len(html), assets["css"], assets["js"], gz


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--proposals", type=int, default=2)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    started = _journey(args.proposals)
    client = Client()
    client.get("/j/" + started.link_url.rsplit("/j/", 1)[1])
    print(f"Journey with {args.proposals} proposal(s); bytes per step, first visit, before photos")
    print(f"{'step':<12}{'HTML':>9}{'CSS':>8}{'JS':>8}{'total':>9}{'gzip':>8}")
    worst = 0
    for step, url in PAGES:
        walk(started.journey, until=step, ctx=CLIENT_CTX)
        response = client.get(url)
        assert response.status_code == 200, (step, response.status_code)
        html, css, js, gz = _weigh(client, response.content)
        total = html + css + js
        worst = max(worst, total)
        print(f"{step:<12}{html:>9,}{css:>8,}{js:>8,}{total:>9,}{gz:>8,}")
    verdict = "OK" if worst < 100 * 1024 else "OVER"
    print(f"heaviest step: {worst / 1024:.1f} KB raw (target < 100 KB): {verdict}")


if __name__ == "__main__":
    with override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        ALLOWED_HOSTS=["testserver"],
    ):
        main()
