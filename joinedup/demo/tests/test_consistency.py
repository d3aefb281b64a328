"""What a clinician would notice in the demo: its people and staff hang together.

One small demo is seeded for the whole module (through `seed_demo`, as `manage.py seed_demo --people 60` does) and
rolled back at the end, so the checks below read the same data without seeding it again for each.
"""

import re
from collections import Counter

import pytest

from joinedup.accounts.models import User
from joinedup.care.models import CareTeamMember, PlanAction, PlanGoal
from joinedup.core.models import TimelineEntry
from joinedup.demo import places
from joinedup.directory.models import Organisation, OrganisationKind
from joinedup.healthchecks.models import Booking
from joinedup.meetings.models import Action, Attendance, AttendeeKind
from joinedup.peersupport.models import PeerWorker
from joinedup.primarycare.models import Advice, Assessment, Episode, GpRequest
from joinedup.referrals.models import EmdtRequest

from .helpers import module_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    with module_demo(django_db_blocker, tmp_path_factory, people=60, seed=11):
        yield


def localities_of(user):
    """Where a member of staff works: the localities of their teams (through the PCN or practice where the team
    itself has none). Empty for region-wide teams."""
    found = set()
    for m in user.memberships.select_related("team__pcn", "team__practice"):
        team = m.team
        locality = team.locality_id or (team.pcn.locality_id if team.pcn_id else None)
        locality = locality or (team.practice.locality_id if team.practice_id else None)
        if locality:
            found.add(locality)
    return found


def test_every_member_of_staff_has_a_name_of_their_own():
    names = Counter(u.get_full_name() for u in User.objects.exclude(first_name=""))
    assert [name for name, n in names.items() if n > 1] == []


def test_staff_named_at_a_meeting_work_in_that_meetings_locality_for_that_organisation():
    staff = {u.get_full_name(): u for u in User.objects.exclude(first_name="")}
    attendance = list(Attendance.objects.select_related("meeting__team__locality", "organisation"))
    assert attendance
    named = 0
    for a in attendance:
        locality = a.meeting.team.locality
        user = staff.get(a.name)
        if user is not None:
            named += 1
            assert a.organisation == user.primary_organisation, (a.name, a.organisation.name)
            worked_in = localities_of(user)
            assert not worked_in or locality.pk in worked_in, f"{a.name} shown at {a.meeting.team.name}"
        if a.kind == AttendeeKind.LOCAL_AUTHORITY:
            assert a.organisation == places.social_care_organisation(locality), (locality.name, a.organisation.name)
        if a.kind == AttendeeKind.PEER_SUPPORT:
            covers = places.PEER_SUPPORT_COVERAGE.get(a.organisation.code, [])
            assert locality.code in covers, f"{a.organisation.name} peer support at the {locality.name} EMDT"
    assert named, "the home locality's meetings name the personas"


def test_a_primary_care_practitioner_works_in_the_persons_own_pcn():
    episodes = list(Episode.objects.select_related("person__practice", "mhp"))
    assert episodes
    for episode in episodes:
        pcns = {m.team.pcn_id for m in episode.mhp.memberships.select_related("team")}
        assert episode.person.practice.pcn_id in pcns, (episode.mhp.get_full_name(), episode.person.practice.name)


def test_a_health_check_is_booked_in_the_persons_own_place():
    for booking in Booking.objects.select_related("person__practice__locality"):
        practice = booking.person.practice
        if booking.provider_kind == "practice":
            assert booking.place == practice.name, booking.place
        else:
            assert practice.locality.name in booking.place or practice.town in booking.place, booking.place


def test_no_one_is_called_by_another_organisations_name():
    """ "Calico peer support worker" at Acorn Recovery Projects: a name that says one charity, with another."""
    short_names = {
        o.pk: re.sub(r"^The ", "", o.name).split()[0] for o in Organisation.objects.filter(kind=OrganisationKind.VCFSE)
    }
    for a in Attendance.objects.select_related("organisation"):
        for pk, word in short_names.items():
            if pk != a.organisation_id:
                assert word not in a.name.split(), f"{a.name!r} attends for {a.organisation.name}"
    for worker in PeerWorker.objects.select_related("user", "organisation"):
        teams = {m.team.organisation_id for m in worker.user.memberships.select_related("team")}
        assert teams == {worker.organisation_id}, worker.user.get_full_name()


