"""Test fixtures of the payments app (a pytest plugin of the root conftest): the fake PSP in
"collect" mode and a tenant's Pix account pointing at it; `webhook_post` hands a collected
delivery to Django's test client."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client

from formaliza.payments.fake_psp import FakePixPsp, key_of
from formaliza.payments.models import PixAccount


@pytest.fixture
def psp():
    fake = FakePixPsp(mode="collect")
    fake.start(port=0)
    yield fake
    fake.stop()


def account_for(tenant, psp, **extra) -> PixAccount:
    account = PixAccount.objects.create(
        tenant=tenant, provider="pix_api", api_url=psp.url, token_url=f"{psp.url}/oauth/token",
        client_id=f"cliente-{tenant.pk}", client_secret="segredo-do-cliente",  # noqa: S106 - test credential
        chave=f"pix-{tenant.pk}@example.com", merchant_name="Advocacia Exemplo",
        merchant_city="São Paulo", **extra,
    )  # fmt: skip
    key = key_of(account)
    key.webhook_url = "http://testserver" + key.webhook_url.removeprefix(
        account_base_url(key.webhook_url)
    )
    psp.key_register(key)
    return account


def account_base_url(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


@pytest.fixture
def pix_account(kit, psp):
    return account_for(kit.tenant, psp)


def webhook_post(delivery, client: Client | None = None, **headers):
    client = client or Client()
    path = delivery.url.removeprefix("http://testserver")
    merged = {**delivery.headers, **headers}
    return client.post(
        path, data=delivery.body, content_type="application/json",
        headers={k: v for k, v in merged.items() if k != "Content-Type" and v is not None},
    )  # fmt: skip


def concurrently(calls: list[Callable[[], object]]) -> list[object]:
    """Run the calls at once (PostgreSQL: threads with their own connections behind a barrier)
    or one after the other (SQLite, one writer at a time). Returns what each call returned or
    the exception it raised, in call order; anything but an ApplicationError is re-raised."""
    from formaliza.core.errors import ApplicationError

    results: list[object] = [None] * len(calls)

    def run(n: int, barrier: threading.Barrier | None):
        try:
            if barrier is not None:
                barrier.wait()
            results[n] = calls[n]()
        except BaseException as exc:
            results[n] = exc
        finally:
            if barrier is not None:
                connection.close()

    if connection.vendor != "postgresql":
        for n in range(len(calls)):
            run(n, None)
    else:
        barrier = threading.Barrier(len(calls))
        threads = [threading.Thread(target=run, args=(n, barrier)) for n in range(len(calls))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    unexpected = [
        r for r in results if isinstance(r, BaseException) and not isinstance(r, ApplicationError)
    ]
    if unexpected:
        raise unexpected[0]
    return results
