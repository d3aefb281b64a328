"""Charts: geometry for the SVG, and what a reader without the picture gets (title, description, table)."""

from django.template import engines

from joinedup.reporting import charts, spc


def chart(values, **kw):
    labels = [f"M{i}" for i in range(len(values))]
    shown = ["*" if v is None else f"{v:g}" for v in values]
    return charts.xmr_chart(id="c", title="Checks", labels=labels, values=values, shown=shown, **kw)


def test_a_special_cause_point_is_marked_by_shape_and_named_in_words():
    c = chart([50, 52, 49, 51, 50, 48, 51, 50, 52, 49, 50, 51, 80], improvement=spc.UP)
    last = c.points[-1]
    assert last.marker == "high" and "outside the limits" in last.note and last.note.startswith("Special cause")
    assert c.variation == "Special cause variation: improvement (higher)"


def test_a_hidden_month_is_a_gap_in_the_line_and_left_out_of_the_limits():
    c = chart([10, 12, None, 11, 13])
    assert len(c.segments) == 2 and c.points[2].y is None and c.points[2].note == "Not shown: a small number"
    assert "1 months are not shown" in c.description


def test_the_description_gives_the_limits_and_the_variation():
    c = chart([10, 12, 11, 13], improvement=spc.UP, target=20)
    assert "process limits" in c.description and "Will consistently miss the target" in c.description
    assert "Fewer than 15 months" in c.description


def test_every_point_sits_inside_the_drawing():
    c = chart([0, 1000, 5, 999, 3], unit="")
    for p in c.points:
        assert c.left <= p.x <= c.right_x and c.top <= p.y <= c.bottom_y


def test_the_svg_has_a_title_a_description_a_table_and_no_script_or_style():
    c = chart([50, 52, 49, 51, 50, 48, 51, 50, 52, 49, 50, 51, 80], improvement=spc.UP)
    template = engines["jinja2"].from_string('{% from "reporting/_chart.jinja" import xmr_chart %}{{ xmr_chart(c) }}')
    html = template.render({"c": c})
    assert 'role="img"' in html and 'aria-labelledby="c-title c-desc"' in html
    assert '<title id="c-title">Checks</title>' in html and '<desc id="c-desc">' in html
    assert "<rect" in html  # the special cause point is a square, not only a colour
    assert "<table" in html and html.count('data-kind="count"') == 13
    assert "<script" not in html and "style=" not in html


def test_too_few_points_for_limits_still_gives_the_table():
    c = chart([None, 5])
    assert c.lines == [] and "too few months" in c.description


def test_the_icons_carry_a_letter_and_a_name_not_only_a_colour():
    from joinedup.reporting.charts import icons_of

    rising = spc.xmr([10, 10, 11, 10, 11, 10, 30], improvement=spc.UP, target=5)
    assert icons_of(rising) == (("H", "improvement"), ("?", "neutral"))
    falling = spc.xmr([10, 10, 11, 10, 11, 10, -10], improvement=spc.UP)
    assert icons_of(falling) == (("L", "concern"), None)
    steady = spc.xmr([50, 51, 49, 50, 52, 48, 50, 51], improvement=spc.UP, target=10)
    assert icons_of(steady) == (("C", "neutral"), ("P", "improvement"))
