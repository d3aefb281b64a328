"""State changes from the person's side. Each is one transaction, audited, and on the person's timeline as done by
them (`by` is the portal's Visitor, never a staff User). Changes to other apps' data go through those apps' own
services (care: plan agreement; people: consent; meetings: the person's words), so one rule set holds."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from joinedup.accounts.roles import ConsentKind, Perm, Role
from joinedup.core.audit import AuditAction, audit_record
from joinedup.core.timeline import Service, timeline_add
from joinedup.core.validators import normalise_nhs_number
from joinedup.inbox.services import inbox_send
from joinedup.people.models import Person

from .models import BookingAnswer, HelperGrant, HelperKind, PortalAccount, UsedIdToken
from .oidc import Identity, SignInRefused

TEXT_LIMIT = 2000


class _System:
    is_authenticated = False
    audit_username = "NHS login sign-in"


def _text(value, field, *, required="", limit=TEXT_LIMIT) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if "\x00" in value:
        raise ValidationError({field: "Remove the unusual characters"})
    if required and not value:
        raise ValidationError({field: required})
    if len(value) > limit:
        raise ValidationError({field: f"Use {limit} characters or fewer"})
    return value


# --- Sign-in ------------------------------------------------------------------------------------------------------


def sign_in_refused(*, reason: str, request=None) -> None:
    """A sign-in that failed a check: recorded, against nobody's record."""
    audit_record(
        by=_System(), action=AuditAction.REFUSED, what="portal: NHS login sign-in", reason=reason, request=request
    )


@transaction.atomic
def sign_in_accept(*, identity: Identity, request=None):
    """A checked ID token: used once; the account it belongs to; the person's own record when both their NHS number
    AND their date of birth match; and the records they help with. Returns (account, grants)."""
    try:
        with transaction.atomic():
            UsedIdToken.objects.create(
                jti=identity.jti[:200], expires=dt.datetime.fromtimestamp(identity.expires, tz=dt.UTC)
            )
    except IntegrityError:
        raise SignInRefused("the ID token was used before (replayed)") from None
    UsedIdToken.objects.filter(expires__lt=timezone.now() - dt.timedelta(days=1)).delete()
    try:
        birthdate = dt.date.fromisoformat(identity.birthdate)
        nhs_number = normalise_nhs_number(identity.nhs_number)
    except (ValueError, ValidationError):
        raise SignInRefused("the ID token's NHS number or date of birth is not valid", "no_record") from None
    person = Person.objects.filter(nhs_number=nhs_number, date_of_birth=birthdate).first()
    if person is None and Person.objects.filter(nhs_number=nhs_number).exists():
        # Never anyone else's record: the number matches a record whose date of birth does not.
        sign_in_refused(reason="NHS number matches a record but the date of birth does not", request=request)
    name = f"{identity.given_name} {identity.family_name}".strip()
    account, _ = PortalAccount.objects.update_or_create(
        sub=identity.sub,
        defaults={
            "nhs_number": nhs_number,
            "birthdate": birthdate,
            "name": name,
            "person": person,
            "last_sign_in": timezone.now(),
        },
    )
    grants = list(
        HelperGrant.objects.filter(
            nhs_number=nhs_number, birthdate=birthdate, ended_at__isnull=True, until__gte=timezone.localdate()
        ).select_related("person")
    )
    for grant in grants:
        if grant.account_id is None:
            grant.account = account
            grant.save(update_fields=["account"])
    grants = [g for g in grants if g.account_id == account.pk]
    return account, grants


def sign_in_record(*, visitor, request=None) -> None:
    """The person (or helper) is in: on the audit trail and the person's timeline."""
    audit_record(
        by=visitor,
        action=AuditAction.VIEW,
        what="portal: signed in with NHS login",
        person=visitor.person,
        reason=f"Signed in {visitor.done_by}",
        request=request,
    )
    if visitor.grant is not None:
        audit_record(
            by=visitor,
            action=AuditAction.VIEW,
            what="portal: helper access used",
            person=visitor.person,
            obj=visitor.grant,
            reason=f"Access given by the person used {visitor.done_by}",
            request=request,
        )
    timeline_add(
        person=visitor.person,
        service=Service.RECORD,
        kind="portal_sign_in",
        summary=f"Signed in to their own Joined Up with NHS login {visitor.done_by}",
    )


# --- The plan -----------------------------------------------------------------------------------------------------


def _key_worker_user(person):
    from joinedup.care.queries import key_worker_for

    member = key_worker_for(person=person)
    return member.user if member is not None and member.user_id else None


def _plan_answer_recipients(person, draft):
    """Who is told when the person answers their plan: their key worker; without one, the care team's members who
    may edit the plan; failing that, the organisation of whoever started the draft. ([users], organisation)."""
    from joinedup.care.models import CareTeamMember
    from joinedup.core.access import may

    key_worker = _key_worker_user(person)
    if key_worker is not None:
        return [key_worker], None
    members = (
        CareTeamMember.objects.filter(person=person, ended__isnull=True, user__isnull=False)
        .select_related("user")
        .order_by("pk")
    )
    users = list({m.user_id: m.user for m in members if may(m.user, Perm.EDIT_CARE_PLAN, person)}.values())
    if users:
        return users, None
    return [], draft.created_by.primary_organisation


