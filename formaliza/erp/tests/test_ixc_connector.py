"""The IXC connector against the fake IXC webservice over real HTTP: Basic auth, listings
with `ixcsoft: listar` and pages, the trust unlock's old answer shape, tickets, and the
failures (wrong token, 500 retried then failed, malformed JSON, open circuit)."""

from __future__ import annotations

import datetime as dt

import pytest

from formaliza.erp.adapters import ixc as ixc_adapter
from formaliza.erp.adapters.ixc import IxcConnector
from formaliza.erp.fake.ixc import FakeIxc
from formaliza.erp.ports import ErpFailure, TicketOption

CPF = "52998224725"
PIX = "00020101021226860014br.gov.bcb.pix2564pix.exemplo.com.br/qr/v2/abc6304ABCD"


@pytest.fixture
def fake():
    server = FakeIxc(today=dt.date(2026, 12, 3)).start()
    server.clientes.append(
        {"id": "301", "razao": "MARIA SOUZA", "cnpj_cpf": "529.982.247-25",
         "telefone_celular": "(11) 98765-4321", "whatsapp": "", "ativo": "S"}
    )  # fmt: skip
    server.contratos.append(
        {"id": "7001", "id_cliente": "301", "contrato": "FIBRA 500M", "status": "A",
         "status_internet": "FA", "dt_ult_desb_conf": "2026-10-02",
         "desbloqueio_confianca_ativo": "N"}
    )  # fmt: skip
    server.areceber.append(
        {"id": "90001", "id_cliente": "301", "id_contrato": "7001", "status": "A",
         "valor": "129.90", "data_vencimento": "2026-11-10",
         "linha_digitavel": "23793.38128 60000.000003 00000.000400 1 98760000012990"}
    )  # fmt: skip
    server.areceber.append(
        {"id": "90000", "id_cliente": "301", "id_contrato": "7001", "status": "R",
         "valor": "129.90", "data_vencimento": "2026-10-10", "linha_digitavel": "pago"}
    )  # fmt: skip
    server.pix["90001"] = PIX
    yield server
    server.stop()


@pytest.fixture
def connector(fake):
    return IxcConnector(base_url=fake.url, user=fake.user, token=fake.token, timeout=1)


def test_customer_found_by_the_formatted_document_with_its_contracts(connector, fake):
    customer = connector.customer_find(document=CPF)
    assert customer.name == "MARIA SOUZA" and customer.id == "301"
    (contract,) = customer.contracts
    assert contract.status == "blocked"  # FA: financeiro em atraso
    assert contract.last_unlock == dt.date(2026, 10, 2)
    assert contract.phones == ("11987654321",)
    listing = fake.requests[0]
    assert listing.path == "/webservice/v1/cliente" and listing.headers["ixcsoft"] == "listar"
    assert listing.json()["query"] == "529.982.247-25"


def test_unknown_document_is_none(connector):
    assert connector.customer_find(document="11144477735") is None


def test_open_invoices_only_with_digitable_line_and_pix(connector):
    customer = connector.customer_find(document=CPF)
    (invoice,) = connector.invoices_open(customer=customer)
    assert invoice.id == "90001" and invoice.amount == "129.90"
    assert invoice.due == dt.date(2026, 11, 10)
    assert invoice.digitable_line.startswith("23793.38128") and invoice.pix_code == PIX


def test_listings_follow_the_pages(connector, fake, monkeypatch):
    monkeypatch.setattr(ixc_adapter, "PAGE_SIZE", 2)
    fake.setores.extend({"id": str(i), "setor": f"Setor {i}"} for i in range(1, 6))
    departments = connector.ticket_departments()
    assert [d.id for d in departments] == ["1", "2", "3", "4", "5"]
    pages = [r.json()["page"] for r in fake.requests if r.path.endswith("su_ticket_setor")]
    assert pages == ["1", "2", "3"]


def test_trust_unlock_reads_the_old_answer_shape(connector, fake):
    customer = connector.customer_find(document=CPF)
    result = connector.trust_unlock(customer=customer, contract=customer.contracts[0])
    assert result.ok and "realizado" in result.message
    again = connector.trust_unlock(customer=customer, contract=customer.contracts[0])
    assert not again.ok and "já utilizado" in again.message
    assert fake.unlocks == ["7001", "7001"]
    assert "ixcsoft" not in fake.requests[-1].headers  # a write, not a listing


def test_connection_diagnosis_from_the_radius_login(connector, fake):
    fake.radusuarios.append({"id": "1", "id_contrato": "7001", "online": "N"})
    customer = connector.customer_find(document=CPF)
    diagnosis = connector.connection_diagnosis(customer=customer, contract=customer.contracts[0])
    assert diagnosis.online is False


