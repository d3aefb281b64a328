"""The report pages and files, from a commissioner's side: signed in for real, aggregates only."""

import csv
import io

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from joinedup.accounts.tests.helpers import sign_in_with_csrf
from joinedup.core.audit import AuditAction
from joinedup.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def commissioner_client(personas):
    """Signed in through the sign-in page, with its CSRF token, as a commissioner would."""
    return sign_in_with_csrf(personas.commissioner.username)


def test_the_commissioners_start_page_is_their_reports(commissioner_client):
    response = commissioner_client.get("/")
    text = response.content.decode()
    assert response.status_code == 200 and "SMI physical health checks" in text and "EMDT requests" in text
    assert reverse("healthchecks:coverage") in text


def test_a_clinician_keeps_their_own_start_page(client, personas):
    client.force_login(personas.mhp)
    assert "EMDT requests" not in client.get("/").content.decode()


@pytest.mark.parametrize(
    "name",
    [
        "reporting:smi_health_checks",
        "reporting:emdt",
        "reporting:key_working",
        "reporting:outcomes",
        "reporting:primary_care",
        "reporting:peer_support",
    ],
)
def test_a_report_page_names_no_one(commissioner_client, person, name):
    response = commissioner_client.get(reverse(name))
    text = response.content.decode()
    assert response.status_code == 200
    assert person.family_name not in text and "999 000 0018" not in text and person.nhs_number not in text
    assert "<svg" in text and "<title id=" in text and "<desc id=" in text
    assert "<script" not in text.split("</header>")[1]


def test_a_report_read_is_audited(commissioner_client, personas):
    commissioner_client.get(reverse("reporting:emdt"))
    assert AuditEvent.objects.filter(user=personas.commissioner, what="report emdt").exists()


@pytest.mark.parametrize(
    "query,status,message",
    [
        ("?area=pcn:NOPE", 404, "There is no primary care network with the code"),
        ("?area=wards:1", 404, "There is no area called"),
        ("?from=2026-13", 400, "Enter the first month as a year and month"),
        ("?from=2019-01&to=2026-01", 400, "Choose a period of 36 months or fewer"),
        ("?from=2026-05&to=2026-01", 400, "The first month must be the same as or before the last month"),
        ("?to=2099-01", 400, "The period cannot end after this month"),
        ("?by=wards", 400, "A report cannot be broken down by"),
    ],
)
def test_bad_input_gets_a_clear_message_and_is_audited(commissioner_client, personas, query, status, message):
    response = commissioner_client.get(reverse("reporting:smi_health_checks") + query)
    assert response.status_code == status and message in response.content.decode()
    assert AuditEvent.objects.filter(
        user=personas.commissioner, action=AuditAction.REFUSED, what="report smi-health-checks"
    ).exists()


def test_a_breakdown_left_from_a_bigger_area_falls_back_to_the_level_below(commissioner_client, practice):
    response = commissioner_client.get(
        reverse("reporting:smi_health_checks") + f"?area=pcn:{practice.pcn.code}&by=area"
    )
    assert response.status_code == 200 and "by GP practice" in response.content.decode()


def test_an_unknown_table_or_file_type_is_refused(commissioner_client):
    export = reverse("reporting:emdt_export")
    assert commissioner_client.get(export + "?table=nope").status_code == 404
    assert commissioner_client.get(export + "?format=pdf").status_code == 400


def test_a_commissioner_cannot_open_a_persons_page(commissioner_client, person):
    response = commissioner_client.get(reverse("healthchecks:person", args=[person.pk]))
    assert response.status_code in (403, 404)


def test_csv_export_is_stamped_with_period_area_and_when_made(commissioner_client, personas):
    url = reverse("reporting:smi_health_checks_export") + "?table=by-month&format=csv&from=2026-01&to=2026-06"
    response = commissioner_client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    stamp = dict(r for r in rows if len(r) == 2)
    assert stamp["Period"] == "January 2026 to June 2026" and "Made" in stamp and "Figures as of" in stamp
    assert stamp["Area"]
    assert rows[rows.index([]) + 1][:2] == ["Month", "On the register"]
    assert AuditEvent.objects.filter(user=personas.commissioner, action="export").exists()


