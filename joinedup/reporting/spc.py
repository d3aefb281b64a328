"""Statistical process control for monthly series: XmR charts as NHS England's "Making Data Count" draws them.

The centre line is the mean; the process limits are the mean plus and minus 2.66 times the mean moving range
(the moving range being the difference between each point and the one before). A point is special cause
variation when it is part of any of these patterns, and common cause variation otherwise:

- it is outside the process limits;
- a shift: 7 or more points in a row above the mean, or 7 or more below it (a point on the mean breaks the run);
- a trend: 7 or more points in a row each higher than the one before, or each lower (a repeat breaks the run);
- 2 of 3 points in a row beyond two thirds of the way from the mean to a limit, on the same side (the points
  beyond are flagged).

The variation icon is read from the latest point, the assurance icon from where the target sits against the
limits. docs/decisions/006-spc.md says why this is our own small module rather than a library.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import fmean

LIMIT_FACTOR = 2.66
RUN = 7
FEWEST_FOR_RELIABLE_LIMITS = 15

HIGH, LOW = "high", "low"
UP, DOWN = "up", "down"  # which way is better

# Variation icons.
COMMON_CAUSE = "common_cause"
IMPROVEMENT = "improvement"
CONCERN = "concern"
NEITHER = "neither"  # special cause where no direction is better
# Assurance icons.
MEETS_TARGET = "pass"
MISSES_TARGET = "fail"
HIT_AND_MISS = "hit_and_miss"

VARIATION_TEXT = {
    COMMON_CAUSE: "Common cause variation",
    IMPROVEMENT: "Special cause variation: improvement",
    CONCERN: "Special cause variation: concern",
    NEITHER: "Special cause variation",
}
ASSURANCE_TEXT = {
    MEETS_TARGET: "Will consistently meet the target",
    MISSES_TARGET: "Will consistently miss the target",
    HIT_AND_MISS: "May meet or miss the target",
}


@dataclass
class Point:
    value: float
    high: set[str] = field(default_factory=set)  # the rules that flag it as special cause above the usual
    low: set[str] = field(default_factory=set)

    @property
    def special(self) -> str | None:
        if self.high and self.low:  # a rising trend below the mean, say: the limits decide, else the latest rule
            return HIGH if "outside" in self.high else LOW
        return HIGH if self.high else LOW if self.low else None


@dataclass
class XmR:
    points: list[Point]
    mean: float
    mean_moving_range: float
    upper: float
    lower: float
    improvement: str | None
    target: float | None

    @property
    def reliable(self) -> bool:
        return len(self.points) >= FEWEST_FOR_RELIABLE_LIMITS

    @property
    def variation(self) -> str:
        direction = self.points[-1].special
        if direction is None:
            return COMMON_CAUSE
        if self.improvement is None:
            return NEITHER
        return IMPROVEMENT if (direction == HIGH) == (self.improvement == UP) else CONCERN

    @property
    def assurance(self) -> str | None:
        """None without a target or a direction that is better."""
        if self.target is None or self.improvement is None:
            return None
        if self.lower > self.target:
            return MEETS_TARGET if self.improvement == UP else MISSES_TARGET
        if self.upper < self.target:
            return MISSES_TARGET if self.improvement == UP else MEETS_TARGET
        return HIT_AND_MISS

    @property
    def variation_text(self) -> str:
        direction = {HIGH: " (higher)", LOW: " (lower)"}.get(self.points[-1].special, "")
        return VARIATION_TEXT[self.variation] + (direction if self.variation != COMMON_CAUSE else "")

    @property
    def assurance_text(self) -> str | None:
        return ASSURANCE_TEXT.get(self.assurance)


def xmr(values: Sequence[float], *, improvement: str | None = None, target: float | None = None) -> XmR:
    """The XmR chart of a series (oldest first). `improvement` is UP, DOWN or None; `target` is optional."""
    if len(values) < 2:
        raise ValueError("An XmR chart needs at least two points")
    if improvement not in (UP, DOWN, None):
        raise ValueError(f"improvement must be {UP!r}, {DOWN!r} or None")
    values = [float(v) for v in values]
    mean = fmean(values)
    mean_mr = fmean(abs(b - a) for a, b in zip(values, values[1:], strict=False))
    upper, lower = mean + LIMIT_FACTOR * mean_mr, mean - LIMIT_FACTOR * mean_mr
    points = [Point(v) for v in values]
    _outside(points, upper, lower)
    _shifts(points, mean)
    _trends(points)
    _two_of_three(points, mean + 2 / 3 * (upper - mean), mean - 2 / 3 * (mean - lower))
    return XmR(points, mean, mean_mr, upper, lower, improvement, target)


def _outside(points, upper, lower):
    for p in points:
        if p.value > upper:
            p.high.add("outside")
        elif p.value < lower:
            p.low.add("outside")


def _flag_runs(points, side_of, rule):
    """Flag every point in a run of RUN or more consecutive points for which side_of(i) gives the same side."""
    start = 0
    for i in range(1, len(points) + 1):
        if i < len(points) and side_of(i) is not None and side_of(i) == side_of(start):
            continue
        if side_of(start) is not None and i - start >= RUN:
            for p in points[start:i]:
                (p.high if side_of(start) == HIGH else p.low).add(rule)
        start = i


def _shifts(points, mean):
    def side(i):
        v = points[i].value
        return HIGH if v > mean else LOW if v < mean else None

    _flag_runs(points, side, "shift")


def _trends(points):
    # A trend of RUN points is RUN - 1 rises in a row; each point is read as "how it moved from the one before",
    # so the first point of the trend joins it afterwards.
    def side(i):
        if i == 0:
            return None
        a, b = points[i - 1].value, points[i].value
        return HIGH if b > a else LOW if b < a else None

    start = 1
    for i in range(2, len(points) + 1):
        if i < len(points) and side(i) is not None and side(i) == side(start):
            continue
        if side(start) is not None and i - start >= RUN - 1:
            for p in points[start - 1 : i]:
                (p.high if side(start) == HIGH else p.low).add("trend")
        start = i


def _two_of_three(points, high_line, low_line):
    for i in range(len(points) - 2):
        window = points[i : i + 3]
        above = [p for p in window if p.value > high_line]
        below = [p for p in window if p.value < low_line]
        if len(above) >= 2:
            for p in above:
                p.high.add("two_of_three")
        if len(below) >= 2:
            for p in below:
                p.low.add("two_of_three")
