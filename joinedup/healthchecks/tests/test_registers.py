import datetime as dt
import io

import pytest
from django.db import connection

from joinedup.core.models import AuditEvent, TimelineEntry
from joinedup.healthchecks.models import RegisterEntry, RegisterImport
from joinedup.healthchecks.registers import import_register
from joinedup.people.models import Person

from .helpers import BIPOLAR_REMISSION, HEADER, SCHIZOPHRENIA, nhs_for, register_file, row

pytestmark = pytest.mark.django_db


def run(f, **kw):
    return import_register(f, filename="test.csv", **kw)


def test_clean_file_adds_people_and_entries_then_reimport_changes_nothing(practice, region):
    code = practice.ods_code
    rows = [row(code, i) for i in range(3)]
    out = run(register_file(code, rows))
    assert (out.rows, out.added, out.updated, out.unchanged, out.left, out.rejected) == (3, 3, 0, 0, 0, 0)
    assert RegisterEntry.objects.filter(practice=practice, left_on__isnull=True).count() == 3
    person = Person.objects.get(nhs_number=nhs_for(0))
    assert person.practice == practice and person.search_name == "person test"
    entry = RegisterEntry.objects.get(person=person)
    assert entry.provider.code == "VCFSE-CALICO" and entry.pcn == practice.pcn
    assert TimelineEntry.objects.filter(person=person, kind="register_added").count() == 1
    timeline_before = TimelineEntry.objects.count()
    again = run(register_file(code, rows))
    assert (again.added, again.updated, again.unchanged, again.left, again.rejected) == (0, 0, 3, 0, 0)
    assert TimelineEntry.objects.count() == timeline_before
    assert RegisterImport.objects.count() == 2
    assert AuditEvent.objects.filter(what="SMI register import").count() == 2


def test_missing_people_leave_the_register_and_come_back(practice, region):
    code = practice.ods_code
    run(register_file(code, [row(code, i) for i in range(3)]))
    out = run(register_file(code, [row(code, 0), row(code, 1)]))
    assert out.left == 1 and out.unchanged == 2
    gone = RegisterEntry.objects.get(person__nhs_number=nhs_for(2))
    assert gone.left_on == dt.date.today()
    assert Person.objects.filter(nhs_number=nhs_for(2)).exists()
    back = run(register_file(code, [row(code, i) for i in range(3)]))
    assert back.updated == 1 and back.left == 0
    gone.refresh_from_db()
    assert gone.left_on is None


def test_only_practices_in_the_file_lose_people(practice, far_practice, region):
    run(register_file(practice.ods_code, [row(practice.ods_code, 0)]))
    out = run(register_file(far_practice.ods_code, [row(far_practice.ods_code, 1)]))
    assert out.left == 0
    assert RegisterEntry.objects.get(person__nhs_number=nhs_for(0)).left_on is None


