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
    # Stepping care up or down (and reading why each step was taken) is a clinical decision.
    CHANGE_LEVEL_OF_CARE = "care.change_level"
    EMERGENCY_ACCESS = "people.emergency_access"
    REVIEW_AUDIT = "core.review_audit"
    VIEW_AGGREGATES = "reporting.view_aggregates"  # every area's figures (commissioners and analysts)
    # Reports for one's own service: the figures (aggregates, small counts hidden) of the practice, PCN, EMDT
    # locality or outreach provider one's teams belong to. With VIEW_AGGREGATES too: every area.
    VIEW_REPORTS = "reporting.view_reports"
    # Staff accounts in the administrator's own organisation (all of them for an ICB-wide administrator): joiners,
    # movers and leavers, and handing a leaver's people to new key workers (docs/staff-accounts.md).
    MANAGE_USERS = "accounts.manage_users"
    # The access review: accounts unused for 90 days and memberships past their end date.
    REVIEW_ACCESS = "accounts.review_access"
    # SMI physical health checks (joinedup/healthchecks).
    HC_VIEW = "healthchecks.view"  # worklists and a person's health check page
    HC_OUTREACH = "healthchecks.outreach"  # claim people, record contact attempts, book checks
    HC_RECORD_CHECK = "healthchecks.record_check"  # record a check, follow-ups, the person's health plan
    HC_REGISTER_FILES = "healthchecks.register_files"  # import SMI registers, send register updates to practices
    HC_COVERAGE = "healthchecks.coverage"  # coverage figures (suppressed counts, no named person)
    # Key working: writing the care and support plan with the person, and a key worker's own caseload.
    EDIT_CARE_PLAN = "care.edit_plan"
    VIEW_CASELOAD = "care.view_caseload"
    # EMDT: only mental health practitioners request; coordinators triage and run the meetings.
    REQUEST_EMDT = "referrals.request_emdt"
    # The clinical papers of EMDT work: a request (needs, risks, the services named) and a discussion's summary
    # for the GP. The rest of the EMDT page (dates, who, outcome, actions) is part of the shared record.
    VIEW_EMDT_PAPERS = "referrals.view_papers"
    TRIAGE_EMDT = "referrals.triage_emdt"
    RUN_EMDT_MEETINGS = "meetings.run_emdt_meetings"
    # Peer support: referring a person, allocating them to a worker, recording the work done with them,
    # searching the community directory (not person data), and supervising and training the workforce.
    VIEW_PEER_SUPPORT = "peersupport.view"
    REFER_PEER_SUPPORT = "peersupport.refer"
    ALLOCATE_PEER_SUPPORT = "peersupport.allocate"
    RECORD_PEER_SUPPORT = "peersupport.record"
    SEARCH_COMMUNITY_DIRECTORY = "peersupport.search_directory"
    MANAGE_PEER_WORKFORCE = "peersupport.manage_workforce"
    # Primary care mental health: MHPs in primary care networks, and the trainee and associate psychologists
    # they supervise. Viewing covers a person's MHP episodes, sessions, onward referrals and advice to GPs.
    PC_VIEW = "primarycare.view"
    PC_VIEW_CASELOAD = "primarycare.view_caseload"
    PC_MANAGE_CASELOAD = "primarycare.manage_caseload"  # add, assess, refer on, discharge; advise GPs
    PC_DELIVER_SESSION = "primarycare.deliver_session"
    PC_SUPERVISE = "primarycare.supervise"  # review sessions delivered by trainee and associate psychologists
    PC_ASK_ADVICE = "primarycare.ask_advice"  # a GP practice asks its PCN's MHPs about a patient
    # Messages (joinedup/messaging): the list of messages sent (what kind, how, when, whether delivered; never to
    # whom or what they said) and each practice's MESH mailbox.
    MESSAGING_ADMIN = "messaging.admin"


_CLINICAL = {
    Perm.SEARCH_PEOPLE,
    Perm.VIEW_RECORD,
    Perm.REGISTER_PERSON,
    Perm.EDIT_RECORD,
    Perm.RECORD_CONSENT,
    Perm.EDIT_CARE_TEAM,
    Perm.CHANGE_LEVEL_OF_CARE,
    Perm.EMERGENCY_ACCESS,
    Perm.EDIT_CARE_PLAN,
    Perm.VIEW_CASELOAD,
}
_PARTNER = {Perm.SEARCH_PEOPLE, Perm.VIEW_RECORD}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.MHP: frozenset(_CLINICAL | {Perm.REQUEST_EMDT}),
    Role.TRAINEE_PSYCHOLOGIST: frozenset({Perm.SEARCH_PEOPLE, Perm.VIEW_RECORD, Perm.EDIT_RECORD}),
    Role.COMMUNITY_CLINICIAN: frozenset(_CLINICAL | {Perm.REQUEST_EMDT}),
    Role.EMDT_COORDINATOR: frozenset((_CLINICAL - {Perm.REGISTER_PERSON}) | {Perm.TRIAGE_EMDT, Perm.RUN_EMDT_MEETINGS}),
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
    Role.IG_LEAD: frozenset({Perm.REVIEW_AUDIT, Perm.REVIEW_ACCESS}),
}

