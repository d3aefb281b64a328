"""What follows recording a check, seen by staff through the pages (real sign-in, CSRF enforced): the booking and
its reminder, the outreach claim, the follow-ups, and the coded results in the practice's register update."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from joinedup.healthchecks.models import Booking, Claim, RegisterUpdateFile

from .helpers import Staff

pytestmark = pytest.mark.django_db


def _today():
    today = timezone.localdate()
    return {"done_on-day": today.day, "done_on-month": today.month, "done_on-year": today.year}


FULL_CHECK = {
    "height_cm": "165",
    "weight_kg": "70",
    "systolic": "124",
    "diastolic": "80",
    "hba1c": "39",
    "total_cholesterol": "5.2",
    "smoking": "never",
    "alcohol_units": "6",
}


def test_one_blood_pressure_reading_over_both_limits_makes_one_follow_up_listing_both_reasons(on_register):
    worker = Staff("test.outreach_worker")
    url = reverse("healthchecks:record_check", args=[on_register.pk])
    response = worker.submit(url, {**_today(), "systolic": "150", "diastolic": "95"}, follow=True)
    page = response.content.decode()
    assert "Health check recorded: 1 follow-up suggested" in page
    assert page.count("Blood pressure review with the GP") == 1
    assert "Systolic blood pressure above 140" in page and "Diastolic blood pressure above 90" in page
    tasks = worker.page(reverse("my_tasks"))
    assert tasks.count("Blood pressure review with the GP") == 1


def test_a_check_at_its_appointment_closes_the_booking_ends_the_reminder_and_keeps_the_claim_history(on_register):
    worker = Staff("test.outreach_worker")
    person_url = reverse("healthchecks:person", args=[on_register.pk])
    assert worker.submit(reverse("healthchecks:claim", args=[on_register.pk]), {}).status_code == 302
    day = timezone.localdate() + dt.timedelta(days=1)
    booked = worker.submit(
        reverse("healthchecks:book", args=[on_register.pk]),
        {"provider_kind": "practice", "day-day": day.day, "day-month": day.month, "day-year": day.year}
        | {"time": "10:30", "place": "The surgery, room 2"},
    )
    assert booked.status_code == 302
    booking = Booking.objects.get(person=on_register)
    assert "Remind them of their health check" in worker.page(reverse("my_tasks"))

    check_url = reverse("healthchecks:record_check", args=[on_register.pk])
    form = worker.page(check_url)
    assert "Was this check at a booked appointment?" in form and "The surgery, room 2" in form
    unanswered = worker.submit(check_url, {**_today(), **FULL_CHECK})
    assert "Select the appointment this check was at" in unanswered.content.decode()

    response = worker.submit(check_url, {**_today(), **FULL_CHECK, "booking": str(booking.pk)}, follow=True)
    assert "Health check recorded" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.ATTENDED
    page = worker.page(person_url)
    assert "Attended" in page and "Mark as missed" not in page
    assert "Remind them of their health check" not in worker.page(reverse("my_tasks"))
    # The claim ended with who, when and why, and the page still shows who worked with the person.
    claim = Claim.objects.get(person=on_register)
    assert claim.released_at is not None and claim.released_by.username == "test.outreach_worker"
    assert claim.release_reason == Claim.Ended.FULL_CHECK
    assert "Earlier outreach" in page and "ended when a full health check was recorded" in page


def test_the_update_file_codes_every_result_of_the_check_and_the_page_names_what_it_cannot_code(on_register):
    worker = Staff("test.outreach_worker")
    check = {
        **_today(),
        **FULL_CHECK,
        "waist_cm": "88",
        "pulse": "72",
        "glucose": "5.0",
        "glucose_kind": "fasting",
        "hdl_cholesterol": "1.4",
        "audit_c": "3",
        "wider_medication_review": "Done with the pharmacist",
    }
    url = reverse("healthchecks:record_check", args=[on_register.pk])
    assert "Waist circumference, Pulse rate, AUDIT-C score and the wider check's notes have no code" in worker.page(url)
    assert worker.submit(url, check).status_code == 302

    updates_url = reverse("healthchecks:updates")
    before = worker.page(updates_url)
    for gap in ("Waist circumference", "Pulse rate", "AUDIT-C score", "Medication review"):
        assert gap in before, f"the page does not say that {gap} cannot be sent"
    practice = on_register.practice
    made = worker.submit(updates_url, {"practice": practice.pk}, follow=True)
    assert "Register update for" in made.content.decode()
    f = RegisterUpdateFile.objects.get()
    download = worker.client.get(reverse("healthchecks:update_download", args=[f.pk]))
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    sent = {r["snomed_code"]: r for r in rows}
    assert all(r["snomed_code"] for r in rows)
    expected = {
        "50373000": "165",  # height, as entered
        "27113001": "70",  # weight
        "60621009": "25.7",  # BMI
        "163030003": "124",  # systolic
        "163031004": "80",  # diastolic
        "999791000000106": "39",  # HbA1c
        "1003141000000105": "5.0",  # fasting glucose
        "994351000000103": "5.2",  # total cholesterol
        "1005681000000107": "1.4",  # HDL cholesterol
        "266919005": "",  # never smoked
        "1082641000000106": "6",  # alcohol units a week
    }
    assert {code: sent[code]["value"] for code in expected if code in sent} == expected
    after = worker.page(updates_url)
    assert "Not in the file" in after and "AUDIT-C score" in after
