"""The ERP invoice lookup against a fake Hubsoft answering in 50 ms, next to the bare HTTP round
trip to the same server in the same run.

    .venv/bin/python bench/erp_card.py [N]

The lookup is what the `erp_invoice` card's executor does per step (customer search + open
invoices: two calls after the token is cached); the bare round trip is one httpx GET of the same
fake. The lookup runs twice per round: through the connector's pooled client (kept-alive
connections, as in production since the pool) and with the pool closed before each call (a new
TCP connection per call: the behaviour before the pool), in the same run. Printed: p50/p95 of
each, and each lookup's p95 over two bare round trips (the goal: ≤ 1.2).
Not measured here: the engine's own step (bench/flow_engine.py) and the task queue.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
django.setup()

import httpx  # noqa: E402

from formaliza.erp.adapters.hubsoft import HubsoftConnector  # noqa: E402
from formaliza.erp.fake.hubsoft import FakeHubsoft  # noqa: E402

CPF = "52998224725"


def p(values, q):
    return statistics.quantiles(values, n=100)[q - 1] * 1000


def main(n: int = 200) -> None:
    fake = FakeHubsoft(delay=0.05).start()
    fake.customers.append({"id_cliente": 1, "nome_razaosocial": "X", "cpf_cnpj": CPF,
                           "servicos": [{"id_cliente_servico": 9, "status_prefixo": "servico_habilitado"}]})  # fmt: skip
    fake.invoices.append({"cpf_cnpj": CPF, "id_fatura": 1, "valor": 10, "linha_digitavel": "1",
                          "data_vencimento": "10/12/2026"})  # fmt: skip
    connector = HubsoftConnector(
        base_url=fake.url, client_id=fake.client_id, client_secret=fake.client_secret,
        username=fake.username, password=fake.password,
    )  # fmt: skip
    bare, lookup, unpooled = [], [], []
    with httpx.Client(trust_env=False) as client:
        for _ in range(n):
            t = time.perf_counter()
            client.get(f"{fake.url}/nada")
            bare.append(time.perf_counter() - t)
            t = time.perf_counter()
            customer = connector.customer_find(document=CPF)
            connector.invoices_open(customer=customer)
            lookup.append(time.perf_counter() - t)
            # The baseline of before the pool: a new client (TCP connection) per call.
            t = time.perf_counter()
            connector.http.close()
            customer = connector.customer_find(document=CPF)
            connector.http.close()
            connector.invoices_open(customer=customer)
            unpooled.append(time.perf_counter() - t)
    fake.stop()
    print(f"bare round trip     p50 {p(bare, 50):7.1f} ms  p95 {p(bare, 95):7.1f} ms")
    print(f"lookup, pooled      p50 {p(lookup, 50):7.1f} ms  p95 {p(lookup, 95):7.1f} ms (2 calls)")
    print(f"lookup, new client  p50 {p(unpooled, 50):7.1f} ms  p95 {p(unpooled, 95):7.1f} ms")
    print(f"pooled p95 / (2 x bare p95) = {p(lookup, 95) / (2 * p(bare, 95)):.2f}")
    print(f"new-client p95 / (2 x bare p95) = {p(unpooled, 95) / (2 * p(bare, 95)):.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