def test_messy_file(practice, region):
    code = practice.ods_code
    header = "NHS Number\tFamily_Name\tgiven-name\tDateOfBirth\tSMI Code\tRemission Code\tUnknown Column"
    n0 = nhs_for(0)
    spaced = f"{n0[:3]} {n0[3:6]} {n0[6:]}"
    bad_check = nhs_for(1)[:9] + str((int(nhs_for(1)[9]) + 1) % 10)
    lines = [
        header,
        f"{spaced}\tBrontë\tZoë\t03/03/1980\t{SCHIZOPHRENIA}\t\tx",  # line 2, Windows-1252 names
        f"{bad_check}\tAdams\tAl\t1980-03-03\t{SCHIZOPHRENIA}\t\t",  # 3 bad check digit
        f"{nhs_for(2)}\tBaker\tBo\t3-Mar-1981\t{SCHIZOPHRENIA}\t\t",  # 4
        f"{nhs_for(3)}\tCole\tCy\t3 March 1982\t{BIPOLAR_REMISSION}\t{BIPOLAR_REMISSION}\t",  # 5 remission
        f"{n0}\tDuplicate\tDi\t1980-03-03\t{SCHIZOPHRENIA}\t\t",  # 6 duplicate of line 2
        f"{nhs_for(4)}\tEve\tEd\t3/3/2099\t{SCHIZOPHRENIA}\t\t",  # 7 future date of birth
        f"{nhs_for(5)}\tFox\tFi\t1980-03-03\t12345\t\t",  # 8 unknown code
        f"{nhs_for(6)}\tGee\tGi\t31/02/1980\t{SCHIZOPHRENIA}\t\t",  # 9 impossible date
        f"{nhs_for(7)}\t\tHa\t1980-03-03\t{SCHIZOPHRENIA}\t\t",  # 10 empty family name
        "",
        f"{nhs_for(8)}\tIvy\tIo\t03-Mar-1983\t{SCHIZOPHRENIA}\t\t",  # 12
    ]
    data = ("\r\n".join(lines) + "\r\n").encode("cp1252")
    out = run(io.BytesIO(data), practice_code=code)
    assert out.rows == 10
    assert out.added == 4 and out.rejected == 6
    reasons = {e["line"]: e["reason"] for e in out.errors}
    assert set(reasons) == {3, 6, 7, 8, 9, 10}
    assert "check digit" in reasons[3]
    assert "also on line 2" in reasons[6]
    assert "in the future" in reasons[7]
    assert "not in the SMI register cluster" in reasons[8]
    assert "cannot be read" in reasons[9]
    assert "family name is empty" in reasons[10]
    zoe = Person.objects.get(nhs_number=n0)
    assert (zoe.given_name, zoe.family_name, zoe.date_of_birth) == ("Zoë", "Brontë", dt.date(1980, 3, 3))
    cole = RegisterEntry.objects.get(person__nhs_number=nhs_for(3))
    assert cole.remission_code == BIPOLAR_REMISSION and cole.in_remission


def test_utf8_with_bom_and_rejected_people_do_not_leave(practice, region):
    code = practice.ods_code
    run(register_file(code, [row(code, 0), row(code, 1)]))
    f = register_file(code, [row(code, 0), row(code, 1, dob="not a date")], encoding="utf-8-sig")
    assert f.getvalue().startswith(b"\xef\xbb\xbf")
    out = run(f)
    assert out.rejected == 1 and out.left == 0 and out.unchanged == 1


def test_diagnosis_before_birth_and_unknown_practice(practice, region):
    code = practice.ods_code
    out = run(
        register_file(code, [row(code, 0, dob="1990-01-01", smi_date="1989-01-01"), row("Z99999", 1), row(code, 2)])
    )
    reasons = {e["line"]: e["reason"] for e in out.errors}
    assert "before the date of birth" in reasons[2]
    assert "not a GP practice we know" in reasons[3]
    assert out.added == 1


@pytest.mark.parametrize(
    "content,problem",
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary", "not a text"),
        (f"{nhs_for(0)},Smith,Ann,1980-01-01,{SCHIZOPHRENIA}\n".encode(), "no header"),
        (b"nhs_number,family_name,given_name,date_of_birth\n9990000018,A,B,1980-01-01\n", "SMI code"),
        (HEADER.encode() + b"\n", "no rows"),
    ],
)
def test_whole_file_problems_refuse_the_file(practice, region, content, problem):
    out = run(io.BytesIO(content))
    assert problem in out.refused
    assert RegisterEntry.objects.count() == 0
    assert RegisterImport.objects.get().status == RegisterImport.Status.REFUSED


def test_a_failure_half_way_leaves_nothing(practice, region, monkeypatch):
    from joinedup.healthchecks import registers

    monkeypatch.setattr(registers, "BATCH_ROWS", 2)
    code = practice.ods_code
    run(register_file(code, [row(code, 0)]))
    people_before = Person.objects.count()
    timeline_before = TimelineEntry.objects.count()

    def killed(rows_read):
        if rows_read >= 4:
            raise KeyboardInterrupt("killed")

    with pytest.raises(KeyboardInterrupt):
        run(register_file(code, [row(code, i) for i in range(1, 8)]), progress=killed)
    assert Person.objects.count() == people_before
    assert TimelineEntry.objects.count() == timeline_before
    assert RegisterEntry.objects.filter(left_on__isnull=True).count() == 1


