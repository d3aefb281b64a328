"""J1 (My tasks): a community clinician's "My tasks" with 500 open tasks from every service.

Target: p95 <= 100 ms, and the number of SQL queries does not grow with the number of tasks (a user with 10 tasks
runs the same number). The page shows 50 tasks at a time (overdue first): every one of the 500 is read, checked
against the access policy and counted on each request; the timed request is the first page.
Each of 100 people gives the clinician five tasks, one from each service that hands tasks
over: an EMDT action they own, a care plan action owned by their organisation, a health check follow-up, an EMDT
request waiting for their answer, and a handed-over task (a declined request's next step) in the inbox. People,
care teams and plans go through the services; the EMDT rows and follow-ups are written directly (the bench
measures reading them). Requests go through django.test.Client signed in as the clinician.
Baseline: GET /health through the same client, same run.
"""

import argparse
import datetime as dt

from .care_common import count_queries, key_worker, person_with_key_worker, plan, staff, summary, time_requests
from .common import backend, emit, ms, percentile, prepare_database, ratio, setup_django, step

TARGET_MS = 100
PEOPLE = 100  # five tasks each: 500
SMALL = 2  # ten tasks
PER_PERSON = 5


def give_tasks(person, *, user, meeting, today):
    """One open task from each service for `user` about `person`."""
    from django.utils import timezone

    from joinedup.healthchecks.models import FollowUp
    from joinedup.inbox.services import inbox_send
    from joinedup.meetings.models import Action, AgendaItem, CaseDiscussion
    from joinedup.referrals.models import EmdtRequest, RequestState

    item = AgendaItem.objects.create(meeting=meeting, person=person, kind="new", state="discussed", added_by=user)
    discussion = CaseDiscussion.objects.create(
        item=item,
        person=person,
        took_part="led",
        discussion="Money and housing",
        summary_for_person="We agreed to help with money.",
        summary_for_gp="Debt advice agreed.",
        recorded_by=user,
    )
    Action.objects.create(
        discussion=discussion,
        person=person,
        description="Refer to debt advice",
        owner=user,
        owner_organisation=user.primary_organisation,
        due=today + dt.timedelta(days=person.pk % 30),
    )
    FollowUp.objects.create(
        person=person,
        code="smoker",
        reason="Current smoker",
        action="Stop smoking support",
        owner=user,
        due=today + dt.timedelta(days=14),
    )
    EmdtRequest.objects.create(
        person=person,
        team=meeting.team,
        referrer=user,
        complex_needs="Debts and low mood",
        care_plan_gap="Medication only",
        consent_to_discuss=True,
        wants_to_attend="yes",
        state=RequestState.MORE_INFORMATION_REQUESTED,
        question="Is she under the CMHT?",
        state_changed_at=timezone.now(),
    )
    inbox_send(
        kind="emdt_request_declined",
        key=f"bench:{person.pk}",
        source="EMDT request declined",
        why="The EMDT declined your request. Next step recommended: talking therapies",
        to_user=user,
        person=person,
        link=f"/referrals/{person.pk}/",
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args(argv)
    requests = 300 if args.full else 100

    setup_django()
    prepare_database()
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from joinedup.directory.models import Team, TeamKind
    from joinedup.meetings.models import Meeting

    today = timezone.localdate()
    with step(f"give one clinician {PEOPLE * PER_PERSON} tasks and another {SMALL * PER_PERSON}"), transaction.atomic():
        gp, mhp, cmht, practice = staff()
        big_user, small_user = key_worker("bench.tasks.big", cmht), key_worker("bench.tasks.small", cmht)
        emdt = Team.objects.get(kind=TeamKind.EMDT, locality=practice.locality)
        meeting = Meeting.objects.create(
            team=emdt, starts_at=timezone.now(), capacity=40, place="Bench", created_by=big_user
        )
        for i in range(PEOPLE + SMALL):
            user = big_user if i < PEOPLE else small_user
            person = person_with_key_worker(i, gp=gp, mhp=mhp, kw=user, practice=practice)
            plan(person, user, actions=2)  # one action the person's own, one the clinician's organisation's
            give_tasks(person, user=user, meeting=meeting, today=today)

    big, small = Client(), Client()
    big.force_login(big_user)
    small.force_login(small_user)
    url = "/tasks/"
    count_queries(big, url)
    count_queries(small, url)
    queries = {SMALL * PER_PERSON: count_queries(small, url), PEOPLE * PER_PERSON: count_queries(big, url)}
    print(f"  My tasks SQL queries: {queries}", flush=True)
    # Every task is counted (page 1 of 10 shown: the page lists 50 at a time), from every service.
    body = big.get(url).content.decode()
    assert f"of {PEOPLE * PER_PERSON} open tasks" in body, "My tasks does not count every task"
    pages = "".join(big.get(f"{url}?page={n}").content.decode() for n in range(1, 11))
    for source in ("EMDT action", "Care plan action", "Health check follow-up", "EMDT request declined"):
        assert pages.count(f">{source}<") == PEOPLE, f"My tasks does not list every {source}"
    assert pages.count("Answer ") >= PEOPLE, "My tasks does not list every EMDT question"

    with step(f"{requests} requests for My tasks"):
        times = time_requests(big, url, requests)
    with step(f"{requests} requests for /health (baseline)"):
        health = time_requests(big, "/health", requests)
    print(summary("my tasks", times), flush=True)
    print(summary("health", health), flush=True)
    p95, base = percentile(times, 95), percentile(health, 95)
    counts = list(queries.values())
    constant = counts[0] == counts[1]
    emit(
        {
            "id": "J1",
            "figure": ms(p95),
            "unit": "ms",
            "baseline": "GET /health (trivial view) through the same client and middleware",
            "baseline_figure": ms(base),
            "ratio": ratio(p95, base),
            "target": f"p95 <= {TARGET_MS} ms; queries constant",
            "met": p95 <= TARGET_MS / 1000 and constant,
            "size": PEOPLE * PER_PERSON,
            "requests": requests,
            "backend": backend(),
            "p50": ms(percentile(times, 50)),
            "queries": {str(k): v for k, v in queries.items()},
            "queries_constant": constant,
        }
    )


if __name__ == "__main__":
    main()
