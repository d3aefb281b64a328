"""Every report page and every file, as every persona role: no count of 1 to 7 is left showing, no count is
shown unrounded, and roles without the reporting permission are refused.

The data below is small on purpose: one practice's register of a dozen people with one check, a far practice
with three, one EMDT request discussed. Nearly every true count is between 1 and 7.
"""

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from joinedup.accounts.roles import Perm
from joinedup.core.access import may
from joinedup.healthchecks.registers import import_register
from joinedup.healthchecks.tests.helpers import register_file, row
from joinedup.reporting.views import REPORTS

pytestmark = pytest.mark.django_db

COUNT = re.compile(r"^(\*|0|[1-9]\d{0,2}(,\d{3})*)$")
PERCENT = re.compile(r"^(\*|-|\d{1,3}%)$")
DAYS = re.compile(r"^(\*|-|\d+(\.\d)?)$")
MEAN = re.compile(r"^(\*|-|[+-]?\d+\.\d{2}( to [+-]?\d+\.\d{2})?)$")
# File columns that hold something other than a count.
NOT_COUNTS = (
    "Per cent",
    "Days",
    "Variation",
    "(mean)",
    "(median)",
    "confidence",
    "Most",
    "Measure",
    "Split",
)  # file columns that hold something other than a count


def count_problem(text: str) -> str | None:
    """Why a shown count breaks the rule, or None."""
    text = text.strip()
    if not COUNT.match(text):
        return f"{text!r} is not a count as the rule shows one"
    if text not in ("*", "0") and int(text.replace(",", "")) % 5:
        return f"{text!r} is not rounded to 5"
    return None


class Cells(HTMLParser):
    """The data cells of every table on a page, with their data-kind."""

    def __init__(self):
        super().__init__()
        self.cells, self._open = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "td":
            self._open = [dict(attrs).get("data-kind"), ""]

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data

    def handle_endtag(self, tag):
        if tag == "td" and self._open is not None:
            self.cells.append(tuple(self._open))
            self._open = None


def page_problems(html: str) -> list[str]:
    parser = Cells()
    parser.feed(html)
    problems = []
    for kind, text in parser.cells:
        text = " ".join(text.split())
        if kind == "count":
            problem = count_problem(text)
        elif kind == "percent":
            problem = None if PERCENT.match(text) else f"{text!r} is not a percentage as shown"
        elif kind == "days":
            problem = None if DAYS.match(text) else f"{text!r} is not a number of days"
        elif kind == "mean":
            problem = None if MEAN.match(text) else f"{text!r} is not a mean as shown"
        elif kind == "label":
            problem = None
        else:
            problem = f"a table cell {text!r} does not say what kind of figure it is"
        if problem:
            problems.append(problem)
    return problems


def file_problems(rows: list[list[str]]) -> list[str]:
    header_at = rows.index([]) + 1 if [] in rows else next(i for i, r in enumerate(rows) if not any(r)) + 1
    header, body = rows[header_at], rows[header_at + 1 :]
    problems = []
    for r in body:
        for heading, value in list(zip(header, r, strict=False))[1:]:
            if any(word in heading for word in NOT_COUNTS):
                continue
            problem = count_problem(f"{value:,}" if isinstance(value, int) else str(value))
            if problem:
                problems.append(f"{heading}: {problem}")
    return problems


