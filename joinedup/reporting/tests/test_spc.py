"""XmR rules (Making Data Count) against series whose signals are known."""

import pytest

from joinedup.reporting import spc

NOISE = [50, 52, 49, 51, 50, 48, 51, 50, 52, 49, 50, 51]  # common cause only


def flagged(chart):
    return [i for i, p in enumerate(chart.points) if p.special]


def test_limits_are_the_mean_plus_and_minus_2_66_mean_moving_ranges():
    chart = spc.xmr([10, 12, 11, 13])
    assert chart.mean == pytest.approx(11.5)
    assert chart.mean_moving_range == pytest.approx((2 + 1 + 2) / 3)
    assert chart.upper == pytest.approx(11.5 + 2.66 * 5 / 3)
    assert chart.lower == pytest.approx(11.5 - 2.66 * 5 / 3)


def test_noise_alone_is_common_cause_variation():
    chart = spc.xmr(NOISE, improvement=spc.UP)
    assert flagged(chart) == [] and chart.variation == spc.COMMON_CAUSE
    assert chart.variation_text == "Common cause variation"


def test_a_point_beyond_a_limit_is_special_cause():
    chart = spc.xmr([*NOISE, 80], improvement=spc.UP)
    assert chart.points[12].high == {"outside"} and chart.points[12].special == spc.HIGH
    assert chart.variation == spc.IMPROVEMENT and chart.variation_text.endswith("(higher)")


def test_a_low_point_is_a_concern_when_higher_is_better_and_an_improvement_when_lower_is():
    assert spc.xmr([*NOISE, 20], improvement=spc.UP).variation == spc.CONCERN
    assert spc.xmr([*NOISE, 20], improvement=spc.DOWN).variation == spc.IMPROVEMENT
    assert spc.xmr([*NOISE, 20]).variation == spc.NEITHER


def test_seven_in_a_row_above_the_mean_is_a_shift():
    # A step up: the seven after it are above the mean, and the ten before it below (a shift down, too).
    series = [48, 47, 48, 49, 47, 48, 47, 48, 49, 48, 52, 53, 52, 53, 52, 53, 52]
    chart = spc.xmr(series)
    assert [i for i, p in enumerate(chart.points) if "shift" in p.high] == list(range(10, 17))
    assert [i for i, p in enumerate(chart.points) if "shift" in p.low] == list(range(0, 10))
    assert not any("outside" in p.high | p.low for p in chart.points)


def test_six_in_a_row_above_the_mean_is_not_a_shift():
    series = [50, 49, 51, 50, 48, 50, 49, 51, 50, 49, 50, 53, 52, 53, 52, 53, 52]
    chart = spc.xmr(series)
    assert not any("shift" in p.high for p in chart.points)


def test_a_point_on_the_mean_breaks_a_run():
    chart = spc.xmr([1, 3, 3, 3, 2, 3, 3, 3, 1])  # mean 2.444...: the 2 sits below it
    assert not any("shift" in p.high for p in chart.points)


def test_seven_rising_in_a_row_is_a_trend():
    series = [50, 49, 51, 50, 48, 50, 49, 51, 45, 46, 47, 48, 49, 50, 51, 50]
    chart = spc.xmr(series)
    assert [i for i, p in enumerate(chart.points) if "trend" in p.high] == list(range(8, 15))


def test_six_rising_is_not_a_trend_and_a_repeat_breaks_one():
    assert not any("trend" in p.high for p in spc.xmr([45, 46, 47, 48, 49, 50, 40]).points)
    assert not any("trend" in p.high for p in spc.xmr([45, 46, 47, 47, 48, 49, 50, 51]).points)


def test_seven_falling_in_a_row_is_a_trend_down():
    chart = spc.xmr([57, 56, 55, 54, 53, 52, 51, 52])
    assert [i for i, p in enumerate(chart.points) if "trend" in p.low] == list(range(0, 7))


def test_two_of_three_beyond_two_thirds_of_the_way_to_a_limit():
    series = [*NOISE, *NOISE, 55, 50, 55, 50]
    chart = spc.xmr(series)
    line = chart.mean + 2 / 3 * (chart.upper - chart.mean)
    assert line < 55 < chart.upper and line > 50
    assert flagged(chart) == [24, 26] and chart.points[24].high == {"two_of_three"}


def test_one_of_three_beyond_two_thirds_is_not_a_signal():
    chart = spc.xmr([*NOISE, *NOISE, 55, 50, 51, 55])
    assert not any("two_of_three" in p.high for p in chart.points)


@pytest.mark.parametrize(
    "target,improvement,assurance",
    [
        (40, spc.UP, spc.MEETS_TARGET),  # every month will be above 40
        (60, spc.UP, spc.MISSES_TARGET),
        (50, spc.UP, spc.HIT_AND_MISS),
        (40, spc.DOWN, spc.MISSES_TARGET),
        (60, spc.DOWN, spc.MEETS_TARGET),
        (50, None, None),
        (None, spc.UP, None),
    ],
)
def test_assurance_from_where_the_target_sits_against_the_limits(target, improvement, assurance):
    chart = spc.xmr(NOISE, improvement=improvement, target=target)
    assert chart.assurance == assurance


def test_fewer_than_15_points_are_marked_as_less_reliable():
    assert not spc.xmr(NOISE).reliable and spc.xmr(NOISE + NOISE).reliable


def test_a_chart_needs_two_points_and_a_known_direction():
    with pytest.raises(ValueError):
        spc.xmr([1])
    with pytest.raises(ValueError):
        spc.xmr([1, 2], improvement="sideways")
