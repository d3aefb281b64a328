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
RESULT_PARAMETERS = {"_count", "_total", "_offset", "_format", "_include"}
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


class Match:
    """A filter on a resource already mapped (a dict), for searches over one patient's record, where the rows come
    from several tables. `patients` is the set of Patient ids a `patient` parameter names (None: any)."""

    def __init__(self, test: Callable[[dict], bool], patients: frozenset[int] | None = None):
        self.test = test
        self.patients = patients

    def __call__(self, resource: dict) -> bool:
        return self.test(resource)

    def __or__(self, other: "Match") -> "Match":
        patients = None if self.patients is None or other.patients is None else self.patients | other.patients
        return Match(lambda r: self.test(r) or other.test(r), patients)


@dataclass
class Search:
    filters: list = field(default_factory=list)  # Q objects, or Match objects for compartment searches
    count: int = DEFAULT_COUNT
    offset: int = 0
    total: str = "accurate"
    kept: list[tuple[str, str]] = field(default_factory=list)  # the parameters used, for self and next links
    includes: list[str] = field(default_factory=list)  # `_include` values asked for

    @property
    def patients(self) -> frozenset[int] | None:
        """The Patient ids every `patient` parameter allows (repeated parameters mean "and")."""
        named = [f.patients for f in self.filters if isinstance(f, Match) and f.patients is not None]
        return frozenset.intersection(*named) if named else None

    def matches(self, resource: dict) -> bool:
        return all(f(resource) for f in self.filters if isinstance(f, Match))

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


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text[:10])


def date_match(value_of: Callable[[dict], str | None]) -> Callable[[str], Match]:
    """A date parameter over a mapped resource: the date (or the day of the date-time) `value_of` finds."""

    def build(text: str) -> Match:
        prefix, start, end = date_range(text)
        test = {
            "eq": lambda d: start <= d < end,
            "ne": lambda d: not start <= d < end,
            "lt": lambda d: d < start,
            "eb": lambda d: d < start,
            "le": lambda d: d < end,
            "gt": lambda d: d >= end,
            "sa": lambda d: d >= end,
            "ge": lambda d: d >= start,
        }[prefix]

        def check(resource: dict) -> bool:
            value = value_of(resource)
            return bool(value) and test(_day(value))

        return Match(check)

    return build


def code_match(value_of: Callable[[dict], list[dict]]) -> Callable[[str], Match]:
    """A token parameter over codings: `system|code`, `code`, or `system|` (any code of that system)."""

    def build(text: str) -> Match:
        if len(text) > 200:
            raise BadParameter("a code of at most 200 characters")
        system, bar, code = text.rpartition("|") if "|" in text else ("", "", text)

        def check(resource: dict) -> bool:
            return any(
                (not bar or c.get("system") == (system or None)) and (not code or c.get("code") == code)
                for c in value_of(resource)
            )

        return Match(check)

    return build


def value_match(value_of: Callable[[dict], str | None], allowed: tuple[str, ...]) -> Callable[[str], Match]:
    """A token parameter over a code of one required value set, such as a status."""

    def build(text: str) -> Match:
        if text not in allowed:
            raise BadParameter(f"{text[:50]!r} is not one of {', '.join(allowed)}")
        return Match(lambda r: value_of(r) == text)

    return build


def patient_match(text: str) -> Match:
    """`patient` on a compartment resource: the rows are read for the named people only."""
    match = PATIENT_REFERENCE.match(text)
    if not match or ("/" in text and "Patient/" not in text):
        raise BadParameter(f"{text!r} is not a reference to a Patient, such as Patient/12")
    return Match(lambda r: True, frozenset({int(match["id"])}))


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


def parse_search(request, params: tuple[SearchParam, ...], includes: tuple[str, ...] = ()) -> Search:
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
            elif name == "_include":
                if value not in includes:
                    if lenient:
                        continue
                    known = ", ".join(includes) or "nothing"
                    raise FhirError(400, "not-supported", f"_include here takes {known}", expression=name)
                if value not in search.includes:
                    search.includes.append(value)
                    search.kept.append((name, value))
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
