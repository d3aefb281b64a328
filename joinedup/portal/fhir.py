"""The person's download as a FHIR R4 Bundle: a minimal collection of what maps simply (Patient, their care team as
CareTeam, their agreed plan as CarePlan), validated by fhir.resources' R4B models (as joinedup/fhir does). The FHIR
API (joinedup/fhir) builds the full UK Core profiles."""

from fhir.resources.R4B.bundle import Bundle

from joinedup.care.queries import care_team_for, plan_current_for


def person_bundle(person) -> dict:
    patient = {
        "resourceType": "Patient",
        "id": f"person-{person.pk}",
        "name": [{"use": "official", "family": person.family_name, "given": [person.given_name]}],
        "birthDate": person.date_of_birth.isoformat(),
    }
    if person.nhs_number:
        patient["identifier"] = [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": person.nhs_number}]
    telecom = []
    if person.phone:
        telecom.append({"system": "phone", "value": person.phone})
    if person.email:
        telecom.append({"system": "email", "value": person.email})
    if telecom:
        patient["telecom"] = telecom
    if person.address or person.postcode:
        patient["address"] = [{"text": person.address or None, "postalCode": person.postcode or None}]
        patient["address"] = [{k: v for k, v in patient["address"][0].items() if v}]
    entries = [patient]
    team = care_team_for(person=person)
    if team:
        entries.append(
            {
                "resourceType": "CareTeam",
                "id": f"careteam-{person.pk}",
                "status": "active",
                "subject": {"reference": f"Patient/person-{person.pk}"},
                "participant": [
                    {
                        "role": [{"text": m.role_title + (" (key worker)" if m.is_key_worker else "")}],
                        "member": {"display": m.name},
                        "onBehalfOf": {"display": m.organisation.name},
                    }
                    for m in team
                ],
            }
        )
    plan = plan_current_for(person=person)
    if plan is not None:
        goals = [g.words for g in plan.goals.all()]
        entries.append(
            {
                "resourceType": "CarePlan",
                "id": f"careplan-{plan.pk}",
                "status": "active",
                "intent": "plan",
                "title": f"My care and support plan, version {plan.number}",
                "subject": {"reference": f"Patient/person-{person.pk}"},
                "description": "; ".join(goals)[:5000] or None,
            }
        )
        entries[-1] = {k: v for k, v in entries[-1].items() if v is not None}
    bundle = Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"fullUrl": f"urn:uuid:{r['resourceType'].lower()}-{r['id']}", "resource": r} for r in entries],
        }
    )
    return bundle.model_dump(mode="json", exclude_none=True)
