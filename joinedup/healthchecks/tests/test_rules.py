import datetime as dt
from types import SimpleNamespace

from joinedup.healthchecks.rules import (
    DUE,
    OVERDUE,
    adult_born_on_or_before,
    check_flags,
    cutoffs,
    full_check_date,
    months_before,
    priority,
)

TODAY = dt.date(2026, 11, 28)


def entry(**kw):
    base = dict(left_on=None, remission_code="", date_of_birth=dt.date(1980, 1, 1), last_full_check=None)
    base.update(kw)
    return SimpleNamespace(**base)


def test_never_checked_is_overdue():
    assert priority(entry(), TODAY) == OVERDUE


def test_exactly_36_months_counts_as_within_and_a_day_more_is_overdue():
    overdue, due = cutoffs(TODAY)
    assert overdue == dt.date(2023, 11, 28)
    assert priority(entry(last_full_check=dt.date(2023, 11, 28)), TODAY) == DUE
    assert priority(entry(last_full_check=dt.date(2023, 11, 27)), TODAY) == OVERDUE


def test_exactly_12_months_is_not_due_a_day_more_is():
    assert priority(entry(last_full_check=dt.date(2025, 11, 28)), TODAY) is None
    assert priority(entry(last_full_check=dt.date(2025, 11, 27)), TODAY) == DUE


def test_18th_birthday_today_is_in_a_day_later_is_not():
    assert priority(entry(date_of_birth=dt.date(2008, 11, 28)), TODAY) == OVERDUE
    assert priority(entry(date_of_birth=dt.date(2008, 11, 29)), TODAY) is None


def test_leap_day_birthday():
    assert adult_born_on_or_before(dt.date(2028, 2, 29)) == dt.date(2010, 2, 28)
    assert months_before(dt.date(2024, 2, 29), 12) == dt.date(2023, 2, 28)


def test_remission_after_diagnosis_takes_the_person_out_whatever_the_diagnosis_code():
    # A diagnosis code that itself says "in remission" does not decide; the remission column does.
    assert priority(entry(remission_code=""), TODAY) == OVERDUE
    assert priority(entry(remission_code="111485001"), TODAY) is None


def test_left_register_is_out():
    assert priority(entry(left_on=dt.date(2026, 1, 1)), TODAY) is None


def test_full_check_needs_all_six_elements():
    dates = dict.fromkeys(
        ("bmi_date", "bp_date", "glucose_date", "lipids_date", "smoking_date", "alcohol_date"), dt.date(2026, 1, 1)
    )
    dates["bmi_date"] = dt.date(2025, 6, 1)
    assert full_check_date(dates) == dt.date(2025, 6, 1)
    dates["alcohol_date"] = None
    assert full_check_date(dates) is None


def test_thresholds_from_the_data_file():
    codes = lambda **m: {f["code"] for f in check_flags(m)}  # noqa: E731
    assert codes(bmi=24.9) == set()
    assert codes(bmi=25) == {"bmi_high"}
    assert {f["code"] for f in check_flags({"bmi": 23.5}, ethnicity="H")} == {"bmi_high_sa"}
    assert codes(systolic=140, diastolic=90) == set()
    assert codes(systolic=141, diastolic=91) == {"bp_systolic", "bp_diastolic"}
    assert codes(hba1c=42) == {"hba1c_risk"}
    assert codes(hba1c=48) == {"hba1c_diabetes"}
    assert codes(total_cholesterol=6.0) == set()
    assert codes(total_cholesterol=6.1) == {"cholesterol_high"}
    assert codes(smoking="current") == {"smoker"}
    assert codes(smoking="ex") == set()
    assert codes(random_glucose=11.1, fasting_glucose=5.4) == {"glucose_random"}


def test_flags_with_the_same_follow_up_make_one_follow_up_listing_every_reason():
    from joinedup.healthchecks.rules import follow_ups

    made = follow_ups(check_flags({"systolic": 150, "diastolic": 95, "bmi": 31}))
    assert [(f["action"], f["reason"]) for f in made] == [
        ("Offer weight management and lifestyle support", "BMI 25 or more"),
        ("Blood pressure review with the GP", "Systolic blood pressure above 140; Diastolic blood pressure above 90"),
    ]


def test_every_follow_up_the_thresholds_can_make_fits_its_record():
    from joinedup.healthchecks.models import FollowUp
    from joinedup.healthchecks.rules import follow_ups
    from joinedup.healthchecks.valuesets import thresholds

    # The worst case: every threshold row of one follow-up met at once.
    for f in follow_ups(list(thresholds())):
        assert len(f["code"]) <= FollowUp._meta.get_field("code").max_length, f
        assert len(f["reason"]) <= FollowUp._meta.get_field("reason").max_length, f
