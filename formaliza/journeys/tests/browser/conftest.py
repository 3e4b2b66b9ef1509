"""Playwright driving Debian's Chromium (/usr/bin/chromium; never `playwright install`) in a
mobile viewport against pytest-django's live_server. One browser per test session (per xdist
worker); a fresh context per test. The fake camera plays a frame built from the public-domain
astronaut photo with the face inside the selfie oval, so the real face check passes."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from formaliza.journeys.tests.helpers import face_frame

CHROMIUM = "/usr/bin/chromium"
MOBILE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "pt-BR",
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 10; SM-A105M) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0 Mobile Safari/537.36"
    ),
}


def write_y4m(path: Path, frames: int = 3) -> Path:
    """A Y4M (YUV 4:2:0) video of the face frame: what --use-file-for-fake-video-capture plays."""
    rgb = np.asarray(face_frame(size=(640, 480)))
    i420 = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420)
    with path.open("wb") as out:
        out.write(b"YUV4MPEG2 W640 H480 F15:1 Ip A1:1 C420jpeg\n")
        for _ in range(frames):
            out.write(b"FRAME\n")
            out.write(i420.tobytes())
    return path


_shared: dict = {}


def shared_browser(tmp_path_factory):
    """One Playwright and one Chromium per test process, whichever conftest asks first: a
    second `sync_playwright()` in the same process fails ("Sync API inside the asyncio loop"),
    so other apps' browser tests (formaliza/cases) reuse this one."""
    if "browser" in _shared:
        return _shared["browser"]
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: add chromium to SYSTEM_PACKAGES in .ci/run")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread for the whole session;
    # Django would then refuse ORM calls from the tests ("async context"). They are synchronous
    # test code, so the check is turned off for this test process only.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    video = write_y4m(tmp_path_factory.mktemp("camera") / "face.y4m")
    playwright = sync_playwright().start()
    _shared["playwright"] = playwright
    _shared["browser"] = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync",
            "--disable-dev-shm-usage",
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )  # fmt: skip
    return _shared["browser"]


def shared_browser_close() -> None:
    if "browser" in _shared:
        _shared.pop("browser").close()
        _shared.pop("playwright").stop()


@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    yield shared_browser(tmp_path_factory)
    shared_browser_close()


@pytest.fixture
def phone(chromium, live_server):
    """A new mobile browser context (its own cookies), with the camera allowed."""
    context = chromium.new_context(**MOBILE, base_url=live_server.url, permissions=["camera"])
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_without_js(chromium, live_server):
    context = chromium.new_context(**MOBILE, base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()
