"""Another tenant's objects are 404, everywhere: a matrix generated from the URL configuration
(every back-office page and form action with a path parameter) and from the OpenAPI document
(every authenticated operation with a path parameter). Tenant A is the demo tenant
(`demo_seed`, objects from formaliza/demo/tests/pages.py); tenant B's administrator (every
permission) and API key ask for A's objects: every GET and every POST answers 404 — also a POST
whose body is invalid (a 400/422 about the body would reveal that the id exists).

A new page, action or endpoint is in the matrix the day it is added. Its path parameters get
their values from the page builders (`@builds`) or, for actions and API operations, from
`@provides("<namespace>:<parameter>")` in pages.py; an unknown parameter fails here, naming it."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from formaliza.accounts import services as accounts
from formaliza.accounts.roles import Role
from formaliza.api.api import api
from formaliza.core.tenant_lookups import LOOKUPS
from formaliza.core.testing_urls import named_routes
from formaliza.demo.tests.pages import BUILDERS, PARAMS, World

SKIPPED_NAMESPACES = ("admin", "api")


def _namespace(route_name: str) -> str:
    return route_name.rsplit(":", 1)[0] if ":" in route_name else ""


class Values:
    """Tenant A's value for a path parameter, by namespace."""

    def __init__(self, world: World):
        self.world = world
        self.known: dict[str, object] = {}
        for name, builder in BUILDERS.items():
            for param, value in builder(world).kwargs.items():
                self.known.setdefault(f"{_namespace(name)}:{param}", value)
        self.missing: set[str] = set()

    def get(self, namespace: str, param: str):
        key = f"{namespace}:{param}"
        if key not in self.known and key in PARAMS:
            self.known[key] = PARAMS[key](self.world)
        if key not in self.known:
            self.missing.add(key)
            return None
        return self.known[key]

    def assert_complete(self):
        assert not self.missing, (
            "Path parameters with no value for the tenant matrix: "
            f"{', '.join(sorted(self.missing))}. Register one in formaliza/demo/tests/pages.py "
            'with @provides("<namespace>:<parameter>") (or a page builder with @builds) that '
            "returns an object of the demo tenant."
        )


def _tenant_b():
    tenant = accounts.tenant_create(name="Outra Promotora", slug="outra-promotora-matrix")
    admin = accounts.user_create(
        tenant=tenant, email="admin@outra.example.com", password="s3nha-de-teste-longa",
        role=Role.ADMIN, first_name="Outra",
    )  # fmt: skip
    key = accounts.api_key_create(tenant=tenant, name="Integrador da outra").plaintext
    return admin, key


def _backoffice_routes():
    """(route, kind) for every named route with path parameters a signed-in user reaches:
    "page" (anonymous GET → login) or "action" (anonymous GET → 405, anonymous POST → login).
    Public routes (a journey link's token is its own secret) are neither."""
    anonymous = Client()
    found = []
    for route, converters in named_routes():
        if not route.params or route.name.split(":")[0] in SKIPPED_NAMESPACES:
            continue
        response = anonymous.get(reverse(route.name, kwargs=route.placeholder_kwargs(converters)))
        if response.status_code == 302 and "/conta/" in response.get("Location", ""):
            found.append((route, "page"))
        elif response.status_code == 405:
            url = reverse(route.name, kwargs=route.placeholder_kwargs(converters))
            posted = anonymous.post(url, {})
            if posted.status_code == 302 and "/conta/" in posted.get("Location", ""):
                found.append((route, "action"))
    return found


def test_tenant_b_gets_404_for_every_object_of_tenant_a(db):
    world = World()
    values = Values(world)
    admin_b, key_b = _tenant_b()
    browser = Client()
    browser.force_login(admin_b)
    leaks, checked = [], 0

    for route, kind in _backoffice_routes():
        kwargs = {p: values.get(_namespace(route.name), p) for p in route.params}
        if None in kwargs.values():
            continue
        url = reverse(route.name, kwargs=kwargs)
        answers = {}
        if kind == "page":
            answers["GET"] = browser.get(url).status_code
        answers["POST"] = browser.post(url, {}).status_code
        checked += 1
        for method, status in answers.items():
            allowed = {404, 405} if (kind == "page" and method == "POST") else {404}
            if status not in allowed:
                leaks.append(f"{method} {url} ({route.name}) → {status}")

    schema = api.get_openapi_schema(path_prefix="/api")
    headers = {"HTTP_X_API_KEY": key_b}
    for path, operations in schema["paths"].items():
        namespace = path.split("/")[3]
        for method, operation in operations.items():
            params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            if not params or not operation.get("security"):
                continue  # public operations (verification by code) are nobody's objects
            kwargs = {p: values.get(namespace, p) for p in params}
            if None in kwargs.values():
                continue
            url = path.format(**kwargs)
            checked += 1
            if method == "get":
                answers = {"GET": browser.get(url, **headers).status_code}
            else:
                send = getattr(browser, method)
                answers = {
                    f"{method.upper()} (invalid body)": send(
                        url, data="[]", content_type="application/json", **headers
                    ).status_code,
                    f"{method.upper()} (not JSON)": send(
                        url, data="{no", content_type="application/json", **headers
                    ).status_code,
                }
            unregistered = [p for p in params if (namespace, p) not in LOOKUPS]
            hint = (
                f" — no tenant lookup for {', '.join(f'{namespace}:{p}' for p in unregistered)}:"
                ' register one with @tenant_lookup("<namespace>", "<param>") next to the router'
                if unregistered
                else ""
            )
            leaks += [f"{m} {url} → {s}{hint}" for m, s in answers.items() if s != 404]

    values.assert_complete()
    assert checked >= 40, checked
    assert not leaks, "another tenant's objects answered other than 404:\n" + "\n".join(leaks)
