"""Report pages and their files: aggregates only. Perm.VIEW_REPORTS opens them; which areas a user may read is
scope.py's answer (every area for commissioners and analysts, their own teams' areas for the others).

Bad input in the query string (a malformed or too long period, an unknown area, table or file type) gets a page
that says what is wrong, 400 or 404, and an audit event; so does every report read and file made.
"""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from joinedup.accounts.roles import Perm
from joinedup.core.access import may, user_regions
from joinedup.core.audit import AuditAction, audit_record
from joinedup.core.decorators import requires
from joinedup.core.paging import row_id

from . import exports, presenters, queries, service_reports
from .filters import (
    LEVEL_NAMES,
    BadPeriod,
    UnknownArea,
    add_months,
    area_choices,
    month_start,
    parse_area,
    parse_period,
    practice_geography,
)
from .models import MonthlyReport
from .monthly import legacy_monthly_key
from .scope import scope_for
from .store import stored_report


def _two_step(figures_of, present):
    def build(*, period, area, by, geography):
        figures = figures_of(period=period, area=area, by=by, geography=geography)
        return present(figures, period=period, area=area, by=by)

    return build


# slug: (title, build(period=, area=, by=, geography=) -> presenters.Report)
REPORTS = {
    "smi-health-checks": ("SMI physical health checks", _two_step(queries.smi_figures, presenters.smi_report)),
    "emdt": ("EMDT requests", _two_step(queries.emdt_figures, presenters.emdt_report)),
    "emdt-outcomes": ("EMDT decisions and outcomes", service_reports.emdt_outcomes_report),
    "smi-inequalities": ("SMI health checks: who is checked", service_reports.smi_inequalities_report),
    "key-working": ("Key working and care plans", service_reports.key_working_report),
    "outcomes": ("Outcomes: DIALOG and goals", service_reports.outcomes_report),
    "primary-care": ("Primary care mental health practitioners", service_reports.primary_care_report),
    "peer-support": ("Peer support", service_reports.peer_support_report),
}
FORMATS = {
    "csv": ("text/csv; charset=utf-8", exports.as_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exports.as_xlsx),
}


def _geography(user):
    """The practices of the reader's own region(s): figures of another region do not exist for them."""
    return practice_geography(user_regions(user))


class BadReportRequest(Exception):
    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


@requires(Perm.VIEW_REPORTS)
def index(request):
    """The commissioner's start page: the reports (and, for a service lead, which areas they cover)."""
    reports = [{"slug": slug, "title": title} for slug, (title, _) in REPORTS.items()]
    coverage = may(request.user, Perm.HC_COVERAGE)
    geography = _geography(request.user)
    scope = scope_for(request.user, geography)
    own = [name for key, name in area_choices(geography) if key in scope.area_keys] if not scope.everything else []
    return render(
        request,
        "reporting/index.jinja",
        {"reports": reports, "coverage": coverage, "scope": scope, "own_areas": own},
    )


def _report(request, slug):
    title, build = REPORTS[slug]
    today = timezone.localdate()
    geography = _geography(request.user)
    try:
        period = parse_period(request.GET, today=today)
    except BadPeriod as e:
        raise BadReportRequest(str(e), 400) from None
    scope = scope_for(request.user, geography)
    if scope.default_area is None:
        raise BadReportRequest(
            "Your teams are not attached to a practice, primary care network, EMDT locality or outreach provider, "
            "so there are no figures of your own to show",
            404,
        )
    try:
        area = parse_area(request.GET.get("area") or scope.default_area, geography)
    except UnknownArea as e:
        raise BadReportRequest(str(e), 404) from None
    if not scope.allows(area.practice_ids):
        raise BadReportRequest(f"There is no area {area.key!r} among the areas you can see", 404)
    by = request.GET.get("by") or None
    if by is not None and by not in LEVEL_NAMES:
        raise BadReportRequest(f"A report cannot be broken down by {by!r}", 400)
    if by not in area.child_levels:  # the form kept a breakdown from a bigger area: use the one below this area
        by = area.child_levels[0] if area.child_levels else None
    report, figures_at = stored_report(slug, period=period, area=area, by=by, geography=geography, build=build)
    report.figures_at = figures_at
    return report, geography, scope


def _refused(request, slug, e: BadReportRequest):
    audit_record(
        by=request.user, action=AuditAction.REFUSED, what=f"report {slug}", reason=str(e)[:200], request=request
    )
    return render(request, "reporting/refused.jinja", {"message": str(e), "slug": slug}, status=e.status)


