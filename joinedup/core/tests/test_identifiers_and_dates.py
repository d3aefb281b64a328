"""Property-based tests for NHS numbers and dates: the two things people mistype most."""

import datetime as dt

import nhs_number
import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from joinedup.core.dates import DateParseError, format_date, parse_date_text
from joinedup.core.validators import format_nhs_number, normalise_nhs_number, validate_nhs_number, validate_no_markup

# The 999 range is for synthetic and test patients, as everywhere in this project.
nine_digits = st.text(alphabet="0123456789", min_size=6, max_size=6).map(lambda s: "999" + s)


def with_check_digit(base: str) -> str | None:
    check = nhs_number.calculate_checksum(base)
    return None if check is None or check == 10 else base + str(check)


@given(nine_digits)
def test_a_number_with_its_check_digit_is_valid_and_any_other_last_digit_is_not(base):
    number = with_check_digit(base)
    if number is None:
        for d in "0123456789":
            with pytest.raises(ValidationError):
                validate_nhs_number(base + d)
        return
    validate_nhs_number(number)
    for d in "0123456789":
        if d != number[-1]:
            with pytest.raises(ValidationError):
                validate_nhs_number(base + d)


@given(nine_digits, st.sampled_from([" ", "-", ""]))
def test_spaces_and_hyphens_are_allowed_and_display_is_3_3_4(base, sep):
    number = with_check_digit(base)
    if number is None:
        return
    typed = f"{number[:3]}{sep}{number[3:6]}{sep}{number[6:]}"
    validate_nhs_number(typed)
    assert normalise_nhs_number(typed) == number
    assert format_nhs_number(number) == f"{number[:3]} {number[3:6]} {number[6:]}"


@given(st.text(max_size=30))
def test_anything_else_is_refused_without_crashing(text):
    digits = normalise_nhs_number(text)
    if digits.isdigit() and len(digits) == 10 and nhs_number.is_valid(digits):
        return
    with pytest.raises(ValidationError):
        validate_nhs_number(text)


def test_the_documented_example_is_valid():
    validate_nhs_number("943 476 5919")


def test_a_right_check_digit_in_a_range_never_issued_is_refused_with_its_own_reason():
    with pytest.raises(ValidationError, match="range that is ever issued"):
        validate_nhs_number("0100000002")  # check digit 2 is right for 010000000


dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


@given(dates)
def test_every_accepted_date_form_reads_back_the_same_day(day):
    forms = [
        day.isoformat(),
        day.strftime("%d/%m/%Y"),
        f"{day.day}-{day.strftime('%b')}-{day.year}",
        day.strftime("%d-%b-%Y"),
        f"{day.day} {day.strftime('%B')} {day.year}",
        format_date(day),
    ]
    for text in forms:
        assert parse_date_text(text) == day, text


@given(st.text(max_size=40))
def test_unreadable_dates_raise_a_clear_error_never_anything_else(text):
    try:
        parse_date_text(text)
    except DateParseError as e:
        assert str(e)


@pytest.mark.parametrize("text", ["31/02/2026", "2026-13-01", "0/1/2026", "3 Smarch 2026", "03/03/26", "1899-12-31"])
def test_impossible_or_ambiguous_dates_are_refused(text):
    with pytest.raises(DateParseError):
        parse_date_text(text)


@pytest.mark.parametrize(
    "text",
    ["<script>alert(1)</script>", "<b>bold</b>", "a <img src=x>", "javascript:alert(1)", "</textarea>", "<!-- x -->"],
)
def test_markup_is_refused(text):
    with pytest.raises(ValidationError):
        validate_no_markup(text)


@pytest.mark.parametrize("text", ["Feels 3 < 5 on a bad day", "I'm > fine", "Mum & Dad", "Score: 4/7", ""])
def test_ordinary_text_with_symbols_is_kept(text):
    validate_no_markup(text)


def test_a_moment_is_shown_on_its_uk_day():
    """00:30 on 1 July in London is 23:30 on 30 June in UTC: the date shown is the UK one."""
    from zoneinfo import ZoneInfo

    moment = dt.datetime(2026, 6, 30, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert format_date(moment) == "1 July 2026"
    assert format_date(dt.date(2026, 6, 30)) == "30 June 2026"
