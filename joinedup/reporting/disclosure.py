"""Statistical disclosure control: the one place the rule for published counts lives.

CLINICAL_FACTS.md: below national level, counts of 1 to 7 are shown as "*" and other counts are rounded to the
nearest 5 (NHS Digital's rule for HES and ECDS), so that no suppressed value can be recovered from totals. Every
count a report page, chart or export shows goes through `disclose`; nothing else formats a count.

Primary suppression hides each count of 1 to 7. Secondary suppression then hides one more count in any total
relation (a total and the parts that add up to it: a table's row or column and its total) that would otherwise
have exactly one hidden member, because that one could be worked out by subtraction. It repeats until every
relation has no hidden member or at least two. The extra count hidden is the smallest shown part (never a zero,
which hides nothing), or the total when no part is left.

Totals are computed from the true counts and rounded on their own, as NHS Digital does, so a shown total need
not equal the sum of the shown parts. A percentage is worked out from the rounded counts and is never shown
when either of its counts is hidden.
"""

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

SMALLEST_SHOWN = 8  # 1 to 7 are hidden
ROUND_TO = 5
HIDDEN = "*"


@dataclass(frozen=True, slots=True)
class Shown:
    """A count as it may be published: `text` for a page, `value` (rounded, or None when hidden) for a file."""

    text: str
    value: int | None

    @property
    def hidden(self) -> bool:
        return self.value is None

    def __str__(self):
        return self.text


def rounded(count: int) -> int:
    """To the nearest 5, halves up (12 -> 10, 13 -> 15)."""
    return (count + ROUND_TO // 2) // ROUND_TO * ROUND_TO


def _shown(count: int, hidden: bool) -> Shown:
    if hidden:
        return Shown(HIDDEN, None)
    value = rounded(count)
    return Shown(f"{value:,}", value)


def disclose(counts: Mapping[Hashable, int], totals: Iterable[tuple[Hashable, Sequence[Hashable]]] = ()) -> dict:
    """Every count in `counts` as it may be shown. `totals` lists the relations between them: (key of a total,
    keys of the parts that add up to it). Returns {key: Shown}."""
    for key, count in counts.items():
        if count < 0:
            raise ValueError(f"A count cannot be negative ({key!r}: {count})")
    relations = [(total, tuple(parts)) for total, parts in totals]
    hidden = {key for key, count in counts.items() if 0 < count < SMALLEST_SHOWN}
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            members = (total, *parts)
            if sum(1 for key in members if key in hidden) != 1:
                continue
            extra = _second_to_hide(counts, hidden, total, parts)
            if extra is not None:
                hidden.add(extra)
                changed = True
    return {key: _shown(count, key in hidden) for key, count in counts.items()}


def _second_to_hide(counts, hidden, total, parts):
    """The count to hide beside a relation's one hidden member: the smallest shown part that is not zero, else
    the total, else a zero part (only when the counts given do not add up)."""
    shown_parts = [key for key in parts if key not in hidden]
    nonzero = [key for key in shown_parts if counts[key] > 0]
    if nonzero:
        return min(nonzero, key=lambda key: counts[key])
    if total not in hidden:
        return total
    return shown_parts[0] if shown_parts else None


def disclose_one(count: int) -> Shown:
    """A count that stands alone (no total beside it that it is part of)."""
    return disclose({0: count})[0]


def percent(part: Shown, whole: Shown) -> str:
    """A percentage from two shown counts: hidden when either is, "-" when there is nothing to divide by."""
    if part.hidden or whole.hidden:
        return HIDDEN
    if not whole.value:
        return "-"
    return f"{round(100 * part.value / whole.value)}%"


def percent_value(part: Shown, whole: Shown) -> float | None:
    """The same percentage as a number (for charts and files), None when it is not shown."""
    if part.hidden or whole.hidden or not whole.value:
        return None
    return 100 * part.value / whole.value


def disclose_table(rows: Sequence[Sequence[int]], *, row_totals: bool, column_totals: bool) -> dict:
    """A grid of counts with its totals: rows[i][j] is a cell; totals are worked out here from the true counts.
    Keys in the result: (i, j) for cells, (i, "total") for a row's total, ("total", j) for a column's, and
    ("total", "total") for the grand total when both are asked for."""
    counts: dict = {}
    relations: list = []
    width = max((len(r) for r in rows), default=0)
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ValueError("Every row of a table needs the same number of cells")
        for j, count in enumerate(row):
            counts[(i, j)] = count
    if row_totals:
        for i, row in enumerate(rows):
            counts[(i, "total")] = sum(row)
            relations.append(((i, "total"), [(i, j) for j in range(width)]))
    if column_totals:
        for j in range(width):
            counts[("total", j)] = sum(row[j] for row in rows)
            relations.append((("total", j), [(i, j) for i in range(len(rows))]))
    if row_totals and column_totals:
        counts[("total", "total")] = sum(map(sum, rows))
        relations.append((("total", "total"), [("total", j) for j in range(width)]))
        relations.append((("total", "total"), [(i, "total") for i in range(len(rows))]))
    return disclose(counts, relations)
