"""Time the face match (selfie × the ID front's printed face) per pair at 1600 px, next to the
existing selfie face-presence check in the same run, and the memory of a worker process with
the model loaded.

Pairs: the shared test photos of two people (journeys/tests/fixtures/faces): each photo framed
as a selfie and enlarged to 1200 × 1600, against a photographed ID front (journeys/samples.py)
of 1600 px with another photo's portrait printed on it — every ordered pair of two different
photos (20: 8 same-person, 12 different). Each photo first goes through the journey's own
`image_check`, and the comparison gets the stored display copies, as the worker does. For each
pair, interleaved, `repeats` times:
- the face match: `DlibFaceVerifier.compare` (HOG detection on both photos, the document's at a
  larger size and upsampled when needed, 5-point alignment, 128-d descriptors, distance), and
- the existing face-presence check on the same selfie: the Haar cascade (`images.face_check`)
  on its working-size pixels, and the whole selfie `image_check` it is part of.
Memory: the process's resident set (VmRSS) after Django's setup, after the model is loaded,
and at the end (peak VmHWM too). The model is loaded once (first call), timed apart.

    .venv/bin/python bench/face_match.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from PIL import Image  # noqa: E402

from formaliza.journeys import images  # noqa: E402
from formaliza.journeys.adapters import dlib_face  # noqa: E402
from formaliza.journeys.samples import Shot, id_photo  # noqa: E402
from formaliza.journeys.tests.helpers import FACES, SELFIE_CROPS, jpeg  # noqa: E402

NAMES = list(SELFIE_CROPS)


def _memory_mb() -> dict[str, float]:
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


def _selfie_1600(name: str) -> bytes:
    image = Image.open(FACES / f"{name}.jpg").convert("RGB")
    return jpeg(image.crop(SELFIE_CROPS[name]).resize((1200, 1600), Image.Resampling.LANCZOS))


def _id_front_1600(name: str) -> bytes:
    portrait = Image.open(FACES / f"{name}.jpg").convert("RGB")
    return id_photo(portrait, side="front", shot=Shot(long_side=1600, seed=3))


def _ms(call) -> tuple[float, object]:
    start = time.perf_counter()
    result = call()
    return (time.perf_counter() - start) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    limits = images.Limits.from_settings()
    memory = {"after Django setup": _memory_mb()}

    selfies, documents = {}, {}
    for name in NAMES:  # what the worker reads: the display copies image_check stored
        selfies[name] = (
            _selfie_1600(name),
            images.image_check(_selfie_1600(name), kind="selfie", limits=limits),
        )
        documents[name] = images.image_check(_id_front_1600(name), kind="id_front", limits=limits)
    memory["photos prepared, before the model"] = _memory_mb()
    verifier = dlib_face.DlibFaceVerifier()
    load_ms, _ = _ms(dlib_face._models)
    memory["model loaded"] = _memory_mb()

    rows, matches, presences, wholes = [], [], [], []
    for document, selfie in itertools.permutations(NAMES, 2):
        raw, checked = selfies[selfie]
        pixels = images.photo_pixels(raw, limits=limits)
        scale = pixels.display.width / pixels.work.width
        compare = partial(
            verifier.compare, selfie_jpeg=checked.display_jpeg,
            document_jpeg=documents[document].display_jpeg,
        )  # fmt: skip
        presence = partial(images.face_check, pixels.gray, scale=scale)
        whole = partial(images.image_check, raw, kind="selfie", limits=limits)
        match_ms, presence_ms, whole_ms, result = [], [], [], None
        for _ in range(args.repeats):  # interleaved: all three see the same load
            ms, result = _ms(compare)
            match_ms.append(ms)
            presence_ms.append(_ms(presence)[0])
            whole_ms.append(_ms(whole)[0])
        same = document.split("_")[0] == selfie.split("_")[0]
        row = (f"ID {document} × selfie {selfie}", same, result.outcome, result.score,
               statistics.median(match_ms), statistics.median(presence_ms),
               statistics.median(whole_ms))  # fmt: skip
        rows.append(row)
        matches.append(row[4])
        presences.append(row[5])
        wholes.append(row[6])
    memory["after every pair"] = _memory_mb()

    print(f"load average: {os.getloadavg()}, cpus: {os.cpu_count()}, repeats: {args.repeats}")
    print(f"model load (once per process): {load_ms:.0f} ms")
    print(
        "| pair | same person | outcome | score | face match ms | Haar presence ms | whole selfie check ms |"
    )
    print("|---|---|---|---:|---:|---:|---:|")
    for name, same, outcome, score, match, presence, whole in rows:
        print(
            f"| {name} | {'sim' if same else 'não'} | {outcome} | {score:.3f} | {match:.0f} | {presence:.0f} | {whole:.0f} |"
        )
    print(
        f"median of pairs: face match {statistics.median(matches):.0f} ms (max "
        f"{max(matches):.0f}), Haar presence {statistics.median(presences):.0f} ms, whole selfie "
        f"check {statistics.median(wholes):.0f} ms; face match / presence "
        f"{statistics.median(matches) / statistics.median(presences):.1f}x"
    )
    for stage, values in memory.items():
        print(f"memory {stage}: RSS {values['VmRSS']:.0f} MB (peak {values['VmHWM']:.0f} MB)")


if __name__ == "__main__":
    main()
