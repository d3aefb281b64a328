"""Who may do what: the roles, the named permissions, and the map between them.

This file is meant to be read by an information governance lead. A permission here says what a role may
do at all; whether a user may do it to a particular person is then decided by the access policy
(joinedup/core/access.py), from their relationship to that person and the person's consent.
"""

from django.db import models


class Role(models.TextChoices):
    MHP = "mhp", "Primary care mental health practitioner"
    TRAINEE_PSYCHOLOGIST = "trainee_psychologist", "Trainee or associate psychologist"
    COMMUNITY_CLINICIAN = "community_clinician", "Community mental health clinician"
    EMDT_COORDINATOR = "emdt_coordinator", "EMDT coordinator or chair"
    KEY_WORKER = "key_worker", "Key worker"
    PARTNER_PROFESSIONAL = "partner_professional", "VCFSE or local authority professional"
    PEER_SUPPORT_WORKER = "peer_support_worker", "Peer support worker"
    SENIOR_PEER_SUPPORT_WORKER = "senior_peer_support_worker", "Senior peer support worker"
    VOLUNTEER = "volunteer", "Lived-experience volunteer"
    OUTREACH_WORKER = "outreach_worker", "Outreach worker (SMI health checks)"
    HEALTH_CHECK_PROVIDER = "health_check_provider", "Health check provider"
    GP_PRACTICE_STAFF = "gp_practice_staff", "GP practice staff"
    COMMISSIONER = "commissioner", "Commissioner or analyst"
    ADMINISTRATOR = "administrator", "Administrator"
    IG_LEAD = "ig_lead", "Information governance lead"


class Perm:
    """Named permissions. Views and services check these, never a role directly."""

    SEARCH_PEOPLE = "people.search"
    VIEW_RECORD = "people.view_record"
    REGISTER_PERSON = "people.register"
    EDIT_RECORD = "people.edit_record"
    RECORD_CONSENT = "people.record_consent"
    EDIT_CARE_TEAM = "care.edit_care_team"
    EMERGENCY_ACCESS = "people.emergency_access"
    REVIEW_AUDIT = "core.review_audit"
    VIEW_AGGREGATES = "reporting.view_aggregates"
    MANAGE_USERS = "accounts.manage_users"


_CLINICAL = {
    Perm.SEARCH_PEOPLE,
    Perm.VIEW_RECORD,
    Perm.REGISTER_PERSON,
    Perm.EDIT_RECORD,
    Perm.RECORD_CONSENT,
    Perm.EDIT_CARE_TEAM,
    Perm.EMERGENCY_ACCESS,
}
_PARTNER = {Perm.SEARCH_PEOPLE, Perm.VIEW_RECORD}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.MHP: frozenset(_CLINICAL),
    Role.TRAINEE_PSYCHOLOGIST: frozenset({Perm.SEARCH_PEOPLE, Perm.VIEW_RECORD, Perm.EDIT_RECORD}),
    Role.COMMUNITY_CLINICIAN: frozenset(_CLINICAL),
    Role.EMDT_COORDINATOR: frozenset(_CLINICAL - {Perm.REGISTER_PERSON}),
    Role.KEY_WORKER: frozenset(_CLINICAL),
    Role.PARTNER_PROFESSIONAL: frozenset(_PARTNER),
    Role.PEER_SUPPORT_WORKER: frozenset(_PARTNER | {Perm.EDIT_RECORD}),
    Role.SENIOR_PEER_SUPPORT_WORKER: frozenset(_PARTNER | {Perm.EDIT_RECORD}),
    Role.VOLUNTEER: frozenset(_PARTNER),
    Role.OUTREACH_WORKER: frozenset(_PARTNER | {Perm.EDIT_RECORD}),
    Role.HEALTH_CHECK_PROVIDER: frozenset(_PARTNER),
    Role.GP_PRACTICE_STAFF: frozenset(
        {Perm.SEARCH_PEOPLE, Perm.VIEW_RECORD, Perm.REGISTER_PERSON, Perm.EDIT_RECORD, Perm.RECORD_CONSENT}
    ),
    # Commissioners see aggregated figures only, never a named person.
    Role.COMMISSIONER: frozenset({Perm.VIEW_AGGREGATES}),
    # Administrators run users and reference data; they do not read records.
    Role.ADMINISTRATOR: frozenset({Perm.MANAGE_USERS}),
    # The IG lead reviews the audit trail and emergency access; reading a record needs a relationship.
    Role.IG_LEAD: frozenset({Perm.REVIEW_AUDIT}),
}

ALL_PERMISSIONS = frozenset().union(*ROLE_PERMISSIONS.values())


class ConsentKind(models.TextChoices):
    """Kinds of organisation a person may consent to share their record with."""

    NHS = "nhs", "NHS services"
    VCFSE = "vcfse", "Voluntary and community organisations"
    LOCAL_AUTHORITY = "local_authority", "Local authority (council) services"
    PEER_SUPPORT = "peer_support", "Peer support service"


PEER_SUPPORT_ROLES = {Role.PEER_SUPPORT_WORKER, Role.SENIOR_PEER_SUPPORT_WORKER, Role.VOLUNTEER}
