"""Server-rendered SVG charts: the geometry here, the drawing in jinja2/reporting/_chart.jinja.

Every chart has a title and a description the page reads out, and the same figures in a table beside it. Colour
is never the only cue: special cause points are drawn as a different shape (a square above the usual, a
triangle below) and named in the table; the limits are dashed and the mean solid.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from . import spc

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 48

RULE_TEXT = {
    "outside": "outside the limits",
    "shift": "7 or more on one side of the mean",
    "trend": "7 or more rising or falling",
    "two_of_three": "2 of 3 near a limit",
}


@dataclass
class ChartPoint:
    label: str
    value: float | None  # None: not shown (a hidden count)
    shown: str  # as the table shows it
    x: float
    y: float | None
    marker: str  # "common", "high", "low" or "none"
    note: str  # the special cause, in words


@dataclass
class Line:
    name: str
    y: float
    value: float


@dataclass
class Chart:
    id: str
    title: str
    description: str
    unit: str
    points: list[ChartPoint]
    segments: list[str]  # SVG polyline point lists, broken where a month is not shown
    lines: list[Line]
    y_ticks: list[tuple[float, str]]
    x_ticks: list[tuple[float, str]]
    variation: str | None
    assurance: str | None
    kind: str = "count"  # what the figures in the table beside it are: "count", "percent" or "days"
    # The Making Data Count icons, drawn as a circle with a letter (and named in words beside it): variation
    # "C" common cause, "H" or "L" special cause higher or lower, styled improvement, concern or neither;
    # assurance "P" pass (will meet), "F" fail (will miss), "?" hit and miss.
    variation_icon: tuple[str, str] | None = None  # (letter, style)
    assurance_icon: tuple[str, str] | None = None
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    bottom_y: int = HEIGHT - BOTTOM
    right_x: int = WIDTH - RIGHT


def _nice_step(span: float) -> float:
    raw = span / 4 or 1
    magnitude = 10 ** len(str(int(raw))) / 10
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= raw:
            return step * magnitude
    return 10 * magnitude


def _fmt(value: float, unit: str) -> str:
    text = f"{value:,.0f}" if abs(value - round(value)) < 1e-9 or abs(value) >= 10 else f"{value:,.1f}"
    return f"{text}%" if unit == "%" else text


def xmr_chart(
    *,
    id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    shown: Sequence[str],
    unit: str = "",
    improvement: str | None = None,
    target: float | None = None,
) -> Chart:
    """An XmR chart of a monthly series. Months whose figure is hidden are gaps, left out of the limits too."""
    known = [v for v in values if v is not None]
    chart_spc = spc.xmr(known, improvement=improvement, target=target) if len(known) >= 2 else None
    extra = [chart_spc.upper, chart_spc.lower] if chart_spc else []
    extra += [target] if target is not None else []
    low = min([0.0, *known, *extra])
    high = max([1.0, *known, *extra])
    if unit == "%":
        low, high = max(low, 0.0), min(max(high, 1.0), 100.0)
    step = _nice_step(high - low)
    low = (low // step) * step
    high = -(-high // step) * step
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y_of(v):
        v = min(max(v, low), high)
        return round(TOP + plot_h * (1 - (v - low) / (high - low or 1)), 1)

    def x_of(i):
        return round(LEFT + (plot_w * (i + 0.5) / max(len(values), 1)), 1)

    spc_points = iter(chart_spc.points if chart_spc else [])
    points, segments, current = [], [], []
    for i, (label, value, text) in enumerate(zip(labels, values, shown, strict=True)):
        marker, note = "none", "Not shown: a small number" if text == "*" else "Nothing to show"
        if value is not None:
            p = next(spc_points, None)
            marker, note = "common", "Common cause"
            if p is not None and p.special:
                rules = p.high if p.special == spc.HIGH else p.low
                word = "above" if p.special == spc.HIGH else "below"
                marker = p.special
                note = f"Special cause, {word} the usual: " + ", ".join(RULE_TEXT[r] for r in sorted(rules))
            current.append(f"{x_of(i)},{y_of(value)}")
        elif current:
            segments.append(" ".join(current))
            current = []
        points.append(ChartPoint(label, value, text, x_of(i), y_of(value) if value is not None else None, marker, note))
    if current:
        segments.append(" ".join(current))
    lines = []
    if chart_spc:
        lines += [
            Line("Mean", y_of(chart_spc.mean), chart_spc.mean),
            Line("Upper process limit", y_of(chart_spc.upper), chart_spc.upper),
            Line("Lower process limit", y_of(chart_spc.lower), chart_spc.lower),
        ]
    if target is not None:
        lines.append(Line("Target", y_of(target), target))
    ticks, v = [], low
    while v <= high + 1e-9:
        ticks.append((y_of(v), _fmt(v, unit)))
        v += step
    every = max(1, -(-len(labels) // 8))
    x_ticks = [(x_of(i), label) for i, label in enumerate(labels) if i % every == 0]
    variation = chart_spc.variation_text if chart_spc else None
    assurance = chart_spc.assurance_text if chart_spc else None
    icons = icons_of(chart_spc) if chart_spc else (None, None)
    description = _describe(title, labels, chart_spc, unit, len(known), len(values))
    kind = {"%": "percent", "days": "days"}.get(unit, "count")
    return Chart(
        id, title, description, unit, points, segments, lines, ticks, x_ticks, variation, assurance, kind, *icons
    )


def icons_of(chart_spc: spc.XmR) -> tuple[tuple[str, str], tuple[str, str] | None]:
    """The variation and assurance icons: a letter and a style ("improvement", "concern", "neutral")."""
    side = chart_spc.points[-1].special
    letter = {spc.HIGH: "H", spc.LOW: "L"}.get(side, "C")
    style = {spc.IMPROVEMENT: "improvement", spc.CONCERN: "concern"}.get(chart_spc.variation, "neutral")
    assurance = {
        spc.MEETS_TARGET: ("P", "improvement"),
        spc.MISSES_TARGET: ("F", "concern"),
        spc.HIT_AND_MISS: ("?", "neutral"),
    }.get(chart_spc.assurance)
    return (letter, style), assurance


def _describe(title, labels, chart_spc, unit, n_known, n_all) -> str:
    if not labels:
        return f"{title}: no months to show."
    span = f"{labels[0]} to {labels[-1]}"
    if chart_spc is None:
        return f"{title}, {span}: too few months shown to draw process limits. The table beside it has the figures."
    parts = [
        f"{title}, {span}, as a statistical process control chart.",
        f"Mean {_fmt(chart_spc.mean, unit)}, process limits {_fmt(chart_spc.lower, unit)} to "
        f"{_fmt(chart_spc.upper, unit)}.",
        f"{chart_spc.variation_text}.",
    ]
    if chart_spc.assurance_text:
        parts.append(f"{chart_spc.assurance_text}.")
    if n_known < n_all:
        parts.append(f"{n_all - n_known} months are not shown because their numbers are small.")
    if not chart_spc.reliable:
        parts.append("Fewer than 15 months: the limits are less reliable.")
    return " ".join(parts)
