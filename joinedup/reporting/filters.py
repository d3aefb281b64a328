"""What a report is asked for: the period (whole months) and the area, read from the URL's query string.

Bad input is refused with a message a person can act on: `BadPeriod` (the page answers 400) or `UnknownArea`
(404). Nothing here reads person data.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404

from joinedup.directory.models import Area as AreaModel
from joinedup.directory.models import Locality, Organisation, OutreachCoverage, Pcn, Practice, Region

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
LEVELS = ["icb", "area", "locality", "pcn", "practice"]
# The outreach provider is not in the chain of places: it covers whole EMDT localities (OutreachCoverage), so
# the ICB breaks down by provider too, and a provider breaks down like a set of localities.
PROVIDER = "provider"
LEVEL_NAMES = {
    "icb": "ICB",
    "area": "Area",
    PROVIDER: "Outreach provider",
    "locality": "EMDT locality",
    "pcn": "Primary care network",
    "practice": "GP practice",
}

# The same, inside a sentence ("by primary care network").
LEVEL_PHRASES = {
    **LEVEL_NAMES,
    "area": "area",
    PROVIDER: "outreach provider",
    "pcn": "primary care network",
    "practice": "GP practice",
}


class BadPeriod(ValueError):
    pass


class UnknownArea(Http404):
    pass


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, n: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + n
    return dt.date(total // 12, total % 12 + 1, 1)


def month_label(day: dt.date) -> str:
    return day.strftime("%B %Y")


@dataclass(frozen=True)
class Period:
    first: dt.date  # the first day of the first month
    last: dt.date  # the first day of the last month
    today: dt.date

    @property
    def months(self) -> list[dt.date]:
        out, m = [], self.first
        while m <= self.last:
            out.append(m)
            m = add_months(m, 1)
        return out

    def month_end(self, month: dt.date) -> dt.date:
        """The last day of a month, or today for the month we are in: figures "as at"."""
        return min(add_months(month, 1) - dt.timedelta(days=1), self.today)

    @property
    def end(self) -> dt.date:
        return self.month_end(self.last)

    @property
    def label(self) -> str:
        last = month_label(self.last) + (" (to date)" if self.end == self.today else "")
        return last if self.first == self.last else f"{month_label(self.first)} to {last}"

    @property
    def query(self) -> dict:
        return {"from": self.first.strftime("%Y-%m"), "to": self.last.strftime("%Y-%m")}


def _month(text: str, what: str) -> dt.date:
    match = MONTH.match(text or "")
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise BadPeriod(f"Enter the {what} month as a year and month, for example 2026-04")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def parse_period(params, *, today: dt.date) -> Period:
    """From ?from=YYYY-MM&to=YYYY-MM; by default the last REPORTING_DEFAULT_MONTHS months up to this one."""
    this_month = month_start(today)
    last = _month(params["to"], "last") if params.get("to") else this_month
    default_first = add_months(last, 1 - settings.REPORTING_DEFAULT_MONTHS)
    first = _month(params["from"], "first") if params.get("from") else default_first
    if last > this_month:
        raise BadPeriod("The period cannot end after this month")
    if first > last:
        raise BadPeriod("The first month must be the same as or before the last month")
    longest = settings.REPORTING_MAX_MONTHS
    if add_months(first, longest) <= last:
        raise BadPeriod(f"Choose a period of {longest} months or fewer")
    return Period(first, last, today)


@dataclass(frozen=True)
class Area:
    level: str  # one of LEVELS
    code: str
    name: str
    practice_ids: frozenset[int]

    @property
    def key(self) -> str:
        return self.level if self.level == "icb" else f"{self.level}:{self.code}"

    @property
    def title(self) -> str:
        return self.name if self.level == "icb" else f"{self.name} ({LEVEL_NAMES[self.level]})"

    @property
    def child_levels(self) -> list[str]:
        if self.level == "icb":
            return ["area", PROVIDER, "locality", "pcn", "practice"]
        if self.level == PROVIDER:
            return ["locality", "pcn", "practice"]
        return LEVELS[LEVELS.index(self.level) + 1 :]


def practice_geography(regions=None) -> dict[int, dict[str, tuple[str, str]]]:
    """Each practice's place at every level: {practice id: {level: (code, name)}}. One query. With `regions` (ids):
    only their practices, so a user's reports cover their own region and no other (docs/regions.md)."""
    providers = {
        locality_id: (code, name)
        for locality_id, code, name in OutreachCoverage.objects.values_list(
            "locality_id", "provider__code", "provider__name"
        )
    }
    practices = Practice.objects.all() if regions is None else Practice.objects.filter(region_id__in=sorted(regions))
    rows = practices.values_list(
        "pk",
        "ods_code",
        "name",
        "pcn__code",
        "pcn__name",
        "locality__code",
        "locality__name",
        "locality__area__code",
        "locality__area__name",
        "locality_id",
        "region__code",
        "region__short_name",
    )
    return {
        pk: {
            "icb": (icb_code or "icb", icb_name or "ICB"),
            "area": (area_code, area_name),
            PROVIDER: providers.get(locality_id, ("none", "No outreach provider")),
            "locality": (loc_code, loc_name),
            "pcn": (pcn_code or "none", pcn_name or "Not in a PCN"),
            "practice": (ods, name),
        }
        for (
            pk,
            ods,
            name,
            pcn_code,
            pcn_name,
            loc_code,
            loc_name,
            area_code,
            area_name,
            locality_id,
            icb_code,
            icb_name,
        ) in rows
    }