@pytest.fixture
def small_numbers(practice, far_practice, personas, hc_check, emdt_chain, person):
    """A dozen people on one register (one checked), three on another, one EMDT request discussed; one person
    with a key worker, an agreed plan, two DIALOG ratings, an MHP session, a GP question and a peer referral."""
    import datetime as dt

    from django.db.models import Max
    from django.utils import timezone

    from joinedup.care.models import CarePlanVersion, DialogAssessment, DialogRating, Participation
    from joinedup.peersupport.models import PeerReferral
    from joinedup.primarycare.models import Episode, GpRequest, Session

    today, staff = timezone.localdate(), personas.mhp
    CarePlanVersion.objects.create(
        person=person,
        # The EMDT discussion's actions may already have started this person's draft (docs/journeys.md).
        number=1 + (person.care_plan_versions.aggregate(last=Max("number"))["last"] or 0),
        status="agreed",
        agreed_on=today,
        own_words=True,
        created_by=staff,
        updated_by=staff,
        agreed_by=staff,
        participation=Participation.values[0],
    )
    for days_ago in (60, 0):
        a = DialogAssessment.objects.create(
            person=person, taken_on=today - dt.timedelta(days=days_ago), recorded_by=staff
        )
        for item in range(1, 12):
            DialogRating.objects.create(assessment=a, item=item, score=3 + (days_ago == 0), more_help=False)
    episode = Episode.objects.create(
        person=person, pcn=practice.pcn, mhp=staff, source="mhp", reason="x", opened_by=staff, opened_on=today
    )
    Session.objects.create(
        episode=episode,
        person=person,
        number=1,
        session_type="x",
        held_on=today,
        what_was_done="x",
        outcome="x",
        delivered_by=staff,
    )
    GpRequest.objects.create(person=person, practice=practice, pcn=practice.pcn, asked_by=staff, question="x")
    PeerReferral.objects.create(
        person=person, source="clinician", reason="x", locality=practice.locality, referred_by=staff
    )
    rows = [row(practice.ods_code, n) for n in range(1, 12)]
    assert import_register(register_file(practice.ods_code, rows), filename="more.csv").rejected == 0
    rows = [row(far_practice.ods_code, n) for n in range(20, 23)]
    assert import_register(register_file(far_practice.ods_code, rows), filename="far.csv").rejected == 0


def report_urls(practice, far_practice, report):
    """Each report and each of its tables as a file, for the ICB and down to one practice."""
    queries = [
        "",
        "?by=pcn",
        "?by=practice",
        f"?area=locality:{practice.locality.code}",
        f"?area=pcn:{practice.pcn.code}",
        f"?area=practice:{practice.ods_code}",
        f"?area=area:{far_practice.locality.area.code}&by=practice",
    ]
    for slug in [report]:
        name = slug.replace("-", "_")
        for q in queries:
            yield "page", reverse(f"reporting:{name}") + q
        yield "page", reverse("reporting:index")
        for table in ("by-area", "by-month", "by-source", "inequalities", "change", "caseloads", "workforce"):
            for fmt in ("csv", "xlsx"):
                sep = "&" if queries[1] else "?"
                yield fmt, reverse(f"reporting:{name}_export") + f"{queries[1]}{sep}table={table}&format={fmt}"


def read_file(kind, response):
    if kind == "csv":
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [["" if c.value is None else c.value for c in r] for r in sheet.iter_rows()]


@pytest.mark.parametrize("report", list(REPORTS))
def test_no_small_number_shows_on_any_report_page_or_file_for_any_role(
    client, personas, practice, far_practice, small_numbers, report
):
    urls = list(report_urls(practice, far_practice, report))
    seen_hidden = False
    for label, user in personas.all().items():
        client.force_login(user)
        allowed = may(user, Perm.VIEW_REPORTS)
        everything = may(user, Perm.VIEW_AGGREGATES)
        for kind, url in urls:
            response = client.get(url)
            if not allowed:
                assert response.status_code == 403, f"{label} {url}: {response.status_code}"
                continue
            if response.status_code == 404 and "table" in url:  # a table the report does not have
                continue
            if response.status_code == 404 and not everything:  # an area outside their own
                continue
            assert response.status_code == 200, f"{label} {url}: {response.status_code}"
            if kind == "page":
                html = response.content.decode()
                assert not page_problems(html), f"{label} {url}: {page_problems(html)}"
                seen_hidden = seen_hidden or 'data-kind="count">*<' in html
            else:
                rows = read_file(kind, response)
                assert not file_problems(rows), f"{label} {url}: {file_problems(rows)}"
    assert seen_hidden, "the data should have had small numbers to hide"


def test_the_checks_would_catch_a_small_number():
    assert page_problems('<td data-kind="count">3</td>')
    assert page_problems('<td data-kind="count">12</td>')
    assert page_problems("<td>12</td>")
    fine = '<td data-kind="count">*</td><td data-kind="count">1,235</td><td data-kind="percent">75%</td>'
    assert not page_problems(fine)
    assert file_problems([["Report", "x"], [], ["Month", "Checks done"], ["June 2026", 4]])
    assert not file_problems([["Report", "x"], [], ["Month", "Checks done", "Per cent"], ["June 2026", "*", 33]])
