import pytest
from django.core.exceptions import ValidationError

from joinedup.care.models import LevelOfCare
from joinedup.care.queries import level_of_care_for, level_of_care_history_for
from joinedup.care.services import level_of_care_change
from joinedup.people.services import NotAllowed

pytestmark = pytest.mark.django_db


def test_step_up_then_down_keeps_history_and_timeline(personas, person):
    level_of_care_change(by=personas.mhp, person=person, level=LevelOfCare.PRIMARY_CARE, reason="Assessed in practice")
    level_of_care_change(by=personas.mhp, person=person, level=LevelOfCare.EMDT, reason="Needs several services")
    assert level_of_care_for(person=person).level == LevelOfCare.EMDT
    assert [c.level for c in level_of_care_history_for(person=person)] == ["emdt", "primary_care"]
    assert person.timeline.filter(kind="level_of_care").count() == 2


def test_same_level_or_no_reason_is_refused(personas, person):
    level_of_care_change(by=personas.mhp, person=person, level=LevelOfCare.EMDT, reason="Step up")
    with pytest.raises(ValidationError, match="already at this level"):
        level_of_care_change(by=personas.mhp, person=person, level=LevelOfCare.EMDT, reason="Again")
    with pytest.raises(ValidationError):
        level_of_care_change(by=personas.mhp, person=person, level=LevelOfCare.CMHT, reason="  ")
    with pytest.raises(ValidationError):
        level_of_care_change(by=personas.mhp, person=person, level="nowhere", reason="Because")


def test_outsider_cannot_change_level(personas, person):
    with pytest.raises(NotAllowed):
        level_of_care_change(by=personas.outsider, person=person, level=LevelOfCare.EMDT, reason="No")
