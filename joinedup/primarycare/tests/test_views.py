import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from joinedup.accounts.roles import ConsentKind
from joinedup.core.models import AuditEvent
from joinedup.people.services import person_register
from joinedup.primarycare import services
from joinedup.primarycare.models import Advice, Episode, GpRequest, OnwardReferral, Session

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _date(prefix, d):
    return {f"{prefix}-day": d.day, f"{prefix}-month": d.month, f"{prefix}-year": d.year}


def test_gp_asks_and_the_mhp_answers_with_advice(client, personas, person):
    client.force_login(personas.gp_practice_staff)
    url = reverse("primarycare:ask", args=[person.pk])
    assert client.post(url, {"question": ""}).status_code == 200
    assert not GpRequest.objects.exists()
    response = client.post(url, {"question": "Struggling since losing her job. Anything we can do?"})
    assert response.status_code == 302
    request = GpRequest.objects.get()

    client.force_login(personas.mhp)
    page = client.get(reverse("primarycare:caseload")).content.decode()
    assert "Struggling since losing her job" in page
    answer = reverse("primarycare:advice_new", args=[person.pk]) + f"?request={request.pk}"
    assert "Struggling" in client.get(answer).content.decode()
    response = client.post(answer, {"advice": "Refer to debt advice; I will call her", **_date("given_on", TODAY())})
    assert response.status_code == 302
    advice = Advice.objects.get()
    assert advice.request == request and advice.asked_by == personas.gp_practice_staff
    # Findable from the practice and from the person.
    listing = client.get(reverse("primarycare:advice_list"), {"practice": person.practice.ods_code}).content.decode()
    assert "Refer to debt advice" in listing
    assert "Refer to debt advice" in client.get(reverse("primarycare:person", args=[person.pk])).content.decode()


def test_mhp_adds_assesses_delivers_refers_and_discharges(client, personas, person):
    client.force_login(personas.mhp)
    response = client.post(
        reverse("primarycare:add", args=[person.pk]),
        {"mhp": personas.mhp.pk, "reason": "Low mood and debt worries", **_date("opened_on", TODAY())},
    )
    assert response.status_code == 302, response.content.decode()
    episode = Episode.objects.get()

    form = {
        **_date("assessed_on", TODAY()),
        "need_mental_health": "Low mood for 6 months",
        "need_money": "Council tax arrears",
        "risk_summary": "No thoughts of self-harm; lives with partner",
        "what_matters": "Keeping her flat",
        "baseline": "later",
    }
    assert client.post(reverse("primarycare:assess", args=[person.pk]), form).status_code == 302
    session = {
        "session_type": "problem_solving",
        **_date("held_on", TODAY()),
        "what_was_done": "Listed problems",
        "outcome": "Will call the council",
    }
    assert client.post(reverse("primarycare:session_new", args=[person.pk]), session).status_code == 302
    # A session without a type is refused with the field's message.
    bad = client.post(reverse("primarycare:session_new", args=[person.pk]), session | {"session_type": ""})
    assert bad.status_code == 200 and "Select the type of session" in bad.content.decode()
    future = client.post(
        reverse("primarycare:session_new", args=[person.pk]), session | _date("held_on", TODAY() + dt.timedelta(3))
    )
    assert "must be today or in the past" in future.content.decode()
    assert Session.objects.count() == 1

    referral = {"kind": "talking_therapies", "reason": "Needs CBT", **_date("referred_on", TODAY())}
    assert client.post(reverse("primarycare:refer", args=[person.pk]), referral).status_code == 302
    assert OnwardReferral.objects.count() == 1

    page = client.get(reverse("primarycare:person", args=[person.pk])).content.decode()
    for text in ("Council tax arrears", "Problem solving", "NHS Talking Therapies", "1 of 6 sessions"):
        assert text in page

    discharge = client.get(reverse("primarycare:discharge", args=[person.pk]))
    assert discharge.status_code == 200
    response = client.post(
        reverse("primarycare:discharge", args=[person.pk]),
        {
            "version": episode.version,
            "reason": "referred_on",
            "summary": "Referred to Talking Therapies",
            **_date("discharged_on", TODAY()),
        },
    )
    assert response.status_code == 302
    summary = client.get(response["Location"]).content.decode()
    assert "Referred to Talking Therapies" in summary and "999 000 0018" in summary


@pytest.mark.parametrize(
    ("kind", "url_name"), [("peer_support", "peersupport:refer"), ("emdt_request", "referrals:new")]
)
def test_peer_support_and_emdt_referrals_continue_in_their_own_flow_when_it_exists(
    client, personas, person, pc_episode, kind, url_name
):
    from joinedup.primarycare.presenters import safe_url

    client.force_login(personas.mhp)
    referral = {"kind": kind, "reason": "Needs more than we offer", **_date("referred_on", TODAY())}
    response = client.post(reverse("primarycare:refer", args=[person.pk]), referral)
    assert response.status_code == 302
    expected = safe_url(url_name, person) or reverse("primarycare:person", args=[person.pk])
    assert response["Location"] == expected
    assert OnwardReferral.objects.filter(kind=kind).exists()


def test_safe_url_falls_back_to_no_link(person):
    from joinedup.primarycare.presenters import safe_url

    assert safe_url("nowhere:at_all", person) == ""
    assert safe_url("", person) == ""