def test_connection_diagnosis_reads_signal_and_the_last_session(connector, fake):
    fake.radusuarios.extend(
        [{"id": "1", "id_contrato": "7001", "online": "N", "ativo": "S",
          "sinal_ultimo_atendimento": "-27.80", "ultima_conexao_inicial": "2026-12-01 08:00:00",
          "ultima_conexao_final": "2026-12-03 22:14:09", "motivo_desconexao": "Lost-Carrier"},
         {"id": "2", "id_contrato": "7001", "online": "N", "ativo": "N",
          "ultima_conexao_inicial": "2026-12-04 08:00:00"}]
    )  # fmt: skip
    customer = connector.customer_find(document=CPF)
    diagnosis = connector.connection_diagnosis(customer=customer, contract=customer.contracts[0])
    assert (diagnosis.online, diagnosis.signal, diagnosis.disconnect_reason) == (
        False, "-27.80", "Lost-Carrier",
    )  # fmt: skip
    assert (
        diagnosis.session_ended.isoformat() == "2026-12-03T22:14:09"
    )  # the inactive login ignored
    fake.radusuarios[0].update(online="SS")
    diagnosis = connector.connection_diagnosis(customer=customer, contract=customer.contracts[0])
    assert diagnosis.online is True and diagnosis.session_ended is None
    assert diagnosis.session_started.isoformat() == "2026-12-01T08:00:00"


def test_ticket_opened_in_the_department_and_subject(connector, fake):
    fake.setores.extend(
        [{"id": "3", "setor": "Suporte", "ativo": "S", "presta_atendimento": "S"},
         {"id": "4", "setor": "Interno", "ativo": "S", "presta_atendimento": "N"},
         {"id": "5", "setor": "Antigo", "ativo": "N", "presta_atendimento": "S"}]
    )  # fmt: skip
    fake.assuntos.extend(
        [{"id": "41", "assunto": "Sem conexão", "ativo": "S"},
         {"id": "42", "assunto": "Antigo", "ativo": "N"}]
    )  # fmt: skip
    customer = connector.customer_find(document=CPF)
    (department,) = connector.ticket_departments()
    subjects = connector.ticket_subjects(department=department)
    assert [s.name for s in subjects] == ["Sem conexão"]
    number = connector.ticket_open(
        customer=customer, contract=customer.contracts[0], department=department,
        subject=subjects[0], text="Internet caiu desde ontem",
    )  # fmt: skip
    assert number == "4100"
    assert fake.tickets[0]["id_ticket_setor"] == "3" and fake.tickets[0]["id_assunto"] == "41"
    assert fake.tickets[0]["menssagem"] == "Internet caiu desde ontem"


def test_ticket_refused_by_ixc_raises(connector, fake):
    customer = connector.customer_find(document=CPF)
    with pytest.raises(ErpFailure) as caught:
        connector.ticket_open(
            customer=customer, contract=customer.contracts[0],
            department=TicketOption("", ""), subject=TicketOption("41", "x"), text="t",
        )  # fmt: skip
    assert caught.value.kind == "unavailable" and "obrigatório" in caught.value.detail


def test_wrong_token_is_an_auth_failure(fake):
    connector = IxcConnector(base_url=fake.url, user=fake.user, token="errado", timeout=1)
    with pytest.raises(ErpFailure) as caught:
        connector.customer_find(document=CPF)
    assert caught.value.kind == "auth"


def test_500_is_retried_for_reads_then_fails(connector, fake):
    fake.fault = "500"
    with pytest.raises(ErpFailure) as caught:
        connector.customer_find(document=CPF)
    assert caught.value.kind == "unavailable"
    assert len(fake.requests) == 3  # one call and two retries


def test_500_on_a_write_is_not_retried(connector, fake):
    customer = connector.customer_find(document=CPF)
    fake.fault, before = "500", len(fake.requests)
    with pytest.raises(ErpFailure):
        connector.trust_unlock(customer=customer, contract=customer.contracts[0])
    assert len(fake.requests) == before + 1
    assert fake.unlocks == []


def test_malformed_json(connector, fake):
    fake.fault = "malformed"
    with pytest.raises(ErpFailure) as caught:
        connector.customer_find(document=CPF)
    assert caught.value.kind == "malformed"


def test_the_circuit_opens_after_repeated_failures_and_stops_calling(connector, fake):
    fake.fault = "500"
    for _ in range(5):
        with pytest.raises(ErpFailure):
            connector.customer_find(document=CPF)
    calls = len(fake.requests)
    with pytest.raises(ErpFailure) as caught:
        connector.customer_find(document=CPF)
    assert "circuito aberto" in caught.value.detail
    assert len(fake.requests) == calls


def test_connections_are_reused_between_calls(connector, fake):
    connector.customer_find(document=CPF)
    connector.customer_find(document=CPF)
    pool = connector.http.client._transport._pool
    assert len(pool.connections) == 1
