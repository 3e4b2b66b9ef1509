"""What the triage pages draw that is not data: the 14-day chart of each list as SVG bars."""

from __future__ import annotations

from dataclasses import dataclass

BAR_W, GAP, HEIGHT = 7, 4, 48


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    h: int
    value: int
    day: str


def chart_bars(days: list[dict]) -> dict:
    """Entered (left bar) and resolved (right bar) per day, scaled to the busiest day."""
    peak = max([1, *(d["entered"] for d in days), *(d["resolved"] for d in days)])
    entered, resolved = [], []
    for i, d in enumerate(days):
        x = i * (2 * BAR_W + GAP)
        label = d["day"].strftime("%d/%m")
        for key, bars, dx in (("entered", entered, 0), ("resolved", resolved, BAR_W)):
            h = round(d[key] * HEIGHT / peak)
            bars.append(Bar(x=x + dx, y=HEIGHT - h, h=h, value=d[key], day=label))
    return {
        "entered": entered, "resolved": resolved, "width": len(days) * (2 * BAR_W + GAP),
        "height": HEIGHT, "bar": BAR_W - 1,
        "total_entered": sum(d["entered"] for d in days),
        "total_resolved": sum(d["resolved"] for d in days),
    }  # fmt: skip
