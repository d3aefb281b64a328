"""The demo's second region: seed_demo loads Northshire (synthetic) and gives it a few staff and people, quickly;
each region's personas see only their own region's people, and `demo_sign_ins` prints both."""

import pytest
from django.core.management import call_command

from joinedup.accounts.models import User
from joinedup.accounts.roles import Role
from joinedup.core.access import visible_people
from joinedup.demo import second_region
from joinedup.demo.personas import NORTHSHIRE_PERSONAS, PERSONAS
from joinedup.directory.models import Region
from joinedup.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(region, settings, tmp_path, capsys):
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", people=40, seed=5)
    return capsys.readouterr()


def test_seed_demo_makes_a_small_northshire_beside_lancashire(seeded):
    northshire = Region.objects.get(code="ZZNSICB01")
    assert northshire.synthetic
    people = Person.objects.filter(practice__region=northshire)
    assert people.count() == second_region.PEOPLE
    assert not people.filter(nhs_number__in=Person.objects.exclude(practice__region=northshire).values("nhs_number"))
    assert "second region: NHS Northshire Integrated Care Board (synthetic)" in seeded.out
    for spec in NORTHSHIRE_PERSONAS:
        user = User.objects.get(username=spec.username)
        assert {m.team.region for m in user.active_memberships} == {northshire}


def test_each_regions_personas_see_only_their_own_regions_people(seeded):
    northshire = Region.objects.get(code="ZZNSICB01")
    clinician = User.objects.get(username="north.clinician")
    assert visible_people(clinician).count() == second_region.WITH_KEY_WORKER
    for spec in NORTHSHIRE_PERSONAS:
        seen = visible_people(User.objects.get(username=spec.username))
        assert not seen.exclude(practice__region=northshire).exists(), spec.username
        if spec.role not in (Role.COMMISSIONER, Role.IG_LEAD):
            assert seen.exists(), spec.username
    for spec in PERSONAS:
        seen = visible_people(User.objects.get(username=spec.username))
        assert not seen.filter(practice__region=northshire).exists(), spec.username


def test_seeding_again_changes_nothing_and_the_sign_ins_list_both_regions(seeded, capsys):
    call_command("seed_demo", people=40, seed=5)
    assert "already seeded" in capsys.readouterr().out
    assert Person.objects.filter(practice__region__code="ZZNSICB01").count() == second_region.PEOPLE

    call_command("demo_sign_ins")
    out = capsys.readouterr().out
    assert "Northshire, a made-up second region (synthetic)" in out
    for spec in (*PERSONAS, *NORTHSHIRE_PERSONAS):
        assert any(line.startswith(spec.username + " ") for line in out.splitlines()), spec.username