HE = re.compile(r"\b(he|him|his|himself|dad)\b", re.IGNORECASE)
SHE = re.compile(r"\b(she|her|hers|herself|mum)\b", re.IGNORECASE)


def test_what_is_written_about_a_person_uses_their_pronouns():
    texts = []  # (person, text)
    texts += [(r.person, r.question) for r in GpRequest.objects.select_related("person")]
    texts += [(a.person, a.question) for a in Advice.objects.select_related("person")]
    texts += [(a.person, a.advice) for a in Advice.objects.select_related("person")]
    texts += [(a.episode.person, a.what_matters) for a in Assessment.objects.select_related("episode__person")]
    texts += [(r.person, r.care_plan_gap) for r in EmdtRequest.objects.select_related("person")]
    texts += [(r.person, r.question) for r in EmdtRequest.objects.select_related("person") if r.question]
    assert len(texts) > 20
    wrong = []
    for person, text in texts:
        if person.sex != "1" and HE.search(text) or person.sex != "2" and SHE.search(text):
            wrong.append((person.get_sex_display(), text))
    assert wrong == []


def test_a_request_is_closed_for_the_key_worker_to_take_on_only_when_there_is_one():
    closures = TimelineEntry.objects.filter(kind="emdt_request_closed")
    assert closures.exists()
    for entry in closures.filter(detail__icontains="key worker"):  # the reason is content: in the detail (H22)
        on = entry.at.date()
        key_worker = CareTeamMember.objects.filter(person_id=entry.person_id, is_key_worker=True, started__lte=on)
        assert key_worker.exclude(ended__lt=on).exists(), entry.summary


def test_a_plan_or_a_discussion_never_lists_the_same_action_or_goal_twice():
    def repeated(rows):
        return [key for key, n in Counter(rows).items() if n > 1]

    assert PlanAction.objects.exists() and Action.objects.exists()
    assert repeated(PlanAction.objects.values_list("version_id", "description")) == []
    assert repeated(PlanGoal.objects.values_list("version_id", "words")) == []
    assert repeated(Action.objects.values_list("discussion_id", "description")) == []


def test_names_keep_their_capitals_on_the_timeline():
    names = {u.get_full_name() for u in User.objects.exclude(first_name="")}
    # Names appear in the summary and, for content a reader may not see, in the detail (hazard H22).
    entries = [f"{summary} {detail}" for summary, detail in TimelineEntry.objects.values_list("summary", "detail")]
    assert any("named as key worker" in summary for summary in entries)
    for summary in entries:
        for name in names:
            if name.lower() in summary.lower():
                assert name in summary, summary


def test_people_with_services_have_care_teams_and_levels_that_match_their_history():
    """Issue 10: no one in the demo has services but an empty care team or no level of care."""
    from joinedup.care.models import LevelOfCareChange
    from joinedup.meetings.models import CaseDiscussion

    team = set(CareTeamMember.objects.filter(ended__isnull=True).values_list("person_id", "user_id"))
    on_a_team = {p for p, _ in team}
    open_episodes = list(Episode.objects.filter(status=Episode.Status.OPEN).values_list("person_id", "mhp_id"))
    assert open_episodes, "the demo has no one on an MHP caseload"
    assert all(pair in team for pair in open_episodes), "an MHP is not on the care team of someone on their caseload"
    discussed = set(CaseDiscussion.objects.values_list("person_id", flat=True))
    assert discussed and discussed <= on_a_team, "someone discussed at an EMDT has no care team"
    levels = {}
    for person_id, level in LevelOfCareChange.objects.values_list("person_id", "level"):
        levels.setdefault(person_id, set()).add(level)
    with_services = {p for p, _ in open_episodes} | discussed
    assert all(p in levels for p in with_services), "someone with services has no level of care"
    assert all(levels[p] & {"emdt", "cmht"} for p in discussed), "someone discussed at an EMDT was never at EMDT level"
