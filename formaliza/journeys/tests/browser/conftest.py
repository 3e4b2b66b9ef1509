"""The journey's browser tests use the shared browser fixtures (formaliza/core/testing_browser.py)
with fake cameras: `chromium` plays a frame built from the public-domain astronaut photo with the
face inside the selfie oval, so the real face check passes; `document_chromium` (started only by
the tests that use it) a photographed ID card front (journeys/samples.py), so the real ID check
passes."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from formaliza.core.testing_browser import PHONE, TIMEOUT_MS, launch_chromium
from formaliza.journeys.samples import Shot
from formaliza.journeys.tests.helpers import face_frame, id_front_jpeg


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
    return launch_chromium(
        playwright,
        extra_args=[
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )  # fmt: skip


@pytest.fixture(scope="session")
def chromium(playwright_driver, tmp_path_factory):
    """The browser whose camera sees a face inside the selfie oval."""
    frame = np.asarray(face_frame(size=(640, 480)))
    browser = _launch(
        playwright_driver, write_y4m(tmp_path_factory.mktemp("camera") / "face.y4m", frame)
    )
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


@pytest.fixture
def phone(new_page):
    """A new phone-sized context (its own cookies), with the camera allowed."""
    return new_page("phone", permissions=["camera"])


@pytest.fixture
def document_phone(document_chromium, live_server):
    """A phone whose camera is pointed at the ID card."""
    context = document_chromium.new_context(
        **PHONE, base_url=live_server.url, permissions=["camera"]
    )
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()
