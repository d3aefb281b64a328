import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from joinedup.healthchecks.models import ContactAttempt, HealthCheck, RegisterEntry

from .helpers import register_file, row

pytestmark = pytest.mark.django_db


def test_upload_lists_rejected_rows(client, personas, practice):
    client.force_login(personas.gp_practice_staff)
    code = practice.ods_code
    rows = [row(code, 1), row(code, 2, dob="31/02/1980"), row(code, 3, smi="123")]
    upload = SimpleUploadedFile("register.csv", register_file(code, rows).getvalue(), content_type="text/csv")
    response = client.post(reverse("healthchecks:upload"), {"file": upload}, follow=True)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Rejected rows" in text and "not in the SMI register cluster" in text and "cannot be read" in text
    assert RegisterEntry.objects.count() == 1


def test_upload_without_a_file_shows_an_error(client, personas):
    client.force_login(personas.gp_practice_staff)
    response = client.post(reverse("healthchecks:upload"), {})
    assert "Select a CSV file to upload" in response.content.decode()


def test_refused_file_page(client, personas):
    client.force_login(personas.outreach_worker)
    upload = SimpleUploadedFile("empty.csv", b"\n\n", content_type="text/csv")
    response = client.post(reverse("healthchecks:upload"), {"file": upload}, follow=True)
    assert "The file was not imported" in response.content.decode()


def test_worklist_page(client, personas, on_register, practice, django_assert_max_num_queries):
    from joinedup.healthchecks.registers import import_register

    import_register(
        register_file(
            practice.ods_code,
            [row(practice.ods_code, 0, family="Ashworth", given="Zoë", dob="1984-03-15")]
            + [row(practice.ods_code, i) for i in range(1, 30)],
        )
    )
    client.force_login(personas.outreach_worker)
    client.get(reverse("healthchecks:worklist"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("healthchecks:worklist"))
    text = response.content.decode()
    assert "Zoë" in text and "999 000 0018" in text and "None in 3 years" in text


def test_contact_and_check_through_the_pages(client, personas, on_register):
    client.force_login(personas.outreach_worker)
    url = reverse("healthchecks:contact", args=[on_register.pk])
    response = client.post(url, {})
    assert "Select how you tried to contact them" in response.content.decode()
    response = client.post(url, {"method": "phone", "outcome": "no_answer", "next_step": "Try a letter"})
    assert response.status_code == 302
    assert ContactAttempt.objects.filter(person=on_register).count() == 1
    today = timezone.localdate()
    check_url = reverse("healthchecks:record_check", args=[on_register.pk])
    data = {
        "done_on-day": today.day,
        "done_on-month": today.month,
        "done_on-year": today.year,
        "height_cm": "165",
        "weight_kg": "95",
        "systolic": "125",
        "diastolic": "82",
        "hba1c": "40",
        "total_cholesterol": "5.1",
        "smoking": "never",
        "alcohol_units": "4",
    }
    response = client.post(check_url, {**data, "systolic": "abc"})
    assert "must be a whole number" in response.content.decode()
    response = client.post(check_url, data, follow=True)
    text = response.content.decode()
    assert "1 follow-up suggested" in text and "Offer weight management" in text
    assert HealthCheck.objects.get(person=on_register).full


def test_booking_page(client, personas, on_register):
    client.force_login(personas.outreach_worker)
    day = timezone.localdate() + dt.timedelta(days=3)
    url = reverse("healthchecks:book", args=[on_register.pk])
    response = client.post(
        url,
        {
            "provider_kind": "practice",
            "day-day": day.day,
            "day-month": day.month,
            "day-year": day.year,
            "time": "10:30",
            "place": "Surgery room 2",
        },
        follow=True,
    )
    assert "Health check booked" in response.content.decode()


def test_coverage_page_for_commissioner(client, personas, on_register):
    client.force_login(personas.commissioner)
    response = client.get(reverse("healthchecks:coverage") + "?by=practice")
    text = response.content.decode()
    assert response.status_code == 200 and "*" in text and "Zoë" not in text


def test_updates_page_makes_and_downloads_a_file(client, personas, hc_check, practice):
    client.force_login(personas.gp_practice_staff)
    response = client.post(reverse("healthchecks:updates"), {"practice": practice.pk}, follow=True)
    assert "Register update for" in response.content.decode()
    from joinedup.healthchecks.models import RegisterUpdateFile

    f = RegisterUpdateFile.objects.get()
    download = client.get(reverse("healthchecks:update_download", args=[f.pk]))
    assert download["Content-Type"].startswith("text/csv") and b"60621009" in download.content
    client.post(reverse("healthchecks:updates"), {"file": f.pk, "step": "sent"})
    f.refresh_from_db()
    assert f.sent_at is not None


def test_worklist_filtered_by_practice(client, personas, on_register, practice, far_practice):
    client.force_login(personas.outreach_worker)
    text = client.get(reverse("healthchecks:worklist") + f"?practice={practice.ods_code}").content.decode()
    assert "Zoë" in text
    other = far_practice.ods_code  # not in Calico's area: ignored, so everyone is shown
    assert "Zoë" in client.get(reverse("healthchecks:worklist") + f"?practice={other}").content.decode()
