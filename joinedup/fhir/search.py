"""Search parameters: each declared once, read by the search parser and by the CapabilityStatement.

Values follow the FHIR search rules this API supports: a comma means "or", a repeated parameter means "and",
tokens are `system|value` (or a bare value), strings match the start of the name ignoring case, dates take
a prefix (eq, ne, lt, gt, le, ge, sa, eb) and a precision of year, month or day.

Unknown parameters are refused with 400 unless the client sends `Prefer: handling=lenient`, in which case they
are ignored and left out of the Bundle's self link, as the FHIR specification describes.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Q

from joinedup.core.paging import whole_number

from .responses import JSON_FORMATS, FhirError

DEFAULT_COUNT = 20
MAX_COUNT = 100
MAX_OFFSET = 10_000
RESULT_PARAMETERS = {"_count", "_total", "_offset", "_format"}
TOTAL_MODES = {"none", "estimate", "accurate"}
DATE = re.compile(r"^(?P<prefix>eq|ne|lt|gt|le|ge|sa|eb)?(?P<year>\d{4})(-(?P<month>\d{2})(-(?P<day>\d{2}))?)?$")


class BadParameter(ValueError):
    pass


@dataclass(frozen=True)
class SearchParam:
    name: str
    type: str  # FHIR search parameter type: token, string, date, reference
    documentation: str
    build: Callable[[str], Q]  # one alternative of the value -> a filter; BadParameter when malformed
    definition: str = ""
    required: bool = False  # searches that must name it (e.g. the patient whose observations are wanted)


@dataclass
class Search:
    filters: list[Q] = field(default_factory=list)
    count: int = DEFAULT_COUNT
    offset: int = 0
    total: str = "accurate"
    kept: list[tuple[str, str]] = field(default_factory=list)  # the parameters used, for self and next links

    def link(self, base_url: str, *, offset: int) -> str:
        params = [*self.kept, ("_count", str(self.count))]
        if self.total != "accurate":
            params.append(("_total", self.total))
        if offset:
            params.append(("_offset", str(offset)))
        return f"{base_url}?{urlencode(params)}"


def token(system: str, value_filter: Callable[[str], Q]) -> Callable[[str], Q]:
    """A token parameter for identifiers of one system: `system|value`, `value`, or `system|` (any value)."""

    def build(text: str) -> Q:
        if "|" in text:
            asked_system, _, value = text.partition("|")
            if asked_system and asked_system != system:
                return Q(pk__in=[])
            if not value:
                return ~Q(pk__in=[]) if asked_system else Q(pk__in=[])
            return value_filter(value)
        return value_filter(text)

    return build


def date_range(text: str) -> tuple[str, dt.date, dt.date]:
    """(prefix, first day, day after the last) for a FHIR date value such as ge1984, 1984-03 or 1984-03-15."""
    match = DATE.match(text)
    if not match:
        raise BadParameter(f"{text!r} is not a date such as 1984-03-15, 1984-03 or 1984, with an optional prefix")
    year, month, day = int(match["year"]), match["month"], match["day"]
    try:
        if day:
            start = dt.date(year, int(month), int(day))
            end = start + dt.timedelta(days=1)
        elif month:
            start = dt.date(year, int(month), 1)
            end = dt.date(year + (start.month == 12), start.month % 12 + 1, 1)
        else:
            start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    except ValueError:
        raise BadParameter(f"{text!r} is not a real date") from None
    return match["prefix"] or "eq", start, end


def date_filter(field_name: str) -> Callable[[str], Q]:
    def build(text: str) -> Q:
        prefix, start, end = date_range(text)
        within = Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end})
        return {
            "eq": within,
            "ne": ~within,
            "lt": Q(**{f"{field_name}__lt": start}),
            "eb": Q(**{f"{field_name}__lt": start}),
            "le": Q(**{f"{field_name}__lt": end}),
            "gt": Q(**{f"{field_name}__gte": end}),
            "sa": Q(**{f"{field_name}__gte": end}),
            "ge": Q(**{f"{field_name}__gte": start}),
        }[prefix]

    return build


def starts_with(field_name: str) -> Callable[[str], Q]:
    def build(text: str) -> Q:
        if not text.strip() or len(text) > 100:
            raise BadParameter("a name of 1 to 100 characters")
        return Q(**{f"{field_name}__istartswith": text.strip()})

    return build


PATIENT_REFERENCE = re.compile(r"^(?:.*/)?(?:Patient/)?(?P<id>[0-9]{1,18})$")


def patient_reference(field_name: str) -> Callable[[str], Q]:
    """A reference to a Patient: `Patient/12`, `12`, or the full URL."""

    def build(text: str) -> Q:
        match = PATIENT_REFERENCE.match(text)
        if not match or ("/" in text and "Patient/" not in text):
            raise BadParameter(f"{text!r} is not a reference to a Patient, such as Patient/12")
        return Q(**{field_name: int(match["id"])})

    return build


def _number(name: str, text: str, *, low: int, high: int) -> int:
    number = whole_number(text, maximum=high)
    if number is None or number < low:
        raise FhirError(400, "invalid", f"{name} must be a whole number from {low} to {high}", expression=name)
    return number


def parse_search(request, params: tuple[SearchParam, ...]) -> Search:
    """Read the query string against the declared parameters; FhirError(400) names the first problem."""
    lenient = "handling=lenient" in request.headers.get("Prefer", "").replace(" ", "").lower()
    by_name = {p.name: p for p in params}
    search = Search()
    for name, values in request.GET.lists():
        for value in values:
            if "\x00" in value or "\x00" in name:
                raise FhirError(
                    400, "invalid", "Search parameters cannot contain a NUL character", expression=name[:50]
                )
            if name == "_count":
                search.count = min(_number(name, value, low=0, high=10**6), MAX_COUNT)
            elif name == "_offset":
                search.offset = _number(name, value, low=0, high=MAX_OFFSET)
            elif name == "_total":
                if value not in TOTAL_MODES:
                    raise FhirError(400, "invalid", "_total must be none, estimate or accurate", expression=name)
                search.total = value
            elif name == "_format":
                if value not in JSON_FORMATS:
                    raise FhirError(406, "not-supported", "This server answers in JSON only", expression=name)
            elif name in by_name:
                alternatives = value.split(",")
                try:
                    parts = [by_name[name].build(v) for v in alternatives if v]
                except BadParameter as e:
                    raise FhirError(400, "invalid", f"{name}: {e}", expression=name) from None
                if not parts:
                    raise FhirError(400, "invalid", f"{name} needs a value", expression=name)
                combined = parts[0]
                for part in parts[1:]:
                    combined |= part
                search.filters.append(combined)
                search.kept.append((name, value))
            elif not lenient:
                known = ", ".join(sorted(by_name | dict.fromkeys(RESULT_PARAMETERS)))
                raise FhirError(
                    400,
                    "not-supported",
                    f"Unknown search parameter {name!r}; this search takes {known}",
                    expression=name,
                )
    missing = [p.name for p in params if p.required and p.name not in dict(search.kept)]
    if missing:
        raise FhirError(400, "required", f"This search needs {missing[0]}", expression=missing[0])
    return search
