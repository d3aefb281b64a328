"""Fixtures this app shares with the whole suite, including the `url_arg_<name>` values the URL walk needs."""

import datetime as dt

import pytest
from django.utils import timezone

from .helpers import register_file, row


@pytest.fixture
def on_register(person, practice):
    """The shared `person` (Zoë Ashworth) on her practice's SMI register, never checked."""
    from joinedup.healthchecks.registers import import_register

    f = register_file(practice.ods_code, [row(practice.ods_code, 0, family="Ashworth", given="Zoë", dob="1984-03-15")])
    outcome = import_register(f, filename="register.csv")
    assert outcome.added == 1 and outcome.rejected == 0, outcome.errors
    return person


@pytest.fixture
def hc_check(on_register, personas):
    from joinedup.healthchecks.services import check_record

    return check_record(
        by=personas.health_check_provider,
        person=on_register,
        done_on=timezone.localdate(),
        height_cm=170,
        weight_kg=90,
        systolic=120,
        diastolic=80,
        hba1c=38,
        total_cholesterol=5,
        smoking="current",
        alcohol_units=10,
    )


@pytest.fixture
def url_arg_import_id(practice, personas):
    from joinedup.healthchecks.registers import import_register

    f = register_file(practice.ods_code, [row(practice.ods_code, 5)])
    return import_register(
        f, by=personas.gp_practice_staff, filename="r.csv", practice_code=practice.ods_code
    ).import_id


@pytest.fixture
def url_arg_booking_id(on_register, personas):
    from joinedup.healthchecks.services import booking_create

    at = timezone.now() + dt.timedelta(days=7)
    return booking_create(
        by=personas.outreach_worker, person=on_register, provider_kind="practice", at=at, place="Surgery"
    ).pk


@pytest.fixture
def url_arg_follow_up_id(hc_check):
    return hc_check.follow_ups.first().pk


@pytest.fixture
def url_arg_file_id(hc_check, personas, practice):
    from joinedup.healthchecks.services import update_file_create

    return update_file_create(by=personas.gp_practice_staff, practice=practice).pk
