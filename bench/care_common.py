"""Shared set-up for the key working benchmarks (care_caseload.py, care_compare.py): staff, people with care
teams, and plans, all built through the services as the test fixtures are."""

import datetime as dt
import time

from .common import percentile

WARM_UP = 10


def staff():
    """(GP practice staff, PCN mental health practitioner, community clinician key worker, practice)."""
    from joinedup.accounts.roles import Role
    from joinedup.accounts.services import staff_create
    from joinedup.directory.models import Practice, Team, TeamKind

    practice = Practice.objects.filter(pcn__isnull=False, locality__isnull=False).order_by("ods_code").first()
    gp = staff_create(
        username="bench.gp",
        first_name="Gina",
        last_name="Practice",
        memberships=[(Team.objects.get(kind=TeamKind.PRACTICE, practice=practice), Role.GP_PRACTICE_STAFF)],
    )
    mhp = staff_create(
        username="bench.mhp",
        first_name="Mo",
        last_name="Network",
        memberships=[(Team.objects.get(kind=TeamKind.PCN_MENTAL_HEALTH, pcn=practice.pcn), Role.MHP)],
    )
    cmht = Team.objects.get(kind=TeamKind.COMMUNITY_MENTAL_HEALTH, locality=practice.locality)
    return gp, mhp, cmht, practice


def key_worker(username, cmht):
    from joinedup.accounts.roles import Role
    from joinedup.accounts.services import staff_create

    return staff_create(
        username=username,
        first_name="Kim",
        last_name=username.split(".")[-1].title(),
        phone="01253 000000",
        memberships=[(cmht, Role.COMMUNITY_CLINICIAN)],
    )


def person_with_key_worker(i, *, gp, mhp, kw, practice, label="p"):
    from joinedup.accounts.roles import ConsentKind
    from joinedup.care.services import care_team_add
    from joinedup.people.services import person_register

    person = person_register(
        by=gp,
        nhs_number=None,
        given_name=f"Bench{i:04d}",
        family_name=f"Person{label}",
        date_of_birth=dt.date(1970, 1, 1) + dt.timedelta(days=i * 37),
        practice=practice,
        consents={kind: True for kind in ConsentKind.values},
    )
    organisation = kw.primary_organisation
    care_team_add(
        by=mhp, person=person, user=kw, organisation=organisation, role_title="Key worker", is_key_worker=True
    )
    return person


def plan(person, kw, *, actions, agree=True, words_suffix=""):
    """A plan with `actions` actions (half the person's own, half the key worker's organisation's)."""
    from django.utils import timezone

    from joinedup.care import services

    today = timezone.localdate()
    draft = services.plan_draft_start(by=kw, person=person)
    draft = services.plan_draft_save(
        by=kw,
        draft=draft,
        expected_revision=draft.revision,
        what_matters="Seeing my sister and keeping my flat" + words_suffix,
        strengths="My sister Jo; the allotment group on Tuesdays",
        needs={"housing": "Rent arrears letter", "money": "Universal credit deduction"},
        early_signs="Not sleeping, stopping going out",
        what_helps="Walking the dog",
        crisis_contacts="Key worker; Jo",
        out_of_hours="Crisis line 0800 953 0110",
        review_date=today + dt.timedelta(days=30 + person.pk % 120),
        sharing={},
    )
    services.plan_goal_add(by=kw, draft=draft, words="I want to sleep through the night")
    org = kw.primary_organisation
    for n in range(actions):
        services.plan_action_add(
            by=kw,
            draft=draft,
            description=f"Action {n}: ring the housing officer about the damp and the arrears{words_suffix}",
            owner="person" if n % 2 else org,
            due=today + dt.timedelta(days=1 + n % 60),
        )
    if agree:
        draft.refresh_from_db()
        services.plan_agree(
            by=kw,
            draft=draft,
            agreed_on=today,
            participation="in_person",
            own_words=True,
            person_comments="Happy with it",
        )
    return draft


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


def time_requests(client, url, n):
    for _ in range(WARM_UP):
        client.get(url)
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return times


def summary(label, times):
    from .common import ms

    return f"  {label}: p50 {ms(percentile(times, 50))} ms, p95 {ms(percentile(times, 95))} ms, max {ms(max(times))} ms"
