"""The demo's second region: Northshire, made up (joinedup/directory/regions/northshire), small and quick.

`seed_demo` loads the pack after Lancashire's people and histories, then makes a few Northshire staff
(NORTHSHIRE_PERSONAS: a practitioner, a community nurse, a care navigator, a commissioner and an IG lead) and a
dozen people registered through the services at Northshire's practices, half of them with the community nurse as
key worker. Signed in as north.* you find Northshire's people and none of Lancashire's, and the other way round.

Their NHS numbers are taken from the far end of the seed's walk through the test range (synthetic.py), so they
never collide with Lancashire's people, however many are seeded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nhs_number
from django.db import transaction

from joinedup.accounts.roles import ConsentKind, Role
from joinedup.care.services import care_team_add
from joinedup.directory.loading import load_region, read_pack
from joinedup.directory.models import Practice, Region
from joinedup.people.models import Person

from . import personas as demo_personas
from .clock import DemoClock
from .synthetic import NHS_NUMBER_BASES, NHS_NUMBER_FIRST_BASE, _nhs_walk, generate_people

PACK = Path(__file__).resolve().parents[1] / "directory" / "regions" / "northshire"
PEOPLE = 12
WITH_KEY_WORKER = 6


@dataclass
class SecondRegionResult:
    region: str = ""
    personas_created: list[str] = field(default_factory=list)
    people_added: int = 0

    def lines(self) -> list[str]:
        lines = [f"  second region: {self.region}"]
        if self.personas_created:
            lines.append(f"    staff personas created: {', '.join(self.personas_created)}")
        if self.people_added:
            lines.append(f"    people added through the services: {self.people_added}")
        return lines


def region_code() -> str:
    return read_pack(PACK).region["code"]


def in_place() -> bool:
    """Whether Northshire, its personas and its people are all there (so seed_demo has nothing to do)."""
    region = Region.objects.filter(code=region_code()).first()
    return (
        region is not None
        and demo_personas.personas_in_place(demo_personas.NORTHSHIRE_USERNAMES)
        and Person.objects.filter(practice__region=region).count() >= PEOPLE
    )


def seed_second_region(*, seed: int) -> SecondRegionResult:
    code = region_code()
    if not Region.objects.filter(code=code).exists():
        load_region(PACK)
    region = Region.objects.get(code=code)
    places = demo_personas.find_places(region)
    made = demo_personas.create_personas(
        places, demo_personas.NORTHSHIRE_PERSONAS, first_number=demo_personas.NORTHSHIRE_FIRST_NUMBER
    )
    result = SecondRegionResult(region=region.name, personas_created=made.created)
    if Person.objects.filter(practice__region=region).exists() or Role.GP_PRACTICE_STAFF not in made.users:
        return result
    with transaction.atomic():
        result.people_added = _add_people(region, places, made.users, seed=seed)
    return result


def far_nhs_numbers(*, seed: int):
    """The seed's walk through the test range, from its far end backwards: the numbers Lancashire's people reach
    last (only once about a million are seeded)."""
    offset, stride = _nhs_walk(seed)
    for k in range(NHS_NUMBER_BASES - 1, -1, -1):
        base = str(NHS_NUMBER_FIRST_BASE + (offset + k * stride) % NHS_NUMBER_BASES)
        check = nhs_number.calculate_checksum(base)
        if check != 10:
            yield f"{base}{check}"


def _add_people(region, places, users, *, seed: int) -> int:
    from .seeding import _register  # registered as Lancashire's first people are, at their own registration time

    clock = DemoClock(seed=seed)
    practices = list(Practice.objects.filter(region=region, pcn=places.home_pcn).order_by("ods_code"))
    gp, mhp = users[Role.GP_PRACTICE_STAFF], users.get(Role.MHP)
    key_worker = users.get(Role.COMMUNITY_CLINICIAN)
    numbers = far_nhs_numbers(seed=seed)
    added = 0
    for j, fields in enumerate(generate_people(count=PEOPLE, seed=seed + 1, practices=practices)):
        fields["nhs_number"] = next(numbers)
        fields[f"consent_{ConsentKind.NHS}"] = True
        practice_id = fields.pop("practice_id")
        practice = next(p for p in practices if p.pk == practice_id)
        # The care navigator registers their own practice's patients; the PCN's practitioner the rest.
        by = gp if practice.pk == places.home_practice.pk or mhp is None else mhp
        person = _register(fields, by=by, practice=practice, clock=clock)
        added += 1
        if j < WITH_KEY_WORKER and mhp is not None and key_worker is not None:
            care_team_add(
                by=mhp,
                person=person,
                user=key_worker,
                organisation=key_worker.primary_organisation,
                role_title=key_worker.job_title,
                is_key_worker=True,
            )
    return added
