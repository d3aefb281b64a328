"""Staff as UK Core Practitioners, and each team membership (role in a team of an organisation) as a
PractitionerRole. Service accounts of system clients are not staff and are never sent."""

from .identifiers import UKCORE_PRACTITIONER, UKCORE_PRACTITIONER_ROLE, local, meta, ref


def practitioner_resource(user) -> dict:
    name = {"use": "official", "family": user.last_name or user.get_username()}
    if user.first_name:
        name["given"] = [user.first_name]
    return {
        "resourceType": "Practitioner",
        "id": str(user.pk),
        "meta": meta(UKCORE_PRACTITIONER),
        "active": user.is_active,
        "name": [name],
    }


def practitioner_role_resource(membership) -> dict:
    data = {
        "resourceType": "PractitionerRole",
        "id": str(membership.pk),
        "meta": meta(UKCORE_PRACTITIONER_ROLE),
        "active": membership.ended is None,
        "period": {"start": membership.started.isoformat()},
        "practitioner": ref("Practitioner", membership.user_id, membership.user.get_full_name()),
        "organization": ref("Organization", membership.team.organisation_id, membership.team.organisation.name),
        "code": [{**local("role", membership.role, membership.get_role_display()), "text": membership.team.name}],
    }
    if membership.ended:
        data["period"]["end"] = membership.ended.isoformat()
    return data