def test_practice_staff_import_only_their_own_practice(practice, far_practice, personas):
    out = run(
        register_file(practice.ods_code, [row(practice.ods_code, 0), row(far_practice.ods_code, 1)]),
        by=personas.gp_practice_staff,
    )
    assert out.added == 1
    assert "not one whose register you may import" in out.errors[0]["reason"]


def test_command_prints_json(practice, region, tmp_path, capsys):
    import json

    from django.core.management import call_command

    path = tmp_path / "reg.csv"
    path.write_bytes(register_file(practice.ods_code, [row(practice.ods_code, 0)]).getvalue())
    call_command("import_register", str(path), "--json")
    data = json.loads(capsys.readouterr().out)
    assert data == {"rows": 1, "added": 1, "updated": 0, "unchanged": 0, "left": 0, "rejected": 0, "errors": []}


def test_command_with_practice_option(practice, region, tmp_path, capsys):
    from django.core.management import call_command

    path = tmp_path / "reg.csv"
    header = "nhs_number,family_name,given_name,date_of_birth,smi_code"
    path.write_text(f"{header}\n{nhs_for(0)},Ann,Smith,1980-01-01,{SCHIZOPHRENIA}\n")
    call_command("import_register", str(path), "--practice", practice.ods_code)
    assert "1 added" in capsys.readouterr().out


def test_known_nhs_number_with_another_date_of_birth_is_rejected(person, practice):
    # Zoë Ashworth, 999 000 0018, was born on 15 March 1984.
    code = practice.ods_code
    out = run(register_file(code, [row(code, 0, dob="1990-01-01"), row(code, 1)]))
    assert out.rejected == 1 and out.added == 1
    assert out.errors == [{"line": 2, "reason": out.errors[0]["reason"]}]
    assert "different date of birth" in out.errors[0]["reason"]
    assert not RegisterEntry.objects.filter(person=person).exists()


