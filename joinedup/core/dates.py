"""Dates as people write them, and as the NHS.UK style guide shows them ("3 March 2026")."""

import datetime as dt
import re

from django.utils import timezone

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_WORDS = re.compile(r"^(\d{1,2})[\s-]+([A-Za-z]+)[\s-]+(\d{4})$")


class DateParseError(ValueError):
    pass


def parse_date_text(text: str) -> dt.date:
    """Read 2026-03-03, 03/03/2026 (day first), 3-Mar-2026, 03-Mar-2026 or 3 March 2026.

    Raises DateParseError with a message a person can act on.
    """
    value = (text or "").strip()
    if not value:
        raise DateParseError("Enter a date")
    if m := _ISO.match(value):
        year, month, day = (int(g) for g in m.groups())
    elif m := _SLASHED.match(value):
        day, month, year = (int(g) for g in m.groups())
    elif m := _WORDS.match(value):
        day, year = int(m.group(1)), int(m.group(3))
        month = MONTHS.get(m.group(2).lower())
        if month is None:
            raise DateParseError(f"'{m.group(2)}' is not a month")
    else:
        raise DateParseError(f"'{value[:40]}' is not a date in a form we can read, such as 3 March 2026")
    return make_date(year, month, day)


def make_date(year: int, month: int, day: int) -> dt.date:
    if not 1 <= month <= 12:
        raise DateParseError("Month must be between 1 and 12")
    if year < 1900:
        raise DateParseError("Year must be 1900 or later")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateParseError("Date must be a real date") from None


def format_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        # An aware moment is shown on its UK calendar day (00:30 BST is still the day before in UTC).
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.day} {value.strftime('%B')} {value.year}"


def age_on(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