def test_a_trainee_session_shows_the_supervisor_who_reviews_it(client, personas, person, pc_episode):
    client.force_login(personas.trainee_psychologist)
    url = reverse("primarycare:session_new", args=[person.pk])
    session = {
        "session_type": "guided_self_help",
        **_date("held_on", TODAY()),
        "what_was_done": "Introduced a sleep diary",
        "outcome": "Will keep it for a week",
    }
    assert "Select your supervising" in client.post(url, session).content.decode()
    assert client.post(url, session | {"supervisor": personas.mhp.pk}).status_code == 302
    page = client.get(reverse("primarycare:person", args=[person.pk])).content.decode()
    assert f"Supervised by {personas.mhp.get_full_name()}" in page

    client.force_login(personas.mhp)
    to_review = client.get(reverse("primarycare:supervision")).content.decode()
    assert "Guided self-help" in to_review
    s = Session.objects.get()
    response = client.post(reverse("primarycare:review", args=[person.pk, s.pk]), {"comment": "Good start"})
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.reviewed_by == personas.mhp
    assert "Nothing to review" in client.get(reverse("primarycare:supervision")).content.decode()


def test_person_page_is_audited_and_hidden_from_the_outsider(client, personas, person, pc_episode):
    client.force_login(personas.outsider)
    assert client.get(reverse("primarycare:person", args=[person.pk])).status_code == 404
    client.force_login(personas.gp_practice_staff)
    assert client.get(reverse("primarycare:person", args=[person.pk])).status_code == 200
    assert AuditEvent.objects.filter(person=person, user=personas.gp_practice_staff, action="view").exists()
    # Practice staff read but do not record sessions.
    assert client.get(reverse("primarycare:session_new", args=[person.pk])).status_code == 403


def _people(personas, practice, n):
    people = []
    for i in range(n):
        people.append(
            person_register(
                by=personas.gp_practice_staff,
                given_name=f"Person{i}",
                family_name=f"Caseload{i:03d}",
                date_of_birth=dt.date(1970, 1, 1) + dt.timedelta(days=i),
                practice=practice,
                consents={ConsentKind.NHS: True},
            )
        )
    return people


def _fill_caseload(personas, people):
    for p in people:
        episode = services.episode_open(by=personas.mhp, person=p, reason="Needs support")
        services.session_record(
            by=personas.mhp,
            episode=episode,
            session_type="psychoeducation",
            held_on=TODAY(),
            what_was_done="x",
            outcome="y",
        )


def test_caseload_page_queries_do_not_grow_with_rows(client, personas, practice, django_assert_max_num_queries):
    people = _people(personas, practice, 12)
    _fill_caseload(personas, people[:3])
    client.force_login(personas.mhp)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("primarycare:caseload")).status_code == 200
    _fill_caseload(personas, people[3:])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("primarycare:caseload"))
    assert page.content.decode().count("Caseload0") == 12
    with django_assert_max_num_queries(len(few.captured_queries) + 2):
        assert client.get(reverse("primarycare:caseload"), {"show": "pcn"}).status_code == 200


def test_the_person_page_queries_do_not_grow_with_sessions(
    client, personas, person, pc_episode, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(personas.mhp)
    url = reverse("primarycare:person", args=[person.pk])
    services.session_record(
        by=personas.mhp,
        episode=pc_episode,
        session_type="motivational",
        held_on=TODAY(),
        what_was_done="x",
        outcome="y",
    )
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(4):
        services.session_record(
            by=personas.trainee_psychologist,
            episode=pc_episode,
            session_type="motivational",
            held_on=TODAY(),
            what_was_done="x",
            outcome="y",
            supervisor=personas.mhp,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_dates_are_read_as_the_date_input_names_them(client, personas, person, pc_episode):
    """The NHS.UK date input macro names its boxes `field[day]`; the forms read those as well as `field-day`."""
    client.force_login(personas.mhp)
    t = TODAY()
    html = client.get(reverse("primarycare:session_new", args=[person.pk])).content.decode()
    assert 'name="held_on[day]"' in html or 'name="held_on-day"' in html
    response = client.post(
        reverse("primarycare:session_new", args=[person.pk]),
        {
            "session_type": "psychoeducation",
            "held_on[day]": t.day,
            "held_on[month]": t.month,
            "held_on[year]": t.year,
            "what_was_done": "Explained the stress bucket",
            "outcome": "Understood",
        },
    )
    assert response.status_code == 302
    assert Session.objects.filter(episode=pc_episode).count() == 1


def test_the_session_limit_warns_when_reached(client, personas, person, pc_episode, settings):
    settings.PRIMARY_CARE_SESSION_LIMIT = 1
    client.force_login(personas.mhp)
    url = reverse("primarycare:session_new", args=[person.pk])
    form = {"session_type": "psychoeducation", **_date("held_on", TODAY()), "what_was_done": "x", "outcome": "y"}
    response = client.post(url, form, follow=True)
    assert "the session limit is reached" in response.content.decode()
    again = client.post(url, form)
    assert again.status_code == 200 and "give a reason for a further session" in again.content.decode()
    assert client.post(url, form | {"over_limit_reason": "Waiting list for Talking Therapies"}).status_code == 302
    assert Session.objects.count() == 2
