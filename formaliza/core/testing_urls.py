"""The back office's pages, read from the URL configuration, for tests that must cover every
page without anyone listing them (a new page is covered the day its URL is added).

A route is a back-office page when an anonymous GET of it is sent to the login page; it is an
action (a form's target) when GET is refused with 405 before any sign-in check (`require_POST`
outermost, as every action view does). Public pages, the API, webhooks and the Django admin
are neither."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter

# Placeholders for path parameters: enough to classify a route (no object is looked up before
# the sign-in check), never a real object.
_PLACEHOLDER = {IntConverter: 987654321, UUIDConverter: uuid.UUID(int=1)}


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    pattern: str  # "esteira/<str:number>/"
    params: tuple[str, ...]  # the path parameters, in order

    def placeholder_kwargs(self, converters: dict) -> dict:
        return {p: _PLACEHOLDER.get(type(converters[p]), "zz-nada") for p in self.params}


def _walk(resolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[Route, dict]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(n for n in (namespace, entry.namespace or "") if n)
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = entry.pattern.converters
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield Route(name, prefix + str(entry.pattern), tuple(converters)), converters


def named_routes() -> list[tuple[Route, dict]]:
    """Every named route with its path converters, in URL-configuration order."""
    return list(_walk(get_resolver()))


def backoffice_routes() -> list[Route]:
    """The routes a signed-in user opens with GET: pages, their downloads and JSON polls."""
    login = resolve_url(settings.LOGIN_URL)
    anonymous = Client()
    found = []
    for route, converters in named_routes():
        if route.name.startswith("admin:"):
            continue  # Django's own admin, its own pages and styles (re_path routes)
        url = reverse(route.name, kwargs=route.placeholder_kwargs(converters))
        response = anonymous.get(url)
        location = urlsplit(response.get("Location", "")).path
        if response.status_code == 302 and location == login:
            found.append(route)
    return found
