"""A fake Hubsoft integration API as a real HTTP server (tests, bench and the demo).

It speaks the documented wire format (see adapters/hubsoft.py): OAuth password grant with
the configured client and user, Bearer tokens (401 without one), the customer and finance
searches by `cpf_cnpj`, the trust unlock, and `{status: "error", msg}` errors. `fault` makes
the next answers misbehave: "500", "malformed", "slow" (sleeps `slow_seconds`).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class FakeHubsoft:
    client_id: str = "3"
    client_secret: str = "segredo-cliente"  # noqa: S105 -- the fake's own test value
    username: str = "api@provedor.com.br"
    password: str = "senha-api"  # noqa: S105 -- the fake's own test value
    customers: list[dict] = field(default_factory=list)
    invoices: list[dict] = field(default_factory=list)  # each with "cpf_cnpj"
    unlocks: list[dict] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    fault: str = ""
    delay: float = 0.0  # every answer waits this long (the bench's 50 ms ERP)
    slow_seconds: float = 2.0
    url: str = ""
    files: dict[str, bytes] = field(default_factory=dict)  # GET path -> boleto PDF (a `link`)
    _tokens: set[str] = field(default_factory=set)
    _server: ThreadingHTTPServer | None = None

    def start(self, port: int = 0) -> FakeHubsoft:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real ERP behind nginx
            disable_nagle_algorithm = True  # nginx's tcp_nodelay (its default)

            def do_GET(self):
                fake._handle(self, "GET")

            def do_POST(self):
                fake._handle(self, "POST")

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # --- dispatch -----------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(h.path)
        self.requests.append((method, parts.path))
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        if self.delay:
            time.sleep(self.delay)
        if self.fault == "slow":
            time.sleep(self.slow_seconds)
        if self.fault == "500":
            return self._send(h, 500, b"<html>Internal Server Error</html>", "text/html")
        if self.fault == "malformed":
            return self._send(h, 200, b'{"status": "success", "clientes": [', "application/json")
        if method == "GET" and parts.path in self.files:  # the boleto link: no token needed
            return self._send(h, 200, self.files[parts.path], "application/pdf")
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            return self._json(h, 400, {"status": "error", "msg": "JSON inválido"})
        if method == "POST" and parts.path == "/oauth/token":
            return self._token(h, body)
        token = h.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self._tokens:
            return self._json(h, 401, {"message": "Unauthenticated."})
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        routes = {
            ("GET", "/api/v1/integracao/cliente"): self._customers,
            ("GET", "/api/v1/integracao/cliente/financeiro"): self._finance,
            ("POST", "/api/v1/integracao/cliente/desbloqueio_confianca"): self._unlock,
        }
        route = routes.get((method, parts.path))
        if route is None:
            return self._json(h, 404, {"status": "error", "msg": "Rota não encontrada"})
        status, payload = route(query, body)
        return self._json(h, status, payload)

    def _token(self, h, body: dict) -> None:
        expected = {
            "grant_type": "password", "client_id": self.client_id,
            "client_secret": self.client_secret, "username": self.username,
            "password": self.password,
        }  # fmt: skip
        if {k: str(body.get(k, "")) for k in expected} != expected:
            return self._json(
                h, 401, {"error": "invalid_credentials", "message": "The user credentials were incorrect."}
            )  # fmt: skip
        token = secrets.token_urlsafe(24)
        self._tokens.add(token)
        return self._json(
            h, 200, {"token_type": "Bearer", "expires_in": 2592000, "access_token": token,
                     "refresh_token": secrets.token_urlsafe(16)},
        )  # fmt: skip

    def _customers(self, query: dict, body: dict):
        if query.get("busca") != "cpf_cnpj" or not query.get("termo_busca"):
            return 422, {"status": "error", "msg": "Parâmetros busca e termo_busca obrigatórios"}
        found = [c for c in self.customers if c["cpf_cnpj"] == query["termo_busca"]]
        limit = max(1, min(int(query.get("limit") or 5), 100))
        return 200, {"status": "success", "msg": "Dados consultados com sucesso",
                     "clientes": found[:limit]}  # fmt: skip

    def _finance(self, query: dict, body: dict):
        if query.get("busca") not in ("cpf_cnpj", "codigo_cliente", "id_cliente_servico"):
            return 422, {"status": "error", "msg": "Parâmetro busca inválido"}
        rows = [
            {k: v for k, v in i.items() if k != "cpf_cnpj"}
            for i in self.invoices
            if i["cpf_cnpj"] == query.get("termo_busca")
            and (query.get("apenas_pendente", "sim") != "sim" or not i.get("data_pagamento"))
        ]
        limit = max(1, min(int(query.get("limit") or 20), 50))
        return 200, {"status": "success", "msg": "Dados consultados com sucesso",
                     "faturas": rows[:limit]}  # fmt: skip

    def _unlock(self, query: dict, body: dict):
        service = str(body.get("id_cliente_servico", ""))
        self.unlocks.append(dict(body))
        known = any(
            str(s["id_cliente_servico"]) == service
            for c in self.customers
            for s in c.get("servicos", [])
        )
        if not known:
            return 200, {"status": "error", "msg": "Serviço não encontrado"}
        return 200, {"status": "success",
                     "msg": "Desbloqueio em confiança realizado com sucesso"}  # fmt: skip

    def _json(self, h, status: int, payload) -> None:
        self._send(h, status, json.dumps(payload).encode(), "application/json")

    def _send(self, h, status: int, data: bytes, content_type: str) -> None:
        try:
            h.send_response(status)
            h.send_header("Content-Type", content_type)
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
