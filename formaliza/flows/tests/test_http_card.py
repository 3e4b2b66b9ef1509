"""The HTTP integration executor against a real local server: the call, retries, timeouts and
the SSRF guard (internal addresses refused unless the tenant allow-lists them)."""

from __future__ import annotations

import json
import socket
import ssl

import pytest
import trustme

from formaliza.core.net import UnsafeURL, outbound_addresses
from formaliza.core.testing_http import start_receiver
from formaliza.flows.effects import executor_get
from formaliza.flows.effects import system as effects
from formaliza.flows.testing import Runner, card, flow
from formaliza.flows.tests.system_helpers import conversation, effect_ctx

pytestmark = pytest.mark.django_db


@pytest.fixture
def server(settings, monkeypatch):
    """A local server; loopback NOT globally allowed (unlike the shared `receiver` fixture)."""
    settings.OUTBOUND_ALLOWED_PRIVATE = []
    monkeypatch.setattr(effects, "BACKOFF_SECONDS", 0)
    rec, srv = start_receiver()
    yield rec
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def conv(kit):
    return conversation(kit.tenant)


def allow(conv, *items):
    conv.tenant.outbound_allowlist = list(items)
    conv.tenant.save()


def call(conv, url, **payload):
    return executor_get("http").fn(effect_ctx(conv), {"url": url, "timeout": 3, **payload})


def test_calls_with_method_headers_body_and_maps_the_response(server, conv):
    allow(conv, "127.0.0.1")
    server.reply(200, json.dumps({"dados": {"saldo": 10.5, "itens": [{"id": "A1"}]}}))
    result = call(
        conv,
        server.url + "/clientes/1?x=2",
        method="POST",
        headers={"Authorization": "Bearer abc"},
        body='{"cpf": "529"}',
        response={"saldo": "dados.saldo", "item": "dados.itens.0.id", "nada": "dados.x.y"},
    )
    assert result == {
        "ok": True,
        "status": 200,
        "values": {"saldo": 10.5, "item": "A1", "nada": ""},
    }
    [request] = server.requests
    assert (request.method, request.path) == ("POST", "/clientes/1?x=2")
    assert request.headers["Authorization"] == "Bearer abc"
    assert request.headers["Content-Type"] == "application/json"
    assert request.json() == {"cpf": "529"}


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/",
        "http://localhost:{port}/",  # a host name resolving to loopback
        "http://10.1.2.3/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/",
        "http://0.0.0.0:{port}/",
    ],
)
def test_internal_addresses_are_refused_without_a_request(server, conv, url):
    port = server.url.rsplit(":", 1)[1]
    result = call(conv, url.format(port=port))
    assert result["ok"] is False and result["error"] == "url_not_allowed"
    assert "rede interna" in result["message"]
    assert server.requests == []


def test_another_tenants_allow_list_does_not_count(server, conv, other_kit):
    other_kit.tenant.outbound_allowlist = ["127.0.0.1"]
    other_kit.tenant.save()
    assert call(conv, server.url)["error"] == "url_not_allowed"


def test_allow_list_by_host_name_or_cidr(server, conv):
    allow(conv, "localhost")
    port = server.url.rsplit(":", 1)[1]
    result = call(conv, f"http://localhost:{port}/ping")
    assert result["ok"], result
    assert server.requests[0].headers["Host"] == f"localhost:{port}"
    allow(conv, "10.0.0.0/8")
    assert outbound_addresses("http://10.1.2.3/", extra_allow=["10.0.0.0/8"]) == ["10.1.2.3"]
    with pytest.raises(UnsafeURL):
        outbound_addresses("http://169.254.169.254/", extra_allow=["10.0.0.0/8"])


def test_connects_to_the_checked_address_not_a_second_resolution(server, conv, monkeypatch):
    """DNS rebinding: the name is resolved once, checked, and that address is what we connect
    to (the Host header keeps the name)."""
    port = int(server.url.rsplit(":", 1)[1])
    real = socket.getaddrinfo
    calls = []

    def fake(host, *args, **kwargs):
        if host == "erp.cliente.example":
            calls.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    allow(conv, "erp.cliente.example")
    result = call(conv, f"http://erp.cliente.example:{port}/v1")
    assert result["ok"], result
    assert calls == ["erp.cliente.example"]
    assert server.requests[0].headers["Host"] == f"erp.cliente.example:{port}"


def test_retries_on_503_then_succeeds(server, conv):
    allow(conv, "127.0.0.1")
    server.reply(503)
    server.reply(503)
    server.reply(200, "{}")
    assert call(conv, server.url, retries=2)["ok"] is True
    assert len(server.requests) == 3


def test_retries_exhausted_and_client_errors_are_not_retried(server, conv):
    allow(conv, "127.0.0.1")
    server.reply(503)
    server.reply(503)
    result = call(conv, server.url, retries=1)
    assert (result["ok"], result["status"], result["error"]) == (False, 503, "status")
    assert len(server.requests) == 2
    server.requests.clear()
    server.reply(404)
    assert call(conv, server.url, retries=3)["status"] == 404
    assert len(server.requests) == 1


