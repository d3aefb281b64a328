"""Issue 9, item 4: registering (or changing a record to) an NHS number another record holds must not tell someone
without a relationship that the record exists, and the attempt is audited. From the outsider's side, CSRF on."""

import html

import pytest

from joinedup.core.models import AuditAction, AuditEvent
from joinedup.people.models import Person
from joinedup.people.services import NHS_NUMBER_NOT_USABLE, person_register

from .fixtures import csrf_post
from .test_record_pages import register_data

pytestmark = pytest.mark.django_db


def test_an_outsider_registering_a_known_nhs_number_learns_nothing_and_is_audited(
    sign_in, personas, person, far_practice
):
    outsider = sign_in(personas.outsider)
    before = Person.objects.count()
    response = csrf_post(outsider, "/people/new/", register_data(far_practice, nhs_number="999 000 0018"))
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert NHS_NUMBER_NOT_USABLE in page
    for telling in ("already exists", "has a record with this NHS number", "Ashworth", "Zoë"):
        assert telling not in page, telling
    assert Person.objects.count() == before
    attempt = AuditEvent.objects.get(person=person, user=personas.outsider)
    assert attempt.action == AuditAction.SEARCH
    assert "NHS number already held" in attempt.what


def test_changing_a_record_to_a_known_nhs_number_says_the_same_and_is_audited(sign_in, personas, person, far_practice):
    theirs = person_register(
        by=personas.outsider,
        nhs_number="9990000026",
        given_name="Ada",
        family_name="Furness",
        date_of_birth=person.date_of_birth,
        sex="2",
        practice=far_practice,
    )
    outsider = sign_in(personas.outsider)
    data = register_data(far_practice, nhs_number="999 000 0018", given_name="Ada", family_name="Furness")
    data.pop("consents")
    response = csrf_post(outsider, f"/people/{theirs.pk}/edit/", {**data, "version": theirs.version})
    page = html.unescape(response.content.decode())
    assert NHS_NUMBER_NOT_USABLE in page and "Ashworth" not in page
    assert AuditEvent.objects.filter(person=person, user=personas.outsider, action=AuditAction.SEARCH).exists()
    theirs.refresh_from_db()
    assert theirs.nhs_number == "9990000026"


def test_someone_who_works_with_the_person_is_told_whose_number_it_is(sign_in, personas, person, practice):
    gp = sign_in(personas.gp_practice_staff)
    response = csrf_post(gp, "/people/new/", register_data(practice, nhs_number="999 000 0018"))
    assert "Zoë Ashworth already has a record with this NHS number" in html.unescape(response.content.decode())


def test_registering_many_at_once_refuses_a_known_number_as_one_would_and_saves_none(personas, person, far_practice):
    """people_register (a GP system's Bundle) answers an outsider as person_register does: nothing said of whose
    number it is, the attempt audited against the holder, and none of the batch saved."""
    from django.core.exceptions import ValidationError

    from joinedup.people.services import RecordRefused, people_register

    records = [
        {"nhs_number": n, "given_name": "Ann", "family_name": "Lee", "date_of_birth": "1980-01-01"}
        for n in ("9990000026", "9990000018")
    ]
    before = Person.objects.count()
    with pytest.raises(RecordRefused) as refused:
        people_register(by=personas.outsider, records=[{**r, "practice": far_practice} for r in records])
    assert refused.value.index == 1
    assert isinstance(refused.value.error, ValidationError)
    assert refused.value.error.message_dict["nhs_number"] == [NHS_NUMBER_NOT_USABLE]
    assert Person.objects.count() == before
    assert AuditEvent.objects.filter(person=person, user=personas.outsider, action=AuditAction.SEARCH).exists()
