"""A Bulk Data Group (an SMI register, an EMDT caseload) as an R4 Group; UK Core has no Group profile."""

from fhir.resources.R4B.group import Group


def group_resource(*, group_id: str, name: str, person_ids: list[int]) -> Group:
    data = {
        "id": group_id,
        "type": "person",
        "actual": True,
        "name": name,
        "quantity": len(person_ids),
    }
    if person_ids:
        data["member"] = [{"entity": {"reference": f"Patient/{pk}"}} for pk in person_ids]
    return Group.model_validate(data)
