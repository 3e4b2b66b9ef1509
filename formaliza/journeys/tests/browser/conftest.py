"""Playwright driving Debian's Chromium (/usr/bin/chromium; never `playwright install`) in a
mobile viewport against pytest-django's live_server. One browser per test session (per xdist
worker) and camera; a fresh context per test. The fake camera of `chromium` plays a frame built
from the public-domain astronaut photo with the face inside the selfie oval, so the real face
check passes; that of `document_chromium` (started only by the tests that use it) a
photographed ID card front (journeys/samples.py), so the real ID check passes."""

from __future__ import annotations

import io
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from formaliza.journeys.samples import Shot
from formaliza.journeys.tests.helpers import face_frame, id_front_jpeg

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


def write_y4m(path: Path, rgb: np.ndarray, frames: int = 3) -> Path:
    """A Y4M (YUV 4:2:0) video of one 640x480 frame: what --use-file-for-fake-video-capture
    plays."""
    i420 = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420)
    with path.open("wb") as out:
        out.write(b"YUV4MPEG2 W640 H480 F15:1 Ip A1:1 C420jpeg\n")
        for _ in range(frames):
            out.write(b"FRAME\n")
            out.write(i420.tobytes())
    return path


def _launch(playwright, video: Path):
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync",
            "--disable-dev-shm-usage",
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )  # fmt: skip


@pytest.fixture(scope="session")
def playwright_driver():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: add chromium to SYSTEM_PACKAGES in .ci/run")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread for the whole session;
    # Django would then refuse ORM calls from the tests ("async context"). They are synchronous
    # test code, so the check is turned off for this test process only.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def chromium(playwright_driver, tmp_path_factory):
    """The browser whose camera sees a face inside the selfie oval."""
    frame = np.asarray(face_frame(size=(640, 480)))
    video = write_y4m(tmp_path_factory.mktemp("camera") / "face.y4m", frame)
    browser = _launch(playwright_driver, video)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def document_chromium(playwright_driver, tmp_path_factory):
    """A second browser whose camera sees an ID card's front lying on a table."""
    photo = Image.open(io.BytesIO(id_front_jpeg(Shot(long_side=640)))).convert("RGB")
    video = write_y4m(tmp_path_factory.mktemp("camera") / "id.y4m", np.asarray(photo))
    browser = _launch(playwright_driver, video)
    yield browser
    browser.close()


def _phone(browser, live_server, **options):
    context = browser.new_context(**MOBILE, base_url=live_server.url, **options)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def phone(chromium, live_server):
    """A new mobile browser context (its own cookies), with the camera allowed."""
    context = _phone(chromium, live_server, permissions=["camera"])
    yield context.new_page()
    context.close()


@pytest.fixture
def document_phone(document_chromium, live_server):
    """A phone whose camera is pointed at the ID card."""
    context = _phone(document_chromium, live_server, permissions=["camera"])
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_without_js(chromium, live_server):
    context = _phone(chromium, live_server, java_script_enabled=False)
    yield context.new_page()
    context.close()
