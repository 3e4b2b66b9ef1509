"""The journey's browser tests use the shared browser fixtures (formaliza/core/testing_browser.py)
with a fake camera: Chromium plays a frame built from the public-domain astronaut photo with the
face inside the selfie oval, so the real face check passes."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from formaliza.core.testing_browser import launch_chromium
from formaliza.journeys.tests.helpers import face_frame


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


@pytest.fixture(scope="session")
def chromium(playwright_driver, tmp_path_factory):
    video = write_y4m(tmp_path_factory.mktemp("camera") / "face.y4m")
    browser = launch_chromium(
        playwright_driver,
        extra_args=[
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )  # fmt: skip
    yield browser
    browser.close()


@pytest.fixture
def phone(new_page):
    """A new phone-sized context (its own cookies), with the camera allowed."""
    return new_page("phone", permissions=["camera"])
