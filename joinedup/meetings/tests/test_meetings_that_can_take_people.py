"""Meetings that can take people (issue 10, item 5): when every coming meeting is full the triage page says so and
the coordinator adds a meeting from there and comes back; the person's words can be recorded from the agenda."""

import re

import pytest

from joinedup.accounts.tests.helpers import sign_in_with_csrf

from .fixtures import make_meeting

pytestmark = pytest.mark.django_db


def _token(page):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def test_triage_says_every_coming_meeting_is_full_and_a_meeting_added_from_there_comes_back(
    personas, person, emdt_request, emdt_team
):
    from joinedup.meetings.services import agenda_place
    from joinedup.people.services import person_register

    full = make_meeting(by=personas.emdt_coordinator, team=emdt_team, days=7, capacity=1)
    other = person_register(
        by=personas.gp_practice_staff,
        nhs_number="9990000026",
        given_name="Ben",
        family_name="Holt",
        date_of_birth=person.date_of_birth,
        sex="1",
        ethnicity="A",
        postcode="FY1 4AB",
        practice=person.practice,
        consents={"nhs": True},
    )
    agenda_place(by=personas.emdt_coordinator, meeting=full, person=other, kind="new")
    coordinator = sign_in_with_csrf(personas.emdt_coordinator.username)
    url = f"/referrals/triage/{emdt_request.pk}/"
    page = coordinator.get(url).content.decode()
    assert "Every coming meeting of" in page and "is full (1 meeting)" in page
    assert f'href="/meetings/new/?triage={emdt_request.pk}"' in page
    new = f"/meetings/new/?triage={emdt_request.pk}"
    form = coordinator.get(new).content.decode()
    token = _token(form)
    day = full.starts_at.date()
    response = coordinator.post(
        new,
        {
            "csrfmiddlewaretoken": token,
            "date-day": day.day,
            "date-month": day.month,
            "date-year": day.year,
            "time": "14:00",
            "place": "Whitegate Health Centre",
            "capacity": "6",
        },
    )
    assert response.status_code == 302 and response["Location"] == url
    page = coordinator.get(url).content.decode()
    assert "No meeting has room" not in page


def test_the_persons_words_are_recorded_from_the_agenda_and_it_comes_back_there(personas, person, accepted):
    coordinator = sign_in_with_csrf(personas.emdt_coordinator.username)
    agenda = coordinator.get(f"/meetings/meeting/{accepted.meeting_id}/").content.decode()
    link = f"/meetings/{person.pk}/items/{accepted.pk}/words/?from=meeting"
    assert f'href="{link}"' in agenda
    token = _token(coordinator.get(link).content.decode())
    response = coordinator.post(link, {"csrfmiddlewaretoken": token, "words": "I want to keep my flat"})
    assert response.status_code == 302 and response["Location"] == f"/meetings/meeting/{accepted.meeting_id}/"
    accepted.refresh_from_db()
    assert accepted.person_words == "I want to keep my flat"
