import random

import pytest
from django.utils import timezone

from joinedup.accounts.roles import Role
from joinedup.care import demo_data
from joinedup.care.models import (
    CarePlanVersion,
    DialogAssessment,
    GoalRating,
    KeyWorkerChange,
    PlanActionCompletion,
    PlanStatus,
)

pytestmark = pytest.mark.django_db


class Ctx:
    def __init__(self, personas, people):
        self.rng = random.Random(7)
        self.today = timezone.localdate()
        self.personas = {str(r): u for r, u in personas.by_role.items()} | {"outsider": personas.outsider}
        self.people = people
        self.all_people = None
        self.progress = lambda label, done, total: None


def test_demo_seed_makes_plans_in_every_state_and_scores_over_time(personas, person, practice):
    from joinedup.care.services import care_team_add
    from joinedup.people.services import person_register

    people = [person]
    for i in range(9):
        people.append(
            person_register(
                by=personas.gp_practice_staff,
                given_name=f"Demo{i}",
                family_name="Person",
                date_of_birth=timezone.localdate().replace(year=1975),
                practice=practice,
                consents={"nhs": True, "vcfse": True},
            )
        )
        clinician = personas.community_clinician
        care_team_add(
            by=personas.mhp,
            person=people[-1],
            user=clinician,
            organisation=clinician.primary_organisation,
            role_title="Community mental health nurse",
            is_key_worker=i % 3 != 0,
        )
    demo_data.seed(Ctx(personas, people))
    assert CarePlanVersion.objects.filter(status=PlanStatus.DRAFT).exists()
    per_person = {}
    for v in CarePlanVersion.objects.filter(status=PlanStatus.AGREED):
        per_person[v.person_id] = per_person.get(v.person_id, 0) + 1
    assert max(per_person.values()) >= 3
    assert DialogAssessment.objects.values("person").distinct().count() >= 3
    assert GoalRating.objects.exists()
    assert KeyWorkerChange.objects.exists()
    assert PlanActionCompletion.objects.exists()
    assert Role.KEY_WORKER in {m.role for m in personas.key_worker.active_memberships}
