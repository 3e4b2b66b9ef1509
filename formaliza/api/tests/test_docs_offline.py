"""/api/docs works without internet: Swagger UI comes from our own static files, never a CDN."""

import re

from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def _references(html: str) -> list[str]:
    return REFERENCE.findall(html)


def _assert_only_local(urls: list[str], static_url: str) -> list[str]:
    assert urls, "the docs page references no script or style at all"
    for url in urls:
        assert not re.match(r"^(?:[a-z]+:)?//", url, re.IGNORECASE), f"external URL: {url}"
    assets = [u for u in urls if u.startswith(static_url)]
    assert any(u.endswith(".js") for u in assets) and any(u.endswith(".css") for u in assets)
    return assets


def test_the_docs_page_loads_swagger_ui_from_our_static_files(client, settings):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    for url in _assert_only_local(_references(html), settings.STATIC_URL):
        assert finders.find(url.removeprefix(settings.STATIC_URL)), f"{url} is not a static file"


def test_collected_swagger_ui_files_are_served_by_the_app(settings, tmp_path):
    # What `make run` does: collectstatic with the production storage, then WhiteNoise serves it.
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", "-v", "0")
    client = Client()  # a new handler: WhiteNoise indexes the collected files
    html = client.get("/api/docs").content.decode()
    assets = _assert_only_local(_references(html), settings.STATIC_URL)
    for url in assets:
        assert (settings.STATIC_ROOT / url.removeprefix(settings.STATIC_URL)).is_file()
        served = client.get(url)
        assert served.status_code == 200, url
        assert b"".join(served.streaming_content if served.streaming else [served.content])
