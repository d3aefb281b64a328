"""Outcome measures: the DIALOG items (from data/dialog.csv, source in data/README.md), their scores, and the
small server-rendered charts that show scores over time."""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from statistics import mean

DATA = Path(__file__).parent / "data"
DIALOG_SCALE = range(1, 8)  # 1 totally dissatisfied ... 4 neutral ... 7 totally satisfied
DIALOG_SCALE_LABELS = {
    1: "1 - totally dissatisfied",
    2: "2 - very dissatisfied",
    3: "3 - fairly dissatisfied",
    4: "4 - in the middle",
    5: "5 - fairly satisfied",
    6: "6 - very satisfied",
    7: "7 - totally satisfied",
}
LIFE_ITEMS = range(1, 9)
TREATMENT_ITEMS = range(9, 12)
GBO_SCALE = range(0, 11)
GBO_GOAL_CODES = ("1638531000000102", "1638541000000106", "1638551000000109")
REQOL_RANGES = {10: 40, 20: 80}


@dataclass(frozen=True)
class DialogItem:
    item: int
    group: str
    domain: str
    question: str
    snomed_code: str


@cache
def dialog_items() -> tuple[DialogItem, ...]:
    with open(DATA / "dialog.csv", newline="", encoding="utf-8") as f:
        rows = [
            DialogItem(int(r["item"]), r["group"], r["domain"], r["question"], r["snomed_code"])
            for r in csv.DictReader(f)
        ]
    assert [r.item for r in rows] == list(range(1, 12)), "dialog.csv must list items 1 to 11"
    return tuple(rows)


def dialog_item(number: int) -> DialogItem:
    return dialog_items()[number - 1]


def dialog_scores(scores: dict[int, int]) -> dict[str, float | None]:
    """Mean of items 1-8 (subjective quality of life) and of items 9-11 (treatment satisfaction)."""
    life = [scores[i] for i in LIFE_ITEMS if i in scores]
    treatment = [scores[i] for i in TREATMENT_ITEMS if i in scores]
    return {
        "quality_of_life": round(mean(life), 2) if life else None,
        "treatment_satisfaction": round(mean(treatment), 2) if treatment else None,
    }


def line_chart(series: list[dict], *, y_min: float, y_max: float, width=480, height=200) -> dict:
    """Points for a small SVG line chart. `series` items: {"label", "points": [(label, value), ...]}.
    Returns coordinates for the template; the page shows the same figures in a table."""
    left, right, top, bottom = 36, 12, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max((len(s["points"]) for s in series), default=0)
    step = plot_w / (n - 1) if n > 1 else 0

    def y(value):
        return top + plot_h - (value - y_min) / (y_max - y_min) * plot_h

    drawn = []
    for index, s in enumerate(series):
        pts = [(left + i * step, y(v), label, v) for i, (label, v) in enumerate(s["points"]) if v is not None]
        drawn.append(
            {
                "label": s["label"],
                "style": index % 4,
                "path": " ".join(f"{x:.1f},{yy:.1f}" for x, yy, _, _ in pts),
                "points": [{"x": round(x, 1), "y": round(yy, 1), "label": lab, "value": v} for x, yy, lab, v in pts],
            }
        )
    ticks = [{"value": v, "y": round(y(v), 1)} for v in _ticks(y_min, y_max)]
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "top": top,
        "bottom": top + plot_h,
        "series": drawn,
        "ticks": ticks,
    }


def _ticks(lo, hi):
    span = hi - lo
    step = 1 if span <= 7 else 2
    return list(range(int(lo), int(hi) + 1, step))