# Peer support. Clinicians who know the person refer them; peer support workers and volunteers record their
# work with the people allocated to them; seniors also allocate, and supervise and train the workforce.
_PEER_REFERRER = {Perm.VIEW_PEER_SUPPORT, Perm.REFER_PEER_SUPPORT, Perm.SEARCH_COMMUNITY_DIRECTORY}
_PEER_STAFF = {Perm.VIEW_PEER_SUPPORT, Perm.RECORD_PEER_SUPPORT, Perm.SEARCH_COMMUNITY_DIRECTORY}
_PEER_SUPPORT_GRANTS = {
    Role.MHP: _PEER_REFERRER,
    Role.COMMUNITY_CLINICIAN: _PEER_REFERRER,
    Role.EMDT_COORDINATOR: _PEER_REFERRER,
    Role.KEY_WORKER: _PEER_REFERRER,
    Role.PARTNER_PROFESSIONAL: {Perm.SEARCH_COMMUNITY_DIRECTORY},
    Role.PEER_SUPPORT_WORKER: _PEER_STAFF,
    Role.VOLUNTEER: _PEER_STAFF,
    Role.SENIOR_PEER_SUPPORT_WORKER: _PEER_STAFF | {Perm.ALLOCATE_PEER_SUPPORT, Perm.MANAGE_PEER_WORKFORCE},
}
ROLE_PERMISSIONS.update({role: ROLE_PERMISSIONS[role] | extra for role, extra in _PEER_SUPPORT_GRANTS.items()})

# Primary care mental health. MHPs hold the caseload; trainee and associate psychologists deliver sessions
# under a named supervising MHP but do not add, assess, refer on or discharge. The clinicians around the person
# and their GP practice can read what was done; the practice asks its PCN's MHPs for advice.
_PRIMARY_CARE_GRANTS = {
    Role.MHP: {
        Perm.PC_VIEW,
        Perm.PC_VIEW_CASELOAD,
        Perm.PC_MANAGE_CASELOAD,
        Perm.PC_DELIVER_SESSION,
        Perm.PC_SUPERVISE,
    },
    Role.TRAINEE_PSYCHOLOGIST: {Perm.PC_VIEW, Perm.PC_VIEW_CASELOAD, Perm.PC_DELIVER_SESSION},
    Role.COMMUNITY_CLINICIAN: {Perm.PC_VIEW},
    Role.EMDT_COORDINATOR: {Perm.PC_VIEW},
    Role.KEY_WORKER: {Perm.PC_VIEW},
    Role.GP_PRACTICE_STAFF: {Perm.PC_VIEW, Perm.PC_ASK_ADVICE},
}
ROLE_PERMISSIONS.update({role: ROLE_PERMISSIONS[role] | extra for role, extra in _PRIMARY_CARE_GRANTS.items()})

# SMI physical health checks. Outreach workers and GP practices run the outreach and exchange the register files;
# health check providers record checks; the clinicians around the person may book and record too. Commissioners
# see coverage figures only (small counts suppressed), never a named person.
_HEALTH_CHECKS = {Perm.HC_VIEW, Perm.HC_OUTREACH, Perm.HC_RECORD_CHECK}
_HEALTH_CHECK_GRANTS = {
    Role.OUTREACH_WORKER: _HEALTH_CHECKS | {Perm.HC_REGISTER_FILES, Perm.HC_COVERAGE},
    Role.GP_PRACTICE_STAFF: _HEALTH_CHECKS | {Perm.HC_REGISTER_FILES, Perm.HC_COVERAGE},
    Role.HEALTH_CHECK_PROVIDER: {Perm.HC_VIEW, Perm.HC_RECORD_CHECK},
    Role.MHP: _HEALTH_CHECKS,
    Role.COMMUNITY_CLINICIAN: _HEALTH_CHECKS,
    Role.KEY_WORKER: _HEALTH_CHECKS,
    Role.COMMISSIONER: {Perm.HC_COVERAGE},
}
ROLE_PERMISSIONS.update({role: ROLE_PERMISSIONS[role] | extra for role, extra in _HEALTH_CHECK_GRANTS.items()})

# EMDT clinical papers: the clinicians who request, triage and hold the person's care, and their GP practice.
_EMDT_PAPERS_GRANTS = {
    role: {Perm.VIEW_EMDT_PAPERS}
    for role in (Role.MHP, Role.COMMUNITY_CLINICIAN, Role.EMDT_COORDINATOR, Role.KEY_WORKER, Role.GP_PRACTICE_STAFF)
}
ROLE_PERMISSIONS.update({role: ROLE_PERMISSIONS[role] | extra for role, extra in _EMDT_PAPERS_GRANTS.items()})

# Reports: commissioners see every area; practice staff, PCN MHPs, EMDT coordinators, outreach workers and senior
# peer support workers see the figures of their own team's practice, PCN, locality or provider (joinedup/reporting).
_REPORT_GRANTS = {
    role: {Perm.VIEW_REPORTS}
    for role in (
        Role.COMMISSIONER,
        Role.GP_PRACTICE_STAFF,
        Role.MHP,
        Role.EMDT_COORDINATOR,
        Role.OUTREACH_WORKER,
        Role.SENIOR_PEER_SUPPORT_WORKER,
    )
}
ROLE_PERMISSIONS.update({role: ROLE_PERMISSIONS[role] | extra for role, extra in _REPORT_GRANTS.items()})
ROLE_PERMISSIONS[Role.ADMINISTRATOR] |= {Perm.MESSAGING_ADMIN}

ALL_PERMISSIONS = frozenset().union(*ROLE_PERMISSIONS.values())


class ConsentKind(models.TextChoices):
    """Kinds of organisation a person may consent to share their record with."""

    NHS = "nhs", "NHS services"
    VCFSE = "vcfse", "Voluntary and community organisations"
    LOCAL_AUTHORITY = "local_authority", "Local authority (council) services"
    PEER_SUPPORT = "peer_support", "Peer support service"


PEER_SUPPORT_ROLES = {Role.PEER_SUPPORT_WORKER, Role.SENIOR_PEER_SUPPORT_WORKER, Role.VOLUNTEER}