def stored_area_key(area) -> str:
    """The area's key where it is kept (report snapshots, monthly reports): the ICB with its code, since "icb" in a
    link means the reader's own ICB and two regions' ICBs must never share a stored report."""
    return f"icb:{area.code}" if area.level == "icb" else area.key


def parse_area(text: str, geography) -> Area:
    """From ?area=icb, area:<code>, locality:<code>, pcn:<code> or practice:<ODS code>; the ICB by default. Only
    places in `geography` exist: another region's are unknown. `icb:<region code>` names one ICB (as stored)."""
    text = (text or "icb").strip()
    level, _, code = text.partition(":")
    if level not in [*LEVELS, PROVIDER] or (level != "icb" and not code):
        raise UnknownArea(f"There is no area called {text!r}")
    if level == "icb":
        icbs = {places["icb"] for places in geography.values()}
        if code:
            icbs = {icb for icb in icbs if icb[0] == code}
            if not icbs:
                raise UnknownArea(f"There is no ICB with the code {code!r}")
        if len(icbs) == 1:
            icb_code = next(iter(icbs))[0]
            name = Region.objects.filter(code=icb_code).values_list("name", flat=True).first()
            practices = frozenset(pk for pk, places in geography.items() if places["icb"][0] == icb_code)
            return Area("icb", icb_code, name or "The ICB", practices)
        # A reader in teams of several regions: "the ICB" is all of theirs together.
        return Area("icb", "icb", "The ICB", frozenset(geography))
    practices = frozenset(pk for pk, places in geography.items() if places[level][0] == code)
    if not practices and level == PROVIDER:
        raise UnknownArea(f"There is no outreach provider with the code {code!r}")
    model = {"area": AreaModel, "locality": Locality, "pcn": Pcn, "practice": Practice, PROVIDER: Organisation}[level]
    field = "ods_code" if level == "practice" else "code"
    name = model.objects.filter(**{field: code}).values_list("name", flat=True).first()
    if name is None or not practices:  # not a place, or not one of this geography's (another region's)
        raise UnknownArea(f"There is no {LEVEL_NAMES[level].lower()} with the code {code!r}")
    return Area(level, code, name, practices)


def area_choices(geography, allowed=None) -> list[tuple[str, str]]:
    """Every area a report can be asked for, for the form: the ICB, then each level's places by name. With
    `allowed` (a function of a set of practice ids): only the areas it allows."""
    choices = [("icb", "The whole ICB")] if allowed is None or allowed(frozenset(geography)) else []
    for level in ["area", PROVIDER, "locality", "pcn", "practice"]:
        places = {}
        for pk, place in geography.items():
            places.setdefault(place[level], set()).add(pk)
        for (code, name), pks in sorted(places.items(), key=lambda item: item[0][1]):
            if code != "none" and (allowed is None or allowed(pks)):
                choices.append((f"{level}:{code}", f"{name} ({LEVEL_NAMES[level]})"))
    return choices
