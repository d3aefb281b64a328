"""Who works where in the demo: which partner charity's peer support covers a locality, and which council's adult
social care. Each app's demo history asks here, so a locality's meetings, bookings and staff are that locality's
own: a Furness meeting is attended by Furness's services, never by the Blackpool personas.

Organisations are found by their code in the loaded region pack; a pack without them (another region) falls back
to the first organisation of the kind in the locality's own region, never another region's.
"""

from __future__ import annotations

from joinedup.directory.models import Locality, Organisation, OrganisationKind, Team, TeamKind

# Which localities each partner's peer support team covers (by organisation code).
PEER_SUPPORT_COVERAGE = {
    "VCFSE-CALICO": ["blackpool", "wyre", "fylde", "blackburn-with-darwen"],
    "VCFSE-ACORN": ["lancaster-morecambe", "greater-preston", "preston-north-east"],
    "VCFSE-RED-ROSE": ["burnley", "pendle", "hyndburn-central-rossendale"],
    "VCFSE-INCLUSIVE": ["west-lancashire", "chorley-south-ribble"],
    "VCFSE-LANCS-MIND": ["hyndburn-rural-ribble-valley", "greater-preston", "blackpool"],
    "VCFSE-SPRING-NORTH": ["furness", "westmorland-kendal"],
}
# The council whose adult social care serves a locality (unitary councils; Lancashire County Council elsewhere).
SOCIAL_CARE = {
    "blackpool": "social-care-blackpool",
    "blackburn-with-darwen": "social-care-blackburn-darwen",
    "furness": "social-care-westmorland-furness",
    "westmorland-kendal": "social-care-westmorland-furness",
}
SOCIAL_CARE_ELSEWHERE = "social-care-lancashire"


def peer_support_organisation(locality: Locality) -> Organisation | None:
    """The charity whose peer support covers the locality (the first by code where two do)."""
    codes = sorted(code for code, covered in PEER_SUPPORT_COVERAGE.items() if locality.code in covered)
    teams = (
        Team.objects.filter(kind=TeamKind.PEER_SUPPORT, region__areas__localities=locality)
        .select_related("organisation")
        .order_by("code")
    )
    team = teams.filter(organisation__code__in=codes).order_by("organisation__code").first() or teams.first()
    return team.organisation if team else None


def social_care_organisation(locality: Locality) -> Organisation | None:
    code = SOCIAL_CARE.get(locality.code, SOCIAL_CARE_ELSEWHERE)
    team = Team.objects.filter(code=code).select_related("organisation").first()
    if team is not None:
        return team.organisation
    return (
        Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY, teams__region__areas__localities=locality)
        .order_by("code")
        .first()
    )


def nhs_trust() -> Organisation | None:
    """The mental health trust of the demo's home region: the organisation of its EMDTs and community teams."""
    from .personas import home_region

    team = (
        Team.objects.filter(kind=TeamKind.COMMUNITY_MENTAL_HEALTH, region=home_region())
        .select_related("organisation")
        .first()
    )
    if team is not None:
        return team.organisation
    return Organisation.objects.filter(kind=OrganisationKind.NHS).order_by("code").first()


def vcfse_partner_organisation(locality: Locality) -> Organisation | None:
    """A voluntary sector partner working in the locality: a partner charity that covers it, else its peer
    support charity."""
    codes = [code for code, covered in PEER_SUPPORT_COVERAGE.items() if locality.code in covered]
    team = (
        Team.objects.filter(
            kind=TeamKind.PARTNER,
            organisation__kind=OrganisationKind.VCFSE,
            organisation__code__in=codes,
            region__areas__localities=locality,
        )
        .select_related("organisation")
        .order_by("code")
        .first()
    )
    return team.organisation if team else peer_support_organisation(locality)
