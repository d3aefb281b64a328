"""The register upload page as staff use it: a real sign-in and CSRF checks on (issue 9, items 11 to 16)."""

import codecs
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from joinedup.accounts.tests.helpers import sign_in_with_csrf
from joinedup.core.models import TimelineEntry
from joinedup.healthchecks.models import RegisterEntry, RegisterImport
from joinedup.people.models import Person

from .helpers import HEADER, nhs_for, register_file, row

pytestmark = pytest.mark.django_db

UPLOAD = "/health-checks/registers/upload/"


def _token(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)


def signed_in(user):
    """A browser-like client: CSRF enforced, signed in through the sign-in page with the user's password."""
    return sign_in_with_csrf(user.username)


def upload(client, content: bytes, *, name="register.csv", follow=True, **fields):
    page = client.get(fields.pop("page", UPLOAD))
    data = {"csrfmiddlewaretoken": _token(page), "file": SimpleUploadedFile(name, content, "text/csv"), **fields}
    return client.post(UPLOAD, data, follow=follow)


@pytest.fixture
def staff(personas):
    return signed_in(personas.gp_practice_staff)


def text_of(response) -> str:
    return response.content.decode()


# Item 11: bad input that gave a 500.


def test_a_cell_over_128_kb_refuses_the_file_naming_its_line(staff, practice):
    code = practice.ods_code
    content = register_file(code, [row(code, 0), row(code, 1, family="x" * 140_000)]).getvalue()
    response = upload(staff, content)
    assert response.status_code == 200
    assert "The file was not imported" in text_of(response) and "Line 3 is longer than 128 KB" in text_of(response)
    assert RegisterEntry.objects.count() == 0


def test_a_quoted_cell_over_128_kb_across_lines_refuses_the_file(staff, practice):
    code = practice.ods_code
    lines = [HEADER, ",".join(row(code, 0)), f'{code},{nhs_for(1)},"' + "long\n" * 30_000 + '",Ann,1980-01-01,F,,1,']
    response = upload(staff, "\n".join(lines).encode())
    assert response.status_code == 200
    assert "The file was not imported" in text_of(response) and "cannot be read" in text_of(response)


def test_a_first_line_over_128_kb_refuses_the_file(staff, practice):
    response = upload(staff, b"nhs_number," + b"x" * 200_000 + b"\n9990000018\n")
    assert response.status_code == 200
    assert "The first line is longer than 128 KB" in text_of(response)


def test_a_nul_byte_past_the_first_64_kb_refuses_the_file_naming_its_line(staff, practice):
    code = practice.ods_code
    rows = [row(code, i) for i in range(1500)]
    rows[1400][2] = "Nul\x00l"
    content = register_file(code, rows).getvalue()
    assert content.index(b"\x00") > 65536
    response = upload(staff, content)
    assert response.status_code == 200
    assert "not a text (CSV) file: line 1,402 has a NUL character" in text_of(response)
    assert RegisterEntry.objects.count() == 0


# Item 12: a size limit, and only the first errors kept (with counts by reason).


def test_a_file_over_the_upload_limit_is_refused_with_a_clear_message(staff, practice, settings):
    settings.HEALTH_CHECK_REGISTER_UPLOAD_MAX_MB = 1
    code = practice.ods_code
    content = register_file(code, [row(code, 0)] * 30_000).getvalue()
    assert len(content) > 1_100_000
    response = upload(staff, content, follow=False)
    assert response.status_code == 413
    assert "The file is larger than 1 MB" in text_of(response)
    assert not RegisterImport.objects.exists() and not RegisterEntry.objects.exists()


def test_only_the_first_rejected_rows_are_kept_with_every_row_counted_by_reason(staff, practice, settings):
    settings.HEALTH_CHECK_REGISTER_ERRORS_KEPT = 5
    code = practice.ods_code
    rows = [row(code, i, dob="31/02/1980") for i in range(20)] + [row(code, 100 + i, smi="1") for i in range(7)]
    response = upload(staff, register_file(code, [row(code, 50), *rows]).getvalue())
    text = text_of(response)
    assert "Only the first 5 of 27 rejected rows are listed" in text
    assert re.search(r"A date cannot be read</dt>\s*<dd[^>]*>20 rows", text)
    assert re.search(r"The SMI code is not in the register cluster</dt>\s*<dd[^>]*>7 rows", text)
    record = RegisterImport.objects.get()
    assert len(record.errors) == 5 and record.rejected == 27 and record.added == 1


# Item 13: Excel's "Unicode text" (UTF-16), and which line has a NUL.


def test_excel_unicode_text_utf16_is_imported(staff, practice):
    code = practice.ods_code
    f = register_file(code, [row(code, 0, family="Brontë", given="Zoë"), row(code, 1)], delimiter="\t")
    content = codecs.BOM_UTF16_LE + f.getvalue().decode("utf-8").encode("utf-16-le")
    response = upload(staff, content, name="register.txt")
    assert "The file was not imported" not in text_of(response)
    assert RegisterEntry.objects.count() == 2
    assert Person.objects.get(nhs_number=nhs_for(0)).family_name == "Brontë"


