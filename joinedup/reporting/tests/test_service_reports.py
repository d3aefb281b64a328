"""The measure-based reports: the paired change statistic, the splits, and the figures adding up."""

import datetime as dt

import pytest

from joinedup.reporting.filters import Area, Period
from joinedup.reporting.measures import Measure, _age_band, _ethnic_group, measure_figures
from joinedup.reporting.queries import TOTAL
from joinedup.reporting.service_reports import _paired

pytestmark = pytest.mark.django_db


def test_paired_change_gives_n_means_and_a_95_percent_interval():
    n, first, last, change, (low, high) = _paired([(3, 5), (4, 5), (2, 5), (4, 6)])
    assert n == 4 and first == 3.25 and last == 5.25 and change == 2.0
    # changes 2, 1, 3, 2: sd 0.8165, se 0.4082, half width 0.8
    assert round(low, 2) == 1.2 and round(high, 2) == 2.8
    assert _paired([]) == (0, None, None, None, None)


def test_age_bands_and_ethnic_groups():
    assert _age_band(dt.date(2000, 6, 2), dt.date(2026, 6, 1)) == "25 to 34"
    assert _age_band(dt.date(1950, 1, 1), dt.date(2026, 6, 1)) == "65 and over"
    assert _ethnic_group("A") == "White" and _ethnic_group("H") == "Asian or Asian British"
    assert _ethnic_group("Z") == "Not stated" and _ethnic_group("") == "Not stated"


def test_groups_months_and_splits_add_up(person, practice, far_practice):
    from joinedup.reporting.filters import practice_geography

    geography = practice_geography()
    today = dt.date(2026, 6, 15)
    period = Period(dt.date(2026, 4, 1), dt.date(2026, 6, 1), today)
    area = Area("icb", "x", "ICB", frozenset(geography))
    rows = [(practice.pk, dt.date(2026, 4, 3), person.pk), (practice.pk, dt.date(2026, 6, 3), person.pk)]
    measures = [
        Measure("events", "Events", lambda p, pr: rows),
        Measure("people", "People", lambda p, pr: rows, people=True),
    ]
    f = measure_figures(measures, period=period, area=area, by="practice", geography=geography)
    assert f.counts[("group", TOTAL, "events")] == 2 and f.counts[("group", TOTAL, "people")] == 1
    assert f.counts[("month", "2026-04", "people")] == 1 and f.counts[("month", "2026-06", "people")] == 1
    assert f.counts[("split", "sex", "Female", "events")] == 2
    for total, parts in f.relations:
        assert f.counts[total] == sum(f.counts[p] for p in parts), (total, parts)