@transaction.atomic
def plan_respond(*, by, draft, agree: bool, comments: str):
    """Agree the draft (recorded as agreement by the person themself), or ask for changes with comments, on a draft
    shared with them. Either way the key worker (or, without one, the care team) gets a task to see it."""
    from joinedup.care.models import CarePlanVersion
    from joinedup.care.services import plan_agree_by_person

    if not CarePlanVersion.objects.filter(pk=draft.pk, shared_with_person=True).exists():
        raise ValidationError("This draft has not been shared with you yet. Ask your key worker about it")
    person = draft.person
    if agree:
        comments = _text(comments, "comments", limit=3000)
        version = plan_agree_by_person(by=by, draft=draft, comments=comments)
        why = f"{person.full_name} agreed their care and support plan (version {version.number}) in their own Joined Up"
    else:
        comments = _text(comments, "comments", required="Tell us what you would like changed", limit=3000)
        audit_record(by=by, action=AuditAction.CREATE, what="care plan: changes asked for", person=person, obj=draft)
        timeline_add(
            person=person,
            service=Service.CARE,
            kind="plan_changes_asked",
            summary=f"Changes to the care and support plan asked for {by.done_by}, in their own Joined Up",
            detail=f"What they would like changed: {comments}",
            link=reverse("care:plan", args=[person.pk]),
        )
        why = f"{person.full_name} asked for changes to their care and support plan: {comments}"
    users, organisation = _plan_answer_recipients(person, draft)
    task = {
        "kind": "portal_plan_response",
        "source": "Their own Joined Up",
        "why": why,
        "person": person,
        "link": reverse("care:plan", args=[person.pk]),
        "due": timezone.localdate() + dt.timedelta(days=5),
    }
    for user in users:
        inbox_send(to_user=user, **task)
    if not users and organisation is not None:
        inbox_send(to_organisation=organisation, **task)
    return why


# --- Their discussion ---------------------------------------------------------------------------------------------


def discussion_words(*, say: str, matters: str, who: str) -> str:
    parts = [
        ("What I want to say", say),
        ("What matters most to me", matters),
        ("Who I would like there", who),
    ]
    return "\n".join(f"{label}: {text.strip()}" for label, text in parts if text and text.strip())


@transaction.atomic
def discussion_prepare(*, by, item, say: str, matters: str, who: str):
    from joinedup.meetings.services import person_words_by_themself

    say = _text(say, "say", limit=1500)
    matters = _text(matters, "matters", limit=1500)
    who = _text(who, "who", limit=500)
    words = discussion_words(say=say, matters=matters, who=who)
    if not words:
        raise ValidationError({"say": "Write at least what you want to say"})
    return person_words_by_themself(by=by, item=item, words=words)


# --- Sharing ------------------------------------------------------------------------------------------------------


@transaction.atomic
def sharing_set(*, by, person, choices: dict[str, bool]) -> list[str]:
    """Change what the person shares with each kind of organisation. Only the kinds that changed are recorded."""
    from joinedup.people.services import consent_by_person

    changed = []
    fresh = Person.objects.select_for_update().get(pk=person.pk)
    for kind in ConsentKind.values:
        if kind in choices and bool(choices[kind]) != getattr(fresh, f"consent_{kind}"):
            consent_by_person(by=by, person=fresh, kind=kind, given=bool(choices[kind]))
            changed.append(kind)
    for kind in changed:
        setattr(person, f"consent_{kind}", getattr(fresh, f"consent_{kind}"))
    return changed


# --- Who has looked: a concern ------------------------------------------------------------------------------------


@transaction.atomic
def concern_raise(*, by, person, text: str):
    """A concern about who has looked at the record: a task for the information governance lead(s)."""
    from joinedup.accounts.models import User

    text = _text(text, "concern", required="Tell us what worries you", limit=2000)
    audit_record(
        by=by, action=AuditAction.CREATE, what="portal: concern about access raised", person=person, reason=text
    )
    timeline_add(
        person=person,
        service=Service.RECORD,
        kind="portal_concern",
        summary=f"A concern about who has looked at their record raised {by.done_by}",
    )
    leads = User.objects.filter(
        is_active=True, memberships__role=Role.IG_LEAD, memberships__ended__isnull=True
    ).distinct()
    for lead in leads:
        inbox_send(
            kind="portal_access_concern",
            source="Their own Joined Up",
            why=f"{person.full_name} is worried about who has looked at their record: {text}",
            to_user=lead,
            person=person,
            link=reverse("governance:audit") + f"?person={person.pk}",
            due=timezone.localdate() + dt.timedelta(days=5),
        )
    return len(leads)