def test_xlsx_export_holds_the_same_table(commissioner_client):
    url = reverse("reporting:emdt_export") + "?table=by-source&format=xlsx"
    response = commissioner_client.get(url)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:2] == ["Report", "EMDT requests"] and any(r[0] == "Period" for r in values)
    assert any("All requests" in r for r in values)


@pytest.mark.parametrize("role", ["key_worker", "peer_support_worker", "administrator", "ig_lead", "volunteer"])
def test_roles_without_reports_are_refused_them(client, personas, role):
    client.force_login(getattr(personas, role))
    assert client.get(reverse("reporting:smi_health_checks")).status_code == 403
    assert client.get(reverse("reporting:emdt_export")).status_code == 403
    assert client.get(reverse("reporting:index")).status_code == 403


@pytest.mark.parametrize(
    "role,own",
    [
        ("gp_practice_staff", "practice"),
        ("mhp", "pcn"),
        ("emdt_coordinator", "locality"),
    ],
)
def test_a_service_lead_sees_their_own_area_only(client, personas, practice, far_practice, role, own):
    """Practice staff see their practice, a PCN's MHP their PCN, an EMDT coordinator their locality: by
    default, and nothing wider or elsewhere (404, audited)."""
    user = getattr(personas, role)
    client.force_login(user)
    own_key = {
        "practice": f"practice:{practice.ods_code}",
        "pcn": f"pcn:{practice.pcn.code}",
        "locality": f"locality:{practice.locality.code}",
    }[own]
    page = reverse("reporting:smi_health_checks")
    response = client.get(page)
    assert response.status_code == 200
    assert f'<option value="{own_key}" selected' in response.content.decode()
    assert 'value="icb"' not in response.content.decode()
    for other in ("icb", f"practice:{far_practice.ods_code}", f"pcn:{far_practice.pcn.code}"):
        assert client.get(page + f"?area={other}").status_code == 404, other
    assert client.get(reverse("reporting:emdt_export") + "?area=icb&table=by-month").status_code == 404
    assert AuditEvent.objects.filter(user=user, action=AuditAction.REFUSED, what="report smi-health-checks").exists()
    assert client.get(page + f"?area=practice:{practice.ods_code}").status_code == 200


def test_an_outreach_worker_sees_their_providers_localities(client, personas):
    from joinedup.directory.models import OutreachCoverage

    client.force_login(personas.outreach_worker)
    response = client.get(reverse("reporting:smi_health_checks"))
    assert response.status_code == 200
    provider = personas.outreach_worker.memberships.get().team.organisation
    if OutreachCoverage.objects.filter(provider=provider).exists():
        assert f'<option value="provider:{provider.code}" selected' in response.content.decode()


def test_a_commissioner_can_break_the_icb_down_by_outreach_provider(commissioner_client):
    response = commissioner_client.get(reverse("reporting:smi_health_checks") + "?by=provider")
    assert response.status_code == 200 and "by outreach provider" in response.content.decode()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    params=st.dictionaries(
        st.sampled_from(["from", "to", "area", "by", "table", "format"]),
        st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=30)
        | st.sampled_from(["2026-01", "icb", "pcn:", "practice:", "area:x", "by-month", "xlsx", "pcn"]),
        max_size=6,
    ),
    export=st.booleans(),
)
def test_any_query_string_gets_a_page_or_a_clear_refusal_never_a_crash(client, personas, params, export):
    client.force_login(personas.commissioner)
    name = "reporting:emdt_export" if export else "reporting:emdt"
    response = client.get(reverse(name), params)
    assert response.status_code in (200, 400, 404), (params, response.status_code)


def test_a_commissioner_trying_a_persons_page_gets_not_found_and_it_is_audited(commissioner_client, personas, person):
    response = commissioner_client.get(reverse("people:record", args=[person.pk]))
    assert response.status_code == 404 and person.family_name not in response.content.decode()
    refused = AuditEvent.objects.filter(user=personas.commissioner, action=AuditAction.REFUSED).order_by("-pk").first()
    assert refused is not None and refused.object_id == str(person.pk)
