"""Time the ID check (is this photo an ID card?) against the checks that ran before it, per
photo of 1600 px, in the same run.

Photos: photographed ID cards (formaliza/journeys/samples.py) of 1600 × 1200 (and 1200 × 1600
upright), fronts and backs on four surfaces, plus an enlarged coffee cup (refused early: no
card). For each photo, interleaved, `repeats` times:
- the whole `image_check` (type, size, bomb, resolution, decoding, EXIF, display copy, blur, and
  the ID check), and
- the ID check alone (`id_document_check`) on the same decoded pixels (`photo_pixels`);
the existing checks are the difference. Prints medians and the ratio added / existing.

    .venv/bin/python bench/id_check.py [--repeats 7]
"""

from __future__ import annotations

import argparse
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
from formaliza.journeys.samples import Shot, id_photo  # noqa: E402
from formaliza.journeys.tests.helpers import ASTRONAUT, enlarged  # noqa: E402

SHOTS = [
    Shot(surface="madeira", seed=1),
    Shot(surface="tecido", portrait=True, turn=-8, seed=3),
    Shot(surface="mesa_clara", tilt=0.1, fill=0.6, seed=5),
    Shot(surface="mesa_escura", fill=0.85, turn=-3, seed=7, thumb=True),
]


def _ms(call) -> tuple[float, object]:
    start = time.perf_counter()
    try:
        result = call()
    except images.ImageRefused as refused:
        result = refused.code
    return (time.perf_counter() - start) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    limits = images.Limits.from_settings()
    portrait = Image.open(ASTRONAUT)
    photos = [
        (f"{side} {shot.surface}{' em pé' if shot.portrait else ''}", side, id_photo(portrait, side=side, shot=shot))
        for shot in SHOTS
        for side in ("front", "back")
    ]  # fmt: skip
    photos.append(("xícara de café (recusada)", "front", enlarged("coffee.jpg")))
    rows, totals, stages = [], [], []
    images.image_check(photos[0][2], kind="id_front", limits=limits)  # warm up (cascade load)
    for name, side, data in photos:
        pixels = images.photo_pixels(data, limits=limits)
        whole_check = partial(images.image_check, data, kind=f"id_{side}", limits=limits)
        id_check = partial(
            images.id_document_check, pixels.gray, pixels.display, front=side == "front",
            limits=limits.document,
        )  # fmt: skip
        whole, added, outcome = [], [], None
        for _ in range(args.repeats):  # interleaved: both see the same load
            ms, checked = _ms(whole_check)
            whole.append(ms)
            outcome = checked if isinstance(checked, str) else "aceita"
            added.append(_ms(id_check)[0])
        total, stage = statistics.median(whole), statistics.median(added)
        totals.append(total)
        stages.append(stage)
        rows.append((name, pixels.display.size, outcome, total - stage, stage, total))
    print(f"load average before/after: {os.getloadavg()}")
    print(f"{'photo':34} {'size':>10} {'result':>18} {'existing ms':>12} {'ID check ms':>12} "
          f"{'total ms':>9} {'added/existing':>15}")  # fmt: skip
    for name, size, outcome, existing, stage, total in rows:
        print(f"{name:34} {size[0]:>5}x{size[1]:<4} {outcome:>18} {existing:12.1f} {stage:12.1f} "
              f"{total:9.1f} {stage / existing:15.2f}")  # fmt: skip
    ids = [i for i, row in enumerate(rows) if row[2] == "aceita"]
    existing = statistics.median(totals[i] - stages[i] for i in ids)
    stage = statistics.median(stages[i] for i in ids)
    print(f"accepted ID photos (median): existing {existing:.1f} ms, ID check {stage:.1f} ms, "
          f"ratio {stage / existing:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