# --- Helpers (carer or advocate) ----------------------------------------------------------------------------------


@transaction.atomic
def helper_grant(*, by, person, kind, name, nhs_number, birthdate, may_act: bool, until) -> HelperGrant:
    errors = {}
    if kind not in HelperKind.values:
        errors["kind"] = "Select carer or advocate"
    try:
        name = _text(name, "name", required="Enter their name", limit=200)
    except ValidationError as e:
        errors.update(e.message_dict)
    try:
        nhs_number = normalise_nhs_number(nhs_number or "")
        from joinedup.core.validators import validate_nhs_number

        validate_nhs_number(nhs_number)
    except ValidationError:
        errors["nhs_number"] = "Enter their NHS number: 10 digits, like 999 123 4567"
    today = timezone.localdate()
    if birthdate is None or birthdate > today:
        errors["birthdate"] = "Enter their date of birth, in the past"
    if until is None or until < today:
        errors["until"] = "Enter the last day they can help, today or later"
    elif until > today + dt.timedelta(days=366 * 2):
        errors["until"] = "Choose a day within 2 years. You can give access again later"
    if not errors and nhs_number == person.nhs_number:
        errors["nhs_number"] = "This is your own NHS number: enter the NHS number of the person helping you"
    if errors:
        raise ValidationError(errors)
    grant = HelperGrant.objects.create(
        person=person, kind=kind, name=name, nhs_number=nhs_number, birthdate=birthdate, may_act=may_act, until=until
    )
    what = "see and do things for you" if may_act else "see your plan and appointments"
    audit_record(
        by=by,
        action=AuditAction.CREATE,
        what="portal: helper access given",
        person=person,
        obj=grant,
        reason=f"{grant.get_kind_display()} {name} may {what} until {until.isoformat()}",
    )
    timeline_add(
        person=person,
        service=Service.RECORD,
        kind="portal_helper_given",
        summary=f"Access for a {grant.get_kind_display().lower()} given {by.done_by}, until {until:%d %B %Y}",
    )
    return grant


@transaction.atomic
def helper_end(*, by, grant: HelperGrant) -> bool:
    """The person ends a helper's access at once. Ending it twice changes nothing."""
    updated = HelperGrant.objects.filter(pk=grant.pk, ended_at__isnull=True).update(ended_at=timezone.now())
    if not updated:
        return False
    grant.refresh_from_db()
    audit_record(
        by=by,
        action=AuditAction.UPDATE,
        what="portal: helper access ended",
        person=grant.person,
        obj=grant,
        reason=f"Access for {grant.name} ended {by.done_by}",
    )
    timeline_add(
        person=grant.person,
        service=Service.RECORD,
        kind="portal_helper_ended",
        summary=f"Access for a {grant.get_kind_display().lower()} ended {by.done_by}",
    )
    return True


@transaction.atomic
def download_record(*, by, person, kind: str, request=None) -> None:
    audit_record(by=by, action=AuditAction.EXPORT, what=f"portal: download ({kind})", person=person, request=request)
    timeline_add(
        person=person,
        service=Service.RECORD,
        kind="portal_download",
        summary=f"Everything held about them downloaded ({kind}) {by.done_by}",
    )


@transaction.atomic
def booking_answer(*, by, booking, answer: str, times: str = "") -> BookingAnswer:
    """Confirm a health check booking, or ask to change it with times that suit: a task for the outreach worker who
    has the person (else whoever booked it)."""
    from joinedup.healthchecks.queries import open_claim_for

    if answer not in BookingAnswer.Answer.values:
        raise ValidationError({"answer": "Select if you can come or need a different time"})
    times = _text(
        times, "times", required="Tell us which days and times suit you" if answer == "change" else "", limit=500
    )
    person = booking.person
    saved = BookingAnswer.objects.create(booking=booking, person=person, answer=answer, times=times, helper=by.grant)
    change = answer == BookingAnswer.Answer.CHANGE
    audit_record(by=by, action=AuditAction.CREATE, what="health check booking answered", person=person, obj=saved)
    timeline_add(
        person=person,
        service=Service.HEALTH_CHECKS,
        kind="portal_booking_answer",
        summary=("A different time asked for" if change else "Health check booking confirmed") + f" {by.done_by}",
    )
    claim = open_claim_for(person=person)
    worker = claim.worker if claim is not None else booking.booked_by
    when = timezone.localtime(booking.at).strftime("%d %B %Y at %H:%M")
    inbox_send(
        kind="portal_booking_change" if change else "portal_booking_confirmed",
        source="Their own Joined Up",
        why=f"{person.full_name} needs a different time for their health check on {when}. Times that suit: {times}"
        if change
        else f"{person.full_name} confirmed their health check on {when}",
        to_user=worker,
        person=person,
        link=reverse("healthchecks:person", args=[person.pk]),
        due=timezone.localdate() + dt.timedelta(days=2 if change else 7),
    )
    return saved
