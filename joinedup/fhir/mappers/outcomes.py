"""Outcome measures: a DIALOG rating as a QuestionnaireResponse and an Observation per item (SNOMED CT coded),
and a Goal Based Outcomes rating as an Observation whose focus is the Goal."""

from joinedup.care.outcomes import dialog_item

from .identifiers import SNOMED_CT, UKCORE_OBSERVATION, UKCORE_QUESTIONNAIRE_RESPONSE, local, meta, ref

SURVEY = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "survey"}]}


def dialog_response(assessment) -> dict:
    items = []
    for rating in assessment.ratings.all():
        question = dialog_item(rating.item)
        help_item = {"linkId": f"{rating.item}.help", "text": "Do you want more help with this?"}
        help_item["answer"] = [{"valueBoolean": rating.more_help}]
        items.append(
            {
                "linkId": str(rating.item),
                "text": question.question,
                "answer": [{"valueInteger": rating.score, "item": [help_item]}],
            }
        )
    data = {
        "resourceType": "QuestionnaireResponse",
        "id": str(assessment.pk),
        "meta": meta(UKCORE_QUESTIONNAIRE_RESPONSE, assessment.recorded_at),
        "status": "completed",
        "subject": ref("Patient", assessment.person_id),
        "authored": assessment.recorded_at.isoformat(),
        "author": ref("Practitioner", assessment.recorded_by_id),
    }
    if items:
        data["item"] = items
    return data


def dialog_observation(rating) -> dict:
    """One DIALOG item's rating, 1 (totally dissatisfied) to 7 (totally satisfied): id `<assessment>-<item>`."""
    assessment, question = rating.assessment, dialog_item(rating.item)
    return {
        "resourceType": "Observation",
        "id": f"{assessment.pk}-{rating.item}",
        "meta": meta(UKCORE_OBSERVATION, assessment.recorded_at),
        "status": "final",
        "category": [SURVEY],
        "code": {
            "coding": [{"system": SNOMED_CT, "code": question.snomed_code}],
            "text": f"DIALOG: {question.domain}",
        },
        "subject": ref("Patient", assessment.person_id),
        "effectiveDateTime": assessment.taken_on.isoformat(),
        "issued": assessment.recorded_at.isoformat(),
        "valueInteger": rating.score,
        "derivedFrom": [ref("QuestionnaireResponse", assessment.pk)],
    }


def gbo_observation(rating) -> dict:
    """Progress towards one goal, 0 to 10."""
    return {
        "resourceType": "Observation",
        "id": str(rating.pk),
        "meta": meta(UKCORE_OBSERVATION, rating.recorded_at),
        "status": "final",
        "category": [SURVEY],
        "code": {**local("outcome-measure", "gbo", "Goal Based Outcomes goal progress"), "text": "GBO goal progress"},
        "subject": ref("Patient", rating.person_id),
        "focus": [ref("Goal", rating.goal_key)],
        "effectiveDateTime": rating.rated_on.isoformat(),
        "issued": rating.recorded_at.isoformat(),
        "valueInteger": rating.score,
    }
