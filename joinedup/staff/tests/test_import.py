"""Bulk import of joiners: every row checked, each problem said with its row number, all or nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from joinedup.accounts.models import User
from joinedup.accounts.tests.helpers import form_fields, sign_in_with_csrf

pytestmark = pytest.mark.django_db

HEADER = "username,first_name,last_name,team_code,role,email,cis2_uid,start_date,end_date\n"


def _send(client, text):
    page = client.get("/staff/import/").content.decode()
    fields = form_fields(page, 'enctype="multipart/form-data"')
    data = text if isinstance(text, bytes) else text.encode()
    upload = SimpleUploadedFile("staff.csv", data, content_type="text/csv")
    return client.post("/staff/import/", fields | {"reason": "September starters", "file": upload})


def test_a_file_with_bad_rows_adds_nobody_and_names_each_row_and_problem(personas):
    client = sign_in_with_csrf("test.administrator")
    text = HEADER + (
        "good.one,Good,One,cmht-blackpool,key_worker,good@example.com,,2026-01-05,\n"
        "test.mhp,Taken,Name,cmht-blackpool,key_worker,,,,\n"
        "far.team,Far,Team,lancashire-mind-community,partner_professional,,,,\n"
        "bad.role,Bad,Role,cmht-blackpool,surgeon,,12ab,31/02/2026,\n"
    )
    response = _send(client, text)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nobody was added: 3 rows need correcting" in page
    assert "Row 3 (test.mhp): username test.mhp is already taken" in page
    assert "Row 4 (far.team): team Lancashire Mind community services is not in an organisation you administer" in page
    assert "Row 5 (bad.role)" in page and "role &#39;surgeon&#39; is not a role" in page
    assert "cis2_uid must be 6 to 20 digits" in page and "start_date &#39;31/02/2026&#39; is not a date" in page
    assert not User.objects.filter(username="good.one").exists()


def test_a_good_file_adds_everyone_with_their_dates(personas):
    client = sign_in_with_csrf("test.administrator")
    text = HEADER + (
        "good.one,Good,One,cmht-blackpool,key_worker,good@example.com,555000111222,2026-01-05,\n"
        "good.two,Good,Two,emdt-blackpool,EMDT coordinator or chair,,,,2030-03-31\n"
    )
    response = _send(client, text)
    assert response.status_code == 302, response.content.decode()[:3000]
    one = User.objects.get(username="good.one")
    assert one.cis2_uid == "555000111222" and str(one.memberships.get().started) == "2026-01-05"
    assert str(User.objects.get(username="good.two").memberships.get().ends_on) == "2030-03-31"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,role\nx,y\n", "missing: username, first_name, last_name, team_code"),
        (HEADER.encode(), "only a header row"),
        (b"\xff\xfe\x00bad", "not a CSV in UTF-8"),
    ],
)
def test_a_file_that_is_not_a_staff_list_is_refused_clearly(personas, content, message):
    client = sign_in_with_csrf("test.administrator")
    response = _send(client, content)
    assert response.status_code == 200
    assert message in response.content.decode()