def test_a_nul_byte_refuses_the_file_naming_its_line(staff, practice):
    code = practice.ods_code
    content = register_file(code, [row(code, 0), row(code, 1, given="A\x00")]).getvalue()
    response = upload(staff, content)
    assert "not a text (CSV) file: line 3 has a NUL character" in text_of(response)


# Item 15: a later extract's changed details are applied and counted as updated.


def test_a_later_extract_with_a_new_postcode_updates_the_person_and_counts_the_row_as_changed(staff, practice):
    code = practice.ods_code
    upload(staff, register_file(code, [row(code, 0), row(code, 1)]).getvalue())
    moved = row(code, 0, family="Moved")
    moved[6] = "PR1 8XB"
    response = upload(staff, register_file(code, [moved, row(code, 1)]).getvalue())
    record = RegisterImport.objects.first()
    assert (record.added, record.updated, record.unchanged) == (0, 1, 1)
    assert re.search(r"Changed</dt>\s*<dd[^>]*>1<", text_of(response))
    person = Person.objects.get(nhs_number=nhs_for(0))
    assert (person.postcode, person.family_name, person.search_name) == ("PR1 8XB", "Moved", "person moved")
    assert person.version == 2
    entry = TimelineEntry.objects.get(person=person, kind="details_changed")
    assert entry.summary.endswith("SMI register extract: last name, postcode")
    again = upload(staff, register_file(code, [moved, row(code, 1)]).getvalue())
    assert re.search(r"Unchanged</dt>\s*<dd[^>]*>2<", text_of(again))
    assert TimelineEntry.objects.filter(person=person, kind="details_changed").count() == 1


# Item 16: a file holding a small part of a register asks before marking the rest as left.


def test_a_partial_register_shows_what_would_happen_and_asks_before_marking_people_as_left(staff, practice):
    code = practice.ods_code
    upload(staff, register_file(code, [row(code, i) for i in range(10)]).getvalue())
    partial = register_file(code, [row(code, 0), row(code, 1, smi_date="2020-01-01"), row(code, 20)]).getvalue()
    response = upload(staff, partial)
    text = text_of(response)
    assert response.redirect_chain[-1][0].startswith(UPLOAD + "?check=")
    assert "Check before importing" in text and "Nothing has been imported yet" in text
    assert re.search(r"Would be added to the register</dt>\s*<dd[^>]*>1<", text)
    assert re.search(r"Would be changed</dt>\s*<dd[^>]*>1<", text)
    assert re.search(r"Would leave the register</dt>\s*<dd[^>]*>8<", text)
    assert "Yes, import it and mark 8 people as having left" in text
    assert RegisterEntry.objects.filter(left_on__isnull=False).count() == 0
    assert RegisterImport.objects.count() == 1
    confirm = re.search(r'name="confirm" value="([0-9a-f]{64})"', text).group(1)

    # Another file with the confirmation is checked afresh.
    other = register_file(code, [row(code, 0)]).getvalue()
    response = upload(staff, other, confirm=confirm, page=response.redirect_chain[-1][0])
    assert "Check before importing" in text_of(response) and RegisterImport.objects.count() == 1

    # The same file again, confirmed, is imported.
    response = upload(staff, partial, confirm=confirm)
    assert "Left the register" in text_of(response)
    record = RegisterImport.objects.first()
    assert (record.added, record.updated, record.left) == (1, 1, 8)
    assert RegisterEntry.objects.filter(left_on__isnull=False).count() == 8


def test_a_whole_register_imports_without_asking(staff, practice):
    code = practice.ods_code
    upload(staff, register_file(code, [row(code, i) for i in range(10)]).getvalue())
    response = upload(staff, register_file(code, [row(code, i) for i in range(1, 10)]).getvalue())
    assert "Check before importing" not in text_of(response)
    assert RegisterImport.objects.first().left == 1


def test_an_upload_without_the_csrf_token_is_refused(staff, practice):
    code = practice.ods_code
    f = SimpleUploadedFile("register.csv", register_file(code, [row(code, 0)]).getvalue(), "text/csv")
    response = staff.post(UPLOAD, {"file": f})
    assert response.status_code == 403
    assert not RegisterImport.objects.exists()


def test_a_nul_character_in_an_upload_form_field_is_refused_with_a_400_and_imports_nothing(staff, practice):
    """The upload page reads its own body (the size limit comes first), so the NUL guard runs inside it."""
    code = practice.ods_code
    content = register_file(code, [row(code, 0)]).getvalue()
    response = upload(staff, content, follow=False, practice="A\x00B")
    assert response.status_code == 400
    assert "NUL character" in text_of(response)
    assert RegisterEntry.objects.count() == 0
