import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from joinedup.care import services
from joinedup.care.models import DialogAssessment, GoalRating
from joinedup.care.outcomes import dialog_items, dialog_scores
from joinedup.care.queries import dialog_mean_item_change

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def ratings(score=4, help_items=()):
    return {i: (score, i in help_items) for i in range(1, 12)}


def test_dialog_items_come_from_the_data_file_with_snomed_codes():
    items = dialog_items()
    assert len(items) == 11
    assert items[3].question == "How satisfied are you with your accommodation?"
    assert items[0].snomed_code == "1037651000000100"
    assert [i.group for i in items] == ["life"] * 8 + ["treatment"] * 3
    assert len({i.snomed_code for i in items}) == 11


def test_dialog_scores_are_the_means_of_items_1_to_8_and_9_to_11():
    scores = {i: 2 for i in range(1, 9)} | {9: 7, 10: 6, 11: 5}
    assert dialog_scores(scores) == {"quality_of_life": 2.0, "treatment_satisfaction": 6.0}


def test_dialog_score_of_8_or_a_missing_answer_is_refused_and_nothing_stored(personas, person):
    bad = ratings() | {3: (8, False)}
    with pytest.raises(ValidationError) as e:
        services.dialog_record(by=personas.community_clinician, person=person, taken_on=TODAY(), ratings=bad)
    assert "from 1 to 7" in str(e.value)
    missing = ratings() | {5: (4, None)}
    with pytest.raises(ValidationError, match="more help"):
        services.dialog_record(by=personas.community_clinician, person=person, taken_on=TODAY(), ratings=missing)
    with pytest.raises(ValidationError, match="today or in the past"):
        services.dialog_record(
            by=personas.community_clinician, person=person, taken_on=TODAY() + dt.timedelta(days=1), ratings=ratings()
        )
    assert not DialogAssessment.objects.exists()


def test_dialog_form_refuses_8(client, personas, person):
    client.force_login(personas.community_clinician)
    data = {"taken_on-day": TODAY().day, "taken_on-month": TODAY().month, "taken_on-year": TODAY().year}
    for i in range(1, 12):
        data[f"item_{i}"] = 4
        data[f"help_{i}"] = "no"
    data["item_2"] = 8
    response = client.post(f"/care/{person.pk}/plan/outcomes/dialog/", data)
    assert response.status_code == 200
    assert "physical health must be from 1 to 7" in response.content.decode()
    assert not DialogAssessment.objects.exists()
    data["item_2"] = 5
    data["help_4"] = "yes"
    assert client.post(f"/care/{person.pk}/plan/outcomes/dialog/", data).status_code == 302


def test_outcomes_page_pairs_first_and_latest_draws_a_chart_and_suggests_actions(client, personas, person):
    kw = personas.community_clinician
    services.dialog_record(by=kw, person=person, taken_on=TODAY() - dt.timedelta(days=180), ratings=ratings(3))
    services.dialog_record(by=kw, person=person, taken_on=TODAY(), ratings=ratings(5, help_items={4}))
    services.plan_draft_start(by=kw, person=person)
    client.force_login(kw)
    body = client.get(f"/care/{person.pk}/plan/outcomes/").content.decode()
    assert "<svg" in body and "<polyline" in body
    assert "+2" in body
    assert "?suggest=4" in body
    action_page = client.get(f"/care/{person.pk}/plan/draft/actions/?suggest=4").content.decode()
    assert "Help with accommodation" in action_page


def test_mean_dialog_item_change_for_reporting(personas, person, practice):
    kw = personas.community_clinician
    services.dialog_record(by=kw, person=person, taken_on=TODAY() - dt.timedelta(days=90), ratings=ratings(3))
    services.dialog_record(by=kw, person=person, taken_on=TODAY() - dt.timedelta(days=30), ratings=ratings(4))
    services.dialog_record(by=kw, person=person, taken_on=TODAY(), ratings=ratings(6) | {1: (2, False)})
    change = dialog_mean_item_change()
    assert change[4] == {"people": 1, "mean_change": 3.0}
    assert change[1] == {"people": 1, "mean_change": -1.0}


def test_goal_scores_against_the_plans_goals(personas, person, agreed_plan):
    kw = personas.community_clinician
    goal = agreed_plan.goals.first()
    services.gbo_record(by=kw, person=person, rated_on=TODAY() - dt.timedelta(days=60), scores={goal.key: 2})
    # A new draft keeps the goal's identity, so scores carry on against the same goal.
    draft = services.plan_draft_start(by=kw, person=person)
    assert draft.goals.first().key == goal.key
    services.gbo_record(by=kw, person=person, rated_on=TODAY(), scores={goal.key: 7})
    assert list(GoalRating.objects.values_list("score", flat=True)) == [2, 7]
    with pytest.raises(ValidationError, match="0 to 10"):
        services.gbo_record(by=kw, person=person, rated_on=TODAY(), scores={goal.key: 11})
    with pytest.raises(ValidationError, match="only the goals"):
        services.gbo_record(by=kw, person=person, rated_on=TODAY(), scores={"nonsense": 3})
    assert GoalRating.objects.count() == 2


def test_gbo_page_records_scores(client, personas, person, agreed_plan):
    client.force_login(personas.community_clinician)
    goal = agreed_plan.goals.first()
    url = f"/care/{person.pk}/plan/outcomes/goals/"
    assert goal.words in client.get(url).content.decode()
    data = {"rated_on-day": TODAY().day, "rated_on-month": TODAY().month, "rated_on-year": TODAY().year}
    assert client.post(url, data | {f"goal_{goal.key}": "12"}).status_code == 200
    assert client.post(url, data | {f"goal_{goal.key}": "6"}).status_code == 302
    assert GoalRating.objects.get().score == 6


def test_reqol_total_only(personas, person):
    score = services.reqol_record(by=personas.community_clinician, person=person, items=10, total=22, taken_on=TODAY())
    assert score.total == 22
    with pytest.raises(ValidationError, match="0 to 40"):
        services.reqol_record(by=personas.community_clinician, person=person, items=10, total=41, taken_on=TODAY())


def test_the_timeline_says_goals_were_scored_without_the_goals_words(personas, person, agreed_plan):
    """Everyone with a relationship reads the timeline; the goals are shared only where the person chose."""
    from joinedup.core.models import TimelineEntry

    goal = agreed_plan.goals.first()
    services.gbo_record(by=personas.community_clinician, person=person, rated_on=TODAY(), scores={goal.key: 4})
    entry = TimelineEntry.objects.filter(person=person, kind="gbo").get()
    assert entry.summary == "Goal scores recorded for 1 goal"
    assert goal.words[:20] not in entry.summary