def _planner_rows(table: str) -> int | None:
    """The row count the database's query planner believes the table has (None: no statistics)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            found = cursor.fetchone()[0]
            return None if found is None or found < 0 else int(found)
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return None
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        found = cursor.fetchone()
        return int(found[0].split()[0]) if found else None


def test_an_import_leaves_planner_statistics_for_the_tables_it_filled(practice, region):
    code = practice.ods_code
    run(register_file(code, [row(code, i) for i in range(25)]))
    assert _planner_rows("healthchecks_registerentry") == RegisterEntry.objects.count() == 25
    assert _planner_rows("people_person") == Person.objects.count()
    assert _planner_rows("core_timelineentry") == TimelineEntry.objects.count()


def test_memory_stays_flat_for_a_file_of_bad_rows(practice, region, settings):
    import tracemalloc

    settings.HEALTH_CHECK_REGISTER_ERRORS_KEPT = 100
    code = practice.ods_code
    bad = [code, "9990000010", "Test", "Person", "1980-01-01", "F", "", SCHIZOPHRENIA, ""]  # wrong check digit
    f = register_file(code, [row(code, 0)] + [bad] * 40_000)
    tracemalloc.start()
    try:
        out = run(f)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert out.rejected == 40_000 and len(out.errors) == 100
    assert out.reasons == {"The NHS number is not valid": 40_000}
    assert peak < 4_000_000, f"peak {peak:,} bytes"


def test_command_streams_every_rejected_row_beyond_those_kept(practice, region, tmp_path, capsys, settings):
    import json

    from django.core.management import call_command

    settings.HEALTH_CHECK_REGISTER_ERRORS_KEPT = 2
    code = practice.ods_code
    path = tmp_path / "reg.csv"
    path.write_bytes(register_file(code, [row(code, 0)] + [row(code, i, dob="nope") for i in range(1, 6)]).getvalue())
    call_command("import_register", str(path), "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["rejected"] == 5 and [e["line"] for e in data["errors"]] == [3, 4, 5, 6, 7]
    assert RegisterImport.objects.get().errors == [{"line": 3, "reason": data["errors"][0]["reason"]}] + [
        {"line": 4, "reason": data["errors"][1]["reason"]}
    ]


def test_changed_details_are_applied_but_a_different_date_of_birth_never_links(person, practice):
    code = practice.ods_code
    out = run(register_file(code, [row(code, 0, family="Other", dob="1990-01-01")]))
    assert out.rejected == 1 and out.updated == 0
    person.refresh_from_db()
    assert person.family_name == "Ashworth"
    assert not TimelineEntry.objects.filter(person=person, kind="details_changed").exists()


def test_empty_cells_never_clear_known_details(practice, region):
    code = practice.ods_code
    run(register_file(code, [row(code, 0)]))
    blank = row(code, 0)
    blank[5] = blank[6] = ""  # no sex, no postcode
    out = run(register_file(code, [blank]))
    assert out.unchanged == 1 and out.updated == 0
    person = Person.objects.get(nhs_number=nhs_for(0))
    assert (person.sex, person.postcode) == ("2", "FY1 3AB")


def test_a_leave_limit_previews_and_changes_nothing(practice, region):
    code = practice.ods_code
    run(register_file(code, [row(code, i) for i in range(4)]))
    out = run(register_file(code, [row(code, 0)]), leave_limit=50)
    assert out.preview["left"] == 3 and out.preview["practices"][0]["on_register"] == 4
    assert out.import_id is None and RegisterImport.objects.count() == 1
    assert RegisterEntry.objects.filter(left_on__isnull=False).count() == 0
    assert run(register_file(code, [row(code, 0), row(code, 1)]), leave_limit=50).left == 2


def test_command_reports_no_rows_for_a_refused_file(practice, region, tmp_path, capsys):
    import json

    from django.core.management import call_command

    code = practice.ods_code
    path = tmp_path / "reg.csv"
    rows = [row(code, 1, dob="nope"), row(code, 2, given="Nul\x00")]
    path.write_bytes(register_file(code, rows).getvalue())
    with pytest.raises(SystemExit):
        call_command("import_register", str(path), "--json")
    data = json.loads(capsys.readouterr().out)
    assert "line 3 has a NUL character" in data["refused"] and data["errors"] == [] and data["rejected"] == 0


def test_a_repeated_nhs_number_names_the_first_line_even_when_that_line_was_rejected(practice, region):
    code = practice.ods_code
    out = run(register_file(code, [row(code, 0), row("Z99999", 1), row(code, 1), row(code, 0), row(code, 2)]))
    reasons = {e["line"]: e["reason"] for e in out.errors}
    assert "not a GP practice we know" in reasons[3]
    assert "also on line 3" in reasons[4] and "also on line 2" in reasons[5]
    assert (out.added, out.rejected) == (2, 3)
    assert out.reasons == {"The practice is not known": 1, "The NHS number is on an earlier line too": 2}


def _checks_refused(monkeypatch):
    """Every row check fails the test: what is imported next must be known unchanged from its hash alone."""
    from joinedup.healthchecks import registers

    def check(*_args, **_kw):
        raise AssertionError("an unchanged row was checked again")

    monkeypatch.setattr(registers._Reader, "check", check)


def test_an_identical_row_is_known_unchanged_without_being_checked_again(practice, region, monkeypatch):
    code = practice.ods_code
    rows = [row(code, i) for i in range(3)]
    run(register_file(code, rows), practice_code=code)
    assert RegisterEntry.objects.filter(row_hash__isnull=True).count() == 0
    timeline_before = TimelineEntry.objects.count()
    with monkeypatch.context() as m:
        _checks_refused(m)
        again = run(register_file(code, rows[:2] + [rows[0]]), practice_code=code)
    # Known rows still count towards who has left and repeated NHS numbers.
    assert (again.unchanged, again.left, again.rejected, again.added, again.updated) == (2, 1, 1, 0, 0)
    assert "also on line 2" in again.errors[0]["reason"]
    assert TimelineEntry.objects.count() == timeline_before + 1  # the one who left
    changed = run(register_file(code, [row(code, 0, smi_date="2020-01-01"), rows[1], rows[2]]), practice_code=code)
    assert (changed.updated, changed.unchanged) == (2, 1)  # the changed row, and the one who came back


def test_a_row_is_checked_again_when_the_rules_change(practice, region, monkeypatch):
    from joinedup.healthchecks import registers

    code = practice.ods_code
    run(register_file(code, [row(code, 0)]), practice_code=code)
    before = RegisterEntry.objects.get().row_hash
    monkeypatch.setattr(registers, "ROW_HASH_VERSION", b"another")
    out = run(register_file(code, [row(code, 0)]), practice_code=code)
    assert out.unchanged == 1 and out.updated == 0
    assert RegisterEntry.objects.get().row_hash != before  # checked afresh, and known again next time


def test_a_known_row_from_a_practice_the_user_may_not_import_is_still_refused(practice, far_practice, region, personas):
    run(register_file(far_practice.ods_code, [row(far_practice.ods_code, 1)]))
    out = run(register_file(practice.ods_code, [row(far_practice.ods_code, 1)]), by=personas.gp_practice_staff)
    assert out.rejected == 1 and "not one whose register you may import" in out.errors[0]["reason"]


def test_an_import_applied_a_few_lines_at_a_time_comes_out_the_same(practice, far_practice, region, monkeypatch):
    from joinedup.healthchecks import registers

    monkeypatch.setattr(registers, "APPLY_LINES", 2)
    code, far = practice.ods_code, far_practice.ods_code
    first = run(register_file(code, [row(code, i) for i in range(5)] + [row(far, 9)]))
    assert (first.added, first.rejected) == (6, 0)
    assert TimelineEntry.objects.filter(kind="register_added").count() == 6
    rows = [row(code, 0, smi_date="2020-01-01"), row(code, 1), row(code, 5), row(code, 6), row(far, 9)]
    out = run(register_file(code, rows))
    assert (out.added, out.updated, out.unchanged, out.left) == (2, 1, 2, 3)
    assert RegisterEntry.objects.filter(left_on__isnull=True).count() == 5
    assert TimelineEntry.objects.filter(kind="register_left").count() == 3
    assert TimelineEntry.objects.filter(kind="register_updated").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite imports in one transaction")
def test_a_person_added_by_someone_else_while_an_import_applies_is_linked_not_an_error(
    practice, region, personas, monkeypatch
):
    """PostgreSQL applies in short transactions: a practice may register someone between the import reading its
    file and adding them. The import takes that record rather than failing on the NHS number."""
    from joinedup.healthchecks import registers
    from joinedup.people.services import person_register

    code = practice.ods_code
    batches = registers._batches

    def someone_else_first(cursor, **kw):
        person_register(
            by=personas.gp_practice_staff,
            nhs_number=nhs_for(1),
            given_name="Person",
            family_name="Test",
            date_of_birth=dt.date(1980, 1, 1),
            practice=practice,
        )
        return batches(cursor, **kw)

    monkeypatch.setattr(registers, "_batches", someone_else_first)
    out = run(register_file(code, [row(code, 0), row(code, 1)]))
    assert (out.added, out.rejected) == (2, 0)
    assert Person.objects.filter(nhs_number=nhs_for(1)).count() == 1
    assert RegisterEntry.objects.filter(person__nhs_number=nhs_for(1), left_on__isnull=True).count() == 1
