import datetime as dt
import json
import stat

import pytest
from django.core.management import CommandError, call_command

from joinedup.accounts.models import User
from joinedup.accounts.roles import Role
from joinedup.core.access import visible_people
from joinedup.demo.models import DemoSeed
from joinedup.demo.personas import OUTSIDER, PERSONAS, sign_ins_path
from joinedup.people.models import Person

# These roles never see a named person (roles.py); every other persona must meet some on signing in.
NO_PERSON_ACCESS = {Role.COMMISSIONER, Role.ADMINISTRATOR, Role.IG_LEAD}


@pytest.fixture
def seeded(region, settings, tmp_path, capsys):
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", people=60, seed=11)
    return capsys.readouterr()


def home_people() -> int:
    """Lancashire's demo people: seed_demo also makes a dozen in Northshire, the synthetic second region."""
    return Person.objects.exclude(practice__region__synthetic=True).count()


def personas():
    return {spec.key: User.objects.get(username=spec.username) for spec in PERSONAS}


@pytest.mark.django_db
def test_every_role_has_a_persona_who_sees_people_in_blackpool_and_the_outsider_sees_none_of_them(seeded):
    users = personas()
    assert set(users) == set(Role.values) | {OUTSIDER}
    seen_in_blackpool = set()
    for key, user in users.items():
        assert user.roles == {Role.MHP if key == OUTSIDER else key}
        if key == OUTSIDER:
            continue
        visible = set(visible_people(user).values_list("pk", flat=True))
        if key in NO_PERSON_ACCESS:
            assert not visible, key
        else:
            assert visible, f"{key} sees nobody"
            seen_in_blackpool |= visible
    outsider_sees = visible_people(users[OUTSIDER])
    assert not outsider_sees.filter(practice__locality__code="blackpool").exists()
    assert not outsider_sees.filter(pk__in=seen_in_blackpool).exists()
    assert home_people() == 60
    assert "people 60 / 60 (100%)" in seeded.err


@pytest.mark.django_db
def test_seeding_again_changes_nothing_and_keeps_the_private_sign_ins(seeded, capsys):
    path = sign_ins_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    sign_ins = json.loads(path.read_text())["sign_ins"]

    call_command("seed_demo", people=60, seed=11)
    assert "already seeded" in capsys.readouterr().out
    assert home_people() == 60
    assert DemoSeed.objects.get().complete
    assert json.loads(path.read_text())["sign_ins"] == sign_ins
    assert User.objects.get(username="demo.mhp").check_password(sign_ins["demo.mhp"]["password"])

    call_command("demo_sign_ins")
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000/" in out
    for spec in PERSONAS:
        line = next(line for line in out.splitlines() if line.startswith(spec.username + " "))
        assert sign_ins[spec.username]["password"] in line
        assert spec.role_label in line


@pytest.mark.django_db
def test_the_same_seed_can_be_extended_but_another_seed_is_refused(seeded):
    call_command("seed_demo", people=80, seed=11)
    assert home_people() == 80
    with pytest.raises(CommandError, match="--seed 11"):
        call_command("seed_demo", people=80, seed=12)
    assert home_people() == 80


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_in_production(region, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.ENVIRONMENT = "production"
    with pytest.raises(CommandError, match="never runs in production"):
        call_command("seed_demo", people=10, seed=1)
    assert not Person.objects.exists()


# Entries that really are made at seeding time: the GP question left waiting for the MHP, open outreach claims
# (and the outreach worker joining the care team with the claim).
MADE_NOW = {("primary_care", "gp_request"), ("health_checks", "claimed"), ("care", "care_team_joined")}
# Each pair: the first entry of the first kind comes before the first of the second, for everyone who has both.
IN_ORDER = (
    ("emdt_request", "emdt_request_accepted"),
    ("emdt_request_accepted", "emdt_discussed"),
    ("emdt_discussed", "emdt_action_done"),
    ("emdt_discussed", "emdt_request_closed"),
    ("caseload_added", "session"),
    ("session", "onward_referral"),
    ("peer_referral", "peer_allocated"),
    ("peer_allocated", "peer_outcomes"),
    ("register_added", "contact_attempt"),
)


@pytest.mark.django_db
def test_the_history_is_dated_when_it_happened_in_order_and_never_in_the_future(seeded):
    from django.utils import timezone

    from joinedup.core.models import AuditEvent, TimelineEntry

    started = DemoSeed.objects.get().started_at
    now = timezone.now()
    assert not TimelineEntry.objects.filter(at__gt=now).exists()
    assert not AuditEvent.objects.filter(at__gt=now).exists()

    entries = list(TimelineEntry.objects.values_list("person_id", "service", "kind", "at"))
    made_during_seeding = {(service, kind) for _, service, kind, at in entries if at >= started}
    assert made_during_seeding <= MADE_NOW
    back_dated = {kind for _, _, kind, at in entries if at < started - dt.timedelta(days=1)}
    assert {"session", "peer_contact", "emdt_discussed", "consent", "care_team_joined"} <= back_dated

    first: dict[tuple[int, str], dt.datetime] = {}
    for person_id, _, kind, at in entries:
        first[person_id, kind] = min(at, first.get((person_id, kind), at))
    registered = {person_id: at for (person_id, kind), at in first.items() if kind == "record_created"}
    assert all(at >= registered[person_id] for person_id, _, _, at in entries)
    pairs = 0
    for earlier, later in IN_ORDER:
        for (person_id, kind), at in first.items():
            if kind == later and (person_id, earlier) in first:
                assert first[person_id, earlier] <= at, (person_id, earlier, later)
                pairs += 1
    assert pairs > 20