def test_redirects_are_not_followed(server, conv):
    allow(conv, "127.0.0.1")
    server.reply(302, "")
    result = call(conv, server.url)
    assert (result["ok"], result["status"]) == (False, 302)


def test_timeout_is_a_failure(server, conv):
    allow(conv, "127.0.0.1")
    server.reply(200, "{}", delay=1.5)
    result = call(conv, server.url, timeout=0.5)
    assert (result["ok"], result["error"]) == (False, "timeout")


def test_connection_refused_is_a_failure(conv, settings):
    allow(conv, "127.0.0.1")
    result = call(conv, "http://127.0.0.1:9/")  # discard port: no listener
    assert (result["ok"], result["error"]) == (False, "connection")


def test_invalid_rendered_body_and_oversized_response(server, conv):
    allow(conv, "127.0.0.1")
    result = call(conv, server.url, method="POST", body='{"n": abc}')
    assert result["error"] == "invalid_body" and server.requests == []
    server.reply(200, b"x" * (effects.MAX_RESPONSE_BYTES + 10))
    assert call(conv, server.url)["error"] == "response_too_large"


def test_bad_scheme_is_refused(conv):
    assert call(conv, "file:///etc/passwd")["error"] == "url_invalid"


def test_card_and_executor_together(server, conv):
    """The card's payload, executed for real, fed back as the result event."""
    allow(conv, "127.0.0.1")
    server.reply(200, json.dumps({"cliente": {"nome": "Ana"}}))
    data = flow(
        card("h", "http", {"success": "ok", "failure": "falha"}, method="POST",
             url=server.url + "/c/{{cpf}}", body='{"cpf": "{{cpf}}"}',
             response={"nome": "cliente.nome"}),
        card("ok", "end", text="Olá, {{nome}}"),
        card("falha", "end", text="Erro {{http_erro}}"),
        variables=["cpf", "nome"],
    )  # fmt: skip
    r = Runner(data, cpf='52"9')
    [effect] = r.of("effect")
    r.result(executor_get("http").fn(effect_ctx(conv), effect.payload))
    assert r.texts() == ["Olá, Ana"]
    assert server.requests[0].path == "/c/52%229"
    assert server.requests[0].json() == {"cpf": '52"9'}
    allow(conv)  # allow-list removed: the same card fails
    r = Runner(data, cpf="1")
    r.result(executor_get("http").fn(effect_ctx(conv), r.of("effect")[0].payload))
    assert r.texts() == ["Erro url_not_allowed"]


# --- HTTPS to the pinned address: SNI and certificate checked against the URL's host name ------

HOST = "api.integracao.example"


@pytest.fixture
def ca(tmp_path, settings):
    """A private CA (trustme) the card trusts through settings.OUTBOUND_CA_FILE."""
    authority = trustme.CA()
    path = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(path))
    settings.OUTBOUND_CA_FILE = str(path)
    return authority


@pytest.fixture
def tls_server(settings, monkeypatch):
    """Start a local HTTPS server with a certificate for `names`; HOST resolves to it."""
    settings.OUTBOUND_ALLOWED_PRIVATE = []
    monkeypatch.setattr(effects, "BACKOFF_SECONDS", 0)
    started = []

    def start(authority, *names):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        authority.issue_cert(*names).configure_cert(context)
        rec, srv = start_receiver(tls=context)
        started.append(srv)
        port = int(rec.url.rsplit(":", 1)[1])
        real = socket.getaddrinfo

        def resolve(host, *args, **kwargs):
            if host == HOST:
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
            return real(host, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", resolve)
        return rec, f"https://{HOST}:{port}"

    yield start
    for srv in started:
        srv.shutdown()
        srv.server_close()


def test_https_to_the_pinned_ip_sends_sni_and_checks_the_certificate(ca, tls_server, conv):
    server, base = tls_server(ca, HOST)
    allow(conv, "127.0.0.1")
    server.reply(200, json.dumps({"saldo": 7}))

    result = call(conv, base + "/saldo", response={"saldo": "saldo"})

    assert result == {"ok": True, "status": 200, "values": {"saldo": 7}}
    assert server.server_names == [HOST]  # SNI is the name, though we dialled 127.0.0.1
    [request] = server.requests
    assert request.headers["Host"] == base.removeprefix("https://")


def test_https_with_a_certificate_for_another_host_is_refused_without_retry(ca, tls_server, conv):
    server, base = tls_server(ca, "outro.example")
    allow(conv, "127.0.0.1")

    result = call(conv, base + "/saldo", retries=3)

    assert result["ok"] is False and result["error"] == "tls_certificate"
    assert result["message"] == f"O certificado do sistema externo não é válido para {HOST}."
    assert server.requests == []  # nothing was sent over the refused connection
    assert server.server_names == [HOST]  # one handshake: a bad certificate is not retried


def test_https_with_a_certificate_from_an_untrusted_ca_is_refused(settings, tls_server, conv):
    settings.OUTBOUND_CA_FILE = ""  # public CAs only
    server, base = tls_server(trustme.CA(), HOST)
    allow(conv, "127.0.0.1")

    result = call(conv, base + "/saldo")

    assert result["error"] == "tls_certificate" and server.requests == []