def _page(request, slug):
    try:
        report, geography, scope = _report(request, slug)
    except BadReportRequest as e:
        return _refused(request, slug, e)
    audit_record(by=request.user, action=AuditAction.VIEW, what=f"report {slug}", request=request)
    query = {**report.period.query, "area": report.area.key, **({"by": report.by} if report.by else {})}
    return render(
        request,
        "reporting/report.jinja",
        {
            "report": report,
            "query": query,
            "areas": area_choices(geography, None if scope.everything else scope.allows),
            "by_choices": [(level, LEVEL_NAMES[level]) for level in report.area.child_levels],
            "months": _month_choices(report.period.today),
            "made_at": timezone.localtime(),
        },
    )


def _month_choices(today):
    """The months the form offers, newest first."""
    this = month_start(today)
    return [add_months(this, -n) for n in range(settings.REPORTING_MAX_MONTHS * 2)]


def _export(request, slug):
    table_slug, fmt = request.GET.get("table", ""), request.GET.get("format", "csv")
    try:
        report, _, _ = _report(request, slug)
        table = report.table(table_slug or report.tables[0].slug)
        if table is None:
            raise BadReportRequest(f"This report has no table called {table_slug!r}", 404)
        if fmt not in FORMATS:
            raise BadReportRequest("Choose a CSV or XLSX file", 400)
    except BadReportRequest as e:
        return _refused(request, slug, e)
    made_at = timezone.localtime()
    content_type, write = FORMATS[fmt]
    audit_record(
        by=request.user, action=AuditAction.EXPORT, what=f"report {slug}, table {table.slug}, {fmt}", request=request
    )
    response = HttpResponse(write(report, table, made_at), content_type=content_type)
    period = report.period.query
    name = f"{slug}-{table.slug}-{report.area.key.replace(':', '-')}-{period['from']}-to-{period['to']}"
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _views_of(slug):
    """The page and the file view of one report."""

    @requires(Perm.VIEW_REPORTS)
    def page(request):
        return _page(request, slug)

    @requires(Perm.VIEW_REPORTS)
    def export(request):
        return _export(request, slug)

    name = slug.replace("-", "_")
    page.__name__, export.__name__ = name, f"{name}_export"
    return page, export


REPORT_VIEWS = {slug: _views_of(slug) for slug in REPORTS if slug not in ("smi-health-checks", "emdt")}


@requires(Perm.VIEW_REPORTS)
def smi_health_checks(request):
    return _page(request, "smi-health-checks")


@requires(Perm.VIEW_REPORTS)
def smi_health_checks_export(request):
    return _export(request, "smi-health-checks")


@requires(Perm.VIEW_REPORTS)
def emdt(request):
    return _page(request, "emdt")


@requires(Perm.VIEW_REPORTS)
def emdt_export(request):
    return _export(request, "emdt")


# The frozen monthly reports. -----------------------------------------------------------------------------------


def _allowed_monthly(user, geography):
    """The monthly reports of the areas this user may read, newest first (without their PDFs): their own region's
    only, whatever their scope within it."""
    scope = scope_for(user, geography)
    rows = MonthlyReport.objects.defer("pdf")
    allowed = []
    for row in rows:
        try:
            area = parse_area(legacy_monthly_key(row.area_key), geography)
        except UnknownArea:
            continue
        if area.practice_ids and scope.allows(area.practice_ids):
            allowed.append(row)
    return allowed


@requires(Perm.VIEW_REPORTS)
def monthly(request):
    """Every monthly report the user may read, as made on the first working day after each month."""
    rows = _allowed_monthly(request.user, _geography(request.user))
    audit_record(by=request.user, action=AuditAction.VIEW, what="monthly reports", request=request)
    return render(request, "reporting/monthly.jinja", {"rows": rows})


@requires(Perm.VIEW_REPORTS)
def monthly_pdf(request):
    """One monthly report's PDF (?id=N), exactly as it was made; without an id, the list to choose from."""
    if "id" not in request.GET:
        return monthly(request)
    wanted = row_id(request.GET.get("id"))
    row = next((r for r in _allowed_monthly(request.user, _geography(request.user)) if r.pk == wanted), None)
    if row is None:
        audit_record(
            by=request.user,
            action=AuditAction.REFUSED,
            what="monthly report",
            reason=f"no monthly report {request.GET.get('id', '')[:20]!r} among those they can see",
            request=request,
        )
        raise Http404("There is no such monthly report")
    row = MonthlyReport.objects.get(pk=row.pk)
    audit_record(by=request.user, action=AuditAction.EXPORT, what=f"monthly report {row}", request=request)
    response = HttpResponse(bytes(row.pdf), content_type="application/pdf")
    name = f"{row.area_key.replace(':', '-')}-{row.month:%Y-%m}"
    response["Content-Disposition"] = f'inline; filename="monthly-report-{name}.pdf"'
    return response
