"""The period a report covers, read from the query string."""

import datetime as dt

import pytest

from joinedup.reporting.filters import BadPeriod, parse_period

TODAY = dt.date(2026, 12, 6)


def test_the_default_is_the_last_12_months_up_to_this_one():
    period = parse_period({}, today=TODAY)
    assert (period.first, period.last) == (dt.date(2026, 1, 1), dt.date(2026, 12, 1))
    assert period.label == "January 2026 to December 2026 (to date)" and period.end == TODAY


def test_a_month_ends_on_its_last_day_or_today():
    period = parse_period({"from": "2024-02", "to": "2024-02"}, today=TODAY)
    assert period.end == dt.date(2024, 2, 29) and period.label == "February 2024" and len(period.months) == 1


def test_36_months_is_allowed_and_37_is_not():
    assert len(parse_period({"from": "2024-01", "to": "2026-12"}, today=TODAY).months) == 36
    with pytest.raises(BadPeriod, match="36 months or fewer"):
        parse_period({"from": "2023-12", "to": "2026-12"}, today=TODAY)


@pytest.mark.parametrize("text", ["2026", "2026-00", "2026-13", "26-01", "1999-01", "2026-1", "<b>"])
def test_a_month_that_is_not_a_year_and_month_is_refused(text):
    with pytest.raises(BadPeriod, match="as a year and month"):
        parse_period({"from": text}, today=TODAY)
