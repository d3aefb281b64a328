"""The disclosure rule (CLINICAL_FACTS.md): 1 to 7 hidden, others rounded to 5, no hidden count recoverable
from the totals of its row or column, no percentage from a hidden count."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from joinedup.reporting.disclosure import Shown, disclose, disclose_one, disclose_table, percent, percent_value


@pytest.mark.parametrize(
    "count,text",
    [(0, "0"), (1, "*"), (7, "*"), (8, "10"), (12, "10"), (13, "15"), (1232, "1,230"), (1234, "1,235")],
)
def test_a_count_alone_is_hidden_from_1_to_7_and_otherwise_rounded_to_5(count, text):
    assert disclose_one(count).text == text


def test_a_hidden_count_has_no_value_to_export():
    assert disclose_one(3) == Shown("*", None) and disclose_one(3).hidden
    assert disclose_one(9).value == 10


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError):
        disclose({"a": -1})


def test_a_lone_hidden_cell_in_a_row_hides_the_smallest_other_cell_too():
    # Without the second hiding, 3 = 40 - 20 - 17 (give or take the rounding) could be worked out.
    shown = disclose_table([[20, 3, 17]], row_totals=True, column_totals=False)
    assert [shown[(0, j)].text for j in range(3)] == ["20", "*", "*"]
    assert shown[(0, "total")].text == "40"


def test_secondary_hiding_carries_on_until_every_row_and_column_is_safe():
    rows = [[3, 20, 30], [40, 50, 60], [70, 80, 90]]
    shown = disclose_table(rows, row_totals=True, column_totals=True)
    hidden = {key for key, s in shown.items() if s.hidden}
    assert (0, 0) in hidden and (0, 1) in hidden  # row 0: 3 and the smallest other, 20
    assert (1, 0) in hidden  # column 0: 3 and the smallest other, 40 ...
    assert (1, 1) in hidden  # ... which leaves row 1 with one hidden: so 50 too, and column 1 has three


def test_a_zero_is_shown_and_never_hidden_as_the_second_cell():
    shown = disclose_table([[0, 5, 0, 30]], row_totals=True, column_totals=False)
    assert [shown[(0, j)].text for j in range(4)] == ["0", "*", "0", "*"]


def test_a_total_of_1_to_7_hides_its_parts_too():
    shown = disclose_table([[2, 0], [0, 0]], row_totals=True, column_totals=True)
    assert shown[("total", "total")].hidden and shown[(0, 0)].hidden and shown[(0, "total")].hidden


def test_percent_is_never_shown_from_a_hidden_count():
    assert percent(disclose_one(5), disclose_one(100)) == "*"
    assert percent(disclose_one(100), disclose_one(5)) == "*"
    assert percent_value(disclose_one(5), disclose_one(100)) is None


def test_percent_is_worked_out_from_the_rounded_counts():
    assert percent(disclose_one(76), disclose_one(100)) == "75%"
    assert percent_value(disclose_one(76), disclose_one(100)) == 75
    assert percent(disclose_one(0), disclose_one(0)) == "-"


def test_rows_of_different_lengths_are_refused():
    with pytest.raises(ValueError):
        disclose_table([[1, 2], [3]], row_totals=True, column_totals=True)


# Properties over any table of small counts (the kind that needs hiding most). ---------------------------------

small_counts = st.integers(min_value=0, max_value=40) | st.integers(min_value=0, max_value=9)
tables = st.integers(min_value=1, max_value=6).flatmap(
    lambda width: st.lists(st.lists(small_counts, min_size=width, max_size=width), min_size=1, max_size=7)
)


def relations_of(rows):
    """Each row and each column with its total, and the grand total with the row and column totals."""
    height, width = len(rows), len(rows[0])
    relations = [[(i, "total")] + [(i, j) for j in range(width)] for i in range(height)]
    relations += [[("total", j)] + [(i, j) for i in range(height)] for j in range(width)]
    relations.append([("total", "total")] + [("total", j) for j in range(width)])
    relations.append([("total", "total")] + [(i, "total") for i in range(height)])
    return relations


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_hidden_count_can_be_worked_out_from_its_row_or_column(rows):
    shown = disclose_table(rows, row_totals=True, column_totals=True)
    for members in relations_of(rows):
        hidden = [key for key in members if shown[key].hidden]
        assert len(hidden) != 1, f"{hidden[0]} is the only hidden count beside {members}"


@settings(max_examples=300, deadline=None)
@given(tables)
def test_every_count_from_1_to_7_is_hidden_and_every_shown_count_is_a_multiple_of_5(rows):
    true = {(i, j): n for i, row in enumerate(rows) for j, n in enumerate(row)}
    true.update({(i, "total"): sum(row) for i, row in enumerate(rows)})
    true.update({("total", j): sum(row[j] for row in rows) for j in range(len(rows[0]))})
    true[("total", "total")] = sum(map(sum, rows))
    shown = disclose_table(rows, row_totals=True, column_totals=True)
    assert shown.keys() == true.keys()
    for key, s in shown.items():
        if 1 <= true[key] <= 7:
            assert s.hidden, key
        if not s.hidden:
            assert s.value % 5 == 0 and abs(s.value - true[key]) <= 2, key
            assert s.text == f"{s.value:,}"
        if true[key] == 0:
            assert s.text == "0", key


@settings(max_examples=200, deadline=None)
@given(tables)
def test_only_counts_that_need_it_are_hidden(rows):
    """Secondary hiding never spends a zero, and a table with no count of 1 to 7 hides nothing."""
    shown = disclose_table(rows, row_totals=True, column_totals=True)
    true = {(i, j): n for i, row in enumerate(rows) for j, n in enumerate(row)}
    assert all(true[key] > 0 for key in true if shown[key].hidden)
    if not any(1 <= n <= 7 for n in true.values()) and not 1 <= sum(map(sum, rows)) <= 7:
        row_sums = [sum(r) for r in rows]
        column_sums = [sum(c) for c in zip(*rows, strict=True)]
        if not any(1 <= n <= 7 for n in row_sums + column_sums):
            assert not any(s.hidden for s in shown.values())
