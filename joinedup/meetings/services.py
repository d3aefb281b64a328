"""Every change to EMDT meetings: meetings, agendas, attendance, the person's words, outcomes and actions."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from joinedup.accounts.roles import ConsentKind, Perm
from joinedup.core.access import forget, may
from joinedup.core.audit import AuditAction, audit_record
from joinedup.core.dates import format_date
from joinedup.core.timeline import Service, timeline_add
from joinedup.core.validators import validate_no_markup
from joinedup.directory.models import TeamKind
from joinedup.people.services import NotAllowed

from .models import (
    TAKES_A_PLACE,
    Action,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    AttendeeKind,
    CaseDiscussion,
    ItemKind,
    ItemState,
    Meeting,
    TookPart,
)
from .presenters import meeting_when
from .queries import ActionOwners, meetings_to_move_to

MAX_CAPACITY = 40


def _text(value, field=None) -> str:
    value = (value or "").strip()
    if value:
        try:
            validate_no_markup(value)
        except ValidationError as e:
            raise ValidationError({field: e.messages}) if field else e from None
    return value


def _require_coordinator(by, team) -> None:
    if Perm.RUN_EMDT_MEETINGS not in by.permissions or not any(m.team_id == team.pk for m in by.active_memberships):
        raise NotAllowed(Perm.RUN_EMDT_MEETINGS)


def _on(meeting) -> str:
    return format_date(timezone.localtime(meeting.starts_at))


def _discussion_link(discussion) -> str:
    return reverse("meetings:discussion", args=[discussion.person_id, discussion.pk])


def _meeting_details(*, starts_at, capacity, place, video_link):
    """The checks a meeting's details pass on creation and on every change: (errors, place, video_link)."""
    errors = {}
    place, video_link = _text(place, "place"), (video_link or "").strip()
    if not place and not video_link:
        errors["place"] = "Enter a place, a video link or both"
    if video_link:
        try:
            URLValidator(schemes=["https"])(video_link)
        except ValidationError:
            errors["video_link"] = "Enter the video link as a full web address starting https://"
    if capacity is None or not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = f"Capacity must be between 1 and {MAX_CAPACITY} people"
    if starts_at is None:
        errors["starts_at"] = "Enter the date and time of the meeting"
    return errors, place, video_link


@transaction.atomic
def meeting_create(*, by, team, starts_at, capacity, place: str = "", video_link: str = "") -> Meeting:
    _require_coordinator(by, team)
    errors, place, video_link = _meeting_details(
        starts_at=starts_at, capacity=capacity, place=place, video_link=video_link
    )
    if team.kind != TeamKind.EMDT:
        errors["team"] = "Choose an EMDT"
    if errors:
        raise ValidationError(errors)
    meeting = Meeting.objects.create(
        team=team, starts_at=starts_at, capacity=capacity, place=place, video_link=video_link, created_by=by
    )
    audit_record(by=by, action=AuditAction.CREATE, what="EMDT meeting", obj=meeting)
    return meeting


def _refuse_if_cancelled(meeting, doing: str) -> None:
    if meeting.cancelled_at is not None:
        raise ValidationError(
            f"The meeting on {_on(meeting)} was cancelled on {format_date(timezone.localtime(meeting.cancelled_at))}: "
            f"{doing}"
        )


def _refuse_if_discussed(meeting, doing: str) -> None:
    if meeting.items.filter(state=ItemState.DISCUSSED).exists():
        raise ValidationError(f"A discussion has been recorded at the meeting on {_on(meeting)}, so {doing}")


@transaction.atomic
def meeting_change(*, by, meeting, starts_at, capacity, place: str = "", video_link: str = "", now=None) -> Meeting:
    """Change a meeting's date and time, place, video link or capacity. Refused once a discussion has been
    recorded at it (it is history then), for a time already past, and for fewer places than people on its agenda.
    When the date or time changes, everyone on its agenda has it on their timeline."""
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("team").get(pk=meeting.pk)
    _require_coordinator(by, meeting.team)
    _refuse_if_cancelled(meeting, "it cannot be changed")
    _refuse_if_discussed(meeting, "its details can no longer be changed")
    now = now or timezone.now()
    errors, place, video_link = _meeting_details(
        starts_at=starts_at, capacity=capacity, place=place, video_link=video_link
    )
    if starts_at is not None and starts_at <= now:
        errors["starts_at"] = "The date and time of the meeting must be in the future"
    taken = _places_taken(meeting)
    if "capacity" not in errors and capacity < taken:
        errors["capacity"] = (
            f"{taken} people are already on this meeting's agenda, so the capacity cannot be fewer than {taken}. "
            "Move someone to a later meeting first."
        )
    if errors:
        raise ValidationError(errors)
    was_on = _on(meeting)
    before = {f: getattr(meeting, f) for f in ("starts_at", "place", "video_link", "capacity")}
    meeting.starts_at, meeting.place, meeting.video_link, meeting.capacity = starts_at, place, video_link, capacity
    changed = [f for f, value in before.items() if getattr(meeting, f) != value]
    if not changed:
        return meeting
    meeting.save(update_fields=changed)
    labels = {"starts_at": "date and time", "place": "place", "video_link": "video link", "capacity": "capacity"}
    audit_record(
        by=by,
        action=AuditAction.UPDATE,
        what="EMDT meeting changed",
        obj=meeting,
        reason="Changed: " + ", ".join(labels[f] for f in changed),
    )
    if "starts_at" in changed:
        for item in meeting.items.filter(state=ItemState.SCHEDULED).select_related("person"):
            timeline_add(
                person=item.person,
                service=Service.EMDT,
                kind="emdt_meeting_rearranged",
                summary=f"EMDT meeting on {was_on} rearranged: the discussion is now on {meeting_when(meeting)}",
                by=by,
            )
    return meeting


@transaction.atomic
def meeting_cancel(*, by, meeting, reason: str, move_to=None, now=None) -> Meeting:
    """Cancel a meeting (never delete it). Everyone still on its agenda moves to the later meeting the
    coordinator chose, through agenda_move, so each move keeps its history and reason and is on the person's
    timeline. Refused once a discussion has been recorded at it."""
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("team").get(pk=meeting.pk)
    _require_coordinator(by, meeting.team)
    _refuse_if_cancelled(meeting, "there is nothing more to do")
    _refuse_if_discussed(meeting, "it cannot be cancelled")
    now = now or timezone.now()
    reason = _text(reason, "reason")
    errors = {}
    if not reason:
        errors["reason"] = "Enter why the meeting is cancelled"
    elif len(reason) > 300:
        errors["reason"] = "The reason must be 300 characters or fewer"
    target = None
    items = list(meeting.items.filter(state=ItemState.SCHEDULED).select_related("person").order_by("id"))
    if items:
        need = len(items)
        people = "1 person" if need == 1 else f"{need} people"
        if move_to is None:
            if meetings_to_move_to(meeting=meeting, need=need, now=now):
                errors["move_to"] = f"Choose the later meeting to move the {people} on this agenda to"
            else:
                errors["move_to"] = (
                    f"There is no later meeting of this EMDT with room for the {people} on this agenda. "
                    "Add a meeting first, then cancel this one."
                )
        else:
            target = Meeting.objects.select_for_update(of=("self",)).get(pk=move_to.pk)
            if target.team_id != meeting.team_id or target.pk == meeting.pk:
                errors["move_to"] = "Choose a later meeting of this EMDT"
            elif target.cancelled_at is not None:
                errors["move_to"] = f"The meeting on {_on(target)} is cancelled too: choose another"
            elif target.starts_at <= max(meeting.starts_at, now):
                errors["move_to"] = f"Choose a meeting after {_on(meeting)} that has not happened yet"
            else:
                free = target.capacity - _places_taken(target)
                on_target = set(
                    target.items.filter(
                        person_id__in=[i.person_id for i in items], state__in=TAKES_A_PLACE
                    ).values_list("person_id", flat=True)
                )
                already = sorted(i.person.full_name for i in items if i.person_id in on_target)
                if free < need:
                    errors["move_to"] = (
                        f"The meeting on {_on(target)} has room for {max(free, 0)}, not the {people} on this "
                        "agenda: choose another meeting or add one"
                    )
                elif already:
                    errors["move_to"] = (
                        f"{' and '.join(already)} {'is' if len(already) == 1 else 'are'} already on the agenda of "
                        f"the meeting on {_on(target)}: choose another meeting"
                    )
    if errors:
        raise ValidationError(errors)
    move_reason = f"Meeting on {_on(meeting)} cancelled: {reason}"
    for item in items:
        agenda_move(by=by, item=item, meeting=target, reason=move_reason)
    meeting.cancelled_at, meeting.cancelled_by, meeting.cancel_reason = now, by, reason
    meeting.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
    audit_record(by=by, action=AuditAction.UPDATE, what="EMDT meeting cancelled", obj=meeting, reason=reason)
    return meeting


def _places_taken(meeting) -> int:
    return meeting.items.filter(state__in=TAKES_A_PLACE).count()


def agenda_place(*, by, meeting, person, kind, request=None, person_words="", words_by=None, words_at=None, at=None):
    """Put a person on a meeting's agenda, within its capacity. Callers have checked access."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.cancelled_at is not None:
        raise ValidationError({"meeting": f"The meeting on {_on(meeting)} was cancelled: choose another"})
    taken = _places_taken(meeting)
    if taken >= meeting.capacity:
        raise ValidationError(
            {"meeting": f"The meeting on {_on(meeting)} is full ({taken} of {meeting.capacity} places): choose another"}
        )
    if meeting.items.filter(person=person, state__in=TAKES_A_PLACE).exists():
        raise ValidationError(
            {"meeting": f"{person.full_name} is already on the agenda of the meeting on {_on(meeting)}"}
        )
    try:
        with transaction.atomic():
            item = AgendaItem.objects.create(
                meeting=meeting,
                person=person,
                request=request,
                kind=kind,
                added_by=by,
                added_at=at or timezone.now(),
                person_words=person_words,
                person_words_by=words_by,
                person_words_at=words_at,
            )
    except IntegrityError:
        raise ValidationError({"meeting": "The person is already on this agenda"}) from None
    from joinedup.messaging.services import emdt_invitation_queue

    emdt_invitation_queue(item=item, by=by)
    return item


@transaction.atomic
def agenda_move(*, by, item, meeting, reason: str) -> AgendaItem:
    """Move a person to a later meeting. The old item stays, marked moved and pointing at the new one."""
    item = AgendaItem.objects.select_for_update(of=("self",)).select_related("meeting__team", "person").get(pk=item.pk)
    _require_coordinator(by, item.meeting.team)
    reason = _text(reason, "reason")
    errors = {}
    if item.state != ItemState.SCHEDULED:
        raise ValidationError(f"This agenda item is {item.get_state_display().lower()}, so it cannot be moved")
    if meeting is None or meeting.team_id != item.meeting.team_id:
        errors["meeting"] = "Choose a later meeting of this EMDT"
    elif meeting.starts_at <= item.meeting.starts_at:
        errors["meeting"] = f"Choose a meeting after {_on(item.meeting)}"
    elif meeting.cancelled_at is not None:
        errors["meeting"] = f"The meeting on {_on(meeting)} was cancelled: choose another"
    if not reason:
        errors["reason"] = "Enter why the person is being moved"
    if errors:
        raise ValidationError(errors)
    new = agenda_place(
        by=by,
        meeting=meeting,
        person=item.person,
        kind=item.kind,
        request=item.request,
        person_words=item.person_words,
        words_by=item.person_words_by,
        words_at=item.person_words_at,
    )
    item.state = ItemState.MOVED
    item.moved_to = new
    item.move_reason = reason
    item.save(update_fields=["state", "moved_to", "move_reason"])
    CaseDiscussion.objects.filter(review_item=item).update(review_item=new)
    audit_record(
        by=by, action=AuditAction.UPDATE, what="EMDT agenda: moved", person=item.person, obj=new, reason=reason
    )
    timeline_add(
        person=item.person,
        service=Service.EMDT,
        kind="emdt_agenda_moved",
        # The reason stays with the agenda (the coordinator's page): it can be about the person's health.
        summary=f"EMDT discussion moved from {_on(item.meeting)} to {_on(meeting)}",
        by=by,
    )
    return new


@transaction.atomic
def agenda_add_review(*, by, meeting, discussion) -> AgendaItem:
    """Put a person whose review is due on this meeting's agenda."""
    _require_coordinator(by, meeting.team)
    discussion = (
        CaseDiscussion.objects.select_for_update(of=("self",)).select_related("item__meeting").get(pk=discussion.pk)
    )
    if discussion.item.meeting.team_id != meeting.team_id:
        raise ValidationError({"meeting": "This review belongs to another EMDT"})
    if discussion.review_item_id is not None:
        raise ValidationError("This review is already on an agenda")
    if meeting.starts_at <= discussion.item.meeting.starts_at:
        raise ValidationError({"meeting": "Choose a meeting after the last discussion"})
    item = agenda_place(by=by, meeting=meeting, person=discussion.person, kind=ItemKind.REVIEW)
    discussion.review_item = item
    discussion.save(update_fields=["review_item"])
    audit_record(by=by, action=AuditAction.UPDATE, what="EMDT agenda: review", person=discussion.person, obj=item)
    timeline_add(
        person=discussion.person,
        service=Service.EMDT,
        kind="emdt_review_scheduled",
        summary=f"EMDT review to be discussed on {_on(meeting)}",
        by=by,
    )
    return item


@transaction.atomic
def person_words_record(*, by, item, words: str) -> AgendaItem:
    """The person's own words about what they want from the discussion, recorded by their worker with them."""
    item = AgendaItem.objects.select_for_update(of=("self",)).select_related("person", "meeting").get(pk=item.pk)
    if not may(by, Perm.EDIT_RECORD, item.person):
        raise NotAllowed(Perm.EDIT_RECORD)
    if item.state != ItemState.SCHEDULED:
        raise ValidationError("The discussion has already happened: the person's words can no longer be changed")
    words = _text(words, "words")
    if not words:
        raise ValidationError({"words": "Enter what the person wants from the discussion, in their own words"})
    return _keep_person_words(item, words, by=by, staff=by, done="recorded")


@transaction.atomic
def person_words_by_themself(*, by, item, words: str) -> AgendaItem:
    """The person prepares for their discussion themself, in their own Joined Up (`by` is the portal's visitor, never
    staff): shown to the chair as the person's own words."""
    item = AgendaItem.objects.select_for_update(of=("self",)).select_related("person", "meeting").get(pk=item.pk)
    if item.state != ItemState.SCHEDULED:
        raise ValidationError("Your discussion has already happened, so this can no longer be changed")
    words = _text(words, "words")
    if not words:
        raise ValidationError({"words": "Enter what you want to say"})
    return _keep_person_words(item, words, by=by, staff=None, done=f"written {by.done_by}")


def _keep_person_words(item, words, *, by, staff, done) -> AgendaItem:
    """Keep the person's words on the agenda item, audited and on the timeline. `staff` is who wrote them down with
    the person, or None when the person wrote them themself (shown to the chair as theirs)."""
    item.person_words, item.person_words_by, item.person_words_at = words, staff, timezone.now()
    item.save(update_fields=["person_words", "person_words_by", "person_words_at"])
    audit_record(by=by, action=AuditAction.UPDATE, what="EMDT: the person's words", person=item.person, obj=item)
    timeline_add(
        person=item.person,
        service=Service.EMDT,
        kind="emdt_person_words",
        summary=f"Their words for the EMDT discussion on {_on(item.meeting)} {done}",
        detail=f"What I want from the discussion: {words}",
        by=staff,
        link=reverse("referrals:person", args=[item.person_id]),
    )
    return item


@transaction.atomic
def attendance_record(*, by, meeting, name: str, organisation, kind: str, status: str, service=None) -> Attendance:
    _require_coordinator(by, meeting.team)
    _refuse_if_cancelled(Meeting.objects.get(pk=meeting.pk), "its attendance cannot be changed")
    name = _text(name, "name")
    errors = {}
    if not name:
        errors["name"] = "Enter the name of the person attending"
    if organisation is None:
        errors["organisation"] = "Select their organisation"
    if kind not in AttendeeKind.values:
        errors["kind"] = "Select how they take part in the EMDT"
    if status not in AttendanceStatus.values:
        errors["status"] = "Select whether they were invited, attended or sent apologies"
    if errors:
        raise ValidationError(errors)
    row = Attendance.objects.create(
        meeting=meeting, name=name, organisation=organisation, kind=kind, service=service, status=status, recorded_by=by
    )
    audit_record(by=by, action=AuditAction.UPDATE, what="EMDT meeting attendance", obj=meeting)
    return row


def _set_key_worker(*, by, person, user, at_meeting: str) -> str:
    """Name or confirm the key worker through key working's own service, so the change keeps its history,
    reason and handover note and the person is told, as any other key worker change."""
    from joinedup.care.queries import key_worker_for
    from joinedup.care.services import key_worker_assign

    current = key_worker_for(person=person)
    if current is not None and current.user_id == user.pk:
        return f"{current.name} confirmed as key worker"
    key_worker_assign(
        by=by,
        person=person,
        user=user,
        reason=f"Agreed at the EMDT discussion on {at_meeting}",
        handover_note=f"Handed over at the EMDT discussion on {at_meeting}: see its outcome and agreed actions",
    )
    return f"{user.get_full_name() or user} named as key worker"


def _first_meeting_with_room(team, on_or_after: dt.date):
    # A review is only ever placed on a meeting still to come (a review date already past goes to the next one).
    on_or_after = max(on_or_after, timezone.localdate())
    start = timezone.make_aware(dt.datetime.combine(on_or_after, dt.time.min))
    meetings = Meeting.objects.filter(team=team, starts_at__gte=start, cancelled_at__isnull=True)
    for meeting in meetings.order_by("starts_at")[:20]:
        if _places_taken(meeting) < meeting.capacity:
            return meeting
    return None


ACTION_OWNER_ROLE = "Owner of an EMDT action"


def _tell_after_discussion(*, by, record, item, on, changes, actions, review_note):
    """Nobody is left waiting: the referrer gets a task with the outcome, and the GP practice an inbox item when
    the discussion changes their patient's care (actions, key worker, level of care, plan changes)."""
    from joinedup.inbox.services import inbox_send, inbox_send_to_practice

    person = item.person
    agreed = f"{actions} action{'s' if actions != 1 else ''} agreed"
    changed = "; ".join([agreed, *changes])
    if item.request_id:
        inbox_send(
            kind="emdt_request_discussed",
            key=str(record.pk),
            source="EMDT outcome",
            why=f"{item.meeting.team.name} discussed your EMDT request on {on} ({changed}).{review_note} "
            f"Outcome: {record.summary_for_gp}",
            to_user=item.request.referrer,
            person=person,
            link=_discussion_link(record),
            by=by,
        )
    if actions or changes or record.plan_changes:
        inbox_send_to_practice(
            kind="emdt_care_changed",
            key=str(record.pk),
            source="EMDT outcome",
            why=f"The EMDT discussion on {on} changed your patient's care ({changed}). Read the summary for the GP.",
            person=person,
            link=reverse("meetings:summary_gp", args=[person.pk, record.pk]),
            by=by,
        )


@transaction.atomic
def discussion_record(
    *,
    by,
    item,
    took_part: str,
    discussion: str,
    summary_for_person: str,
    summary_for_gp: str,
    took_part_note: str = "",
    plan_changes: str = "",
    actions=(),
    key_worker=None,
    level_of_care: str = "",
    level_reason: str = "",
    next_review: dt.date | None = None,
    today: dt.date | None = None,
) -> CaseDiscussion:
    """Record the outcome of a case discussion: how the person took part, actions with owners and due dates,
    the key worker, a step up or down in care, the next review and the two summaries."""
    from joinedup.care.models import LevelOfCare
    from joinedup.care.queries import level_of_care_for
    from joinedup.care.services import (
        care_team_join,
        level_of_care_change,
        level_of_care_take_on,
        plan_actions_from_discussion,
    )
    from joinedup.referrals.services import request_mark_discussed

    item = (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("meeting__team", "person", "request")
        .get(pk=item.pk)
    )
    meeting, person = item.meeting, item.person
    _require_coordinator(by, meeting.team)
    if not may(by, Perm.RUN_EMDT_MEETINGS, person):
        raise NotAllowed(Perm.RUN_EMDT_MEETINGS)
    today = today or timezone.localdate()
    if item.state != ItemState.SCHEDULED:
        raise ValidationError(f"This agenda item is {item.get_state_display().lower()}: its outcome cannot be recorded")
    if timezone.localtime(meeting.starts_at).date() > today:
        raise ValidationError(f"The meeting is on {_on(meeting)}: record the outcome on the day or afterwards")
    errors: dict[str, list[str]] = {}

    def error(field, message):
        errors.setdefault(field, []).append(message)

    discussion = _text(discussion, "discussion")
    took_part_note, plan_changes = _text(took_part_note, "took_part_note"), _text(plan_changes, "plan_changes")
    summary_for_person = _text(summary_for_person, "summary_for_person")
    summary_for_gp, level_reason = _text(summary_for_gp, "summary_for_gp"), _text(level_reason, "level_reason")
    if took_part not in TookPart.values:
        error("took_part", "Select whether the person attended and how they took part")
    if not discussion:
        error("discussion", "Enter what was discussed")
    if not summary_for_person:
        error("summary_for_person", "Enter the summary for the person, in plain English")
    if not summary_for_gp:
        error("summary_for_gp", "Enter the summary for the GP")
    if level_of_care and level_of_care not in LevelOfCare.values:
        error("level_of_care", "Select a level of care")
    if next_review is not None and next_review <= today:
        error("next_review", "The next review date must be in the future")
    clean_actions = []
    owners = ActionOwners(
        person=person, meeting=meeting, chair=by, referrer=item.request.referrer if item.request_id else None
    )
    team_organisations = care_team_organisation_ids(person)
    for n, a in enumerate(actions, start=1):
        description = _text(a.get("description"), "actions")
        owner, due = a.get("owner"), a.get("due")
        organisation = a.get("owner_organisation")
        if not (description or owner or organisation or due):
            continue
        if not description:
            error("actions", f"Action {n}: enter what will be done")
        if owner is None and organisation is not None:
            # An organisation on the care team, with no named person: its care team members do it (as in the plan).
            if organisation.pk not in team_organisations:
                error(
                    "actions",
                    f"Action {n}: {organisation.name} is not on {person.full_name}'s care team. "
                    "Choose an organisation that is, or a named person.",
                )
        elif owner is None:
            error("actions", f"Action {n}: choose who owns it")
        elif owner.primary_organisation is None:
            error("actions", f"Action {n}: the owner has no organisation")
        elif not owners.allows(owner, key_worker=key_worker):
            error(
                "actions",
                f"Action {n}: {owner.get_full_name() or owner} is not on {person.full_name}'s care team and is not "
                "recorded as attending this meeting. Choose someone who is, or record their attendance first.",
            )
        elif not person.has_consent(owner.primary_membership.consent_kind):
            # The owner sees the person only through the action, within the person's consent to share.
            kind = ConsentKind(owner.primary_membership.consent_kind).label.lower()
            error(
                "actions",
                f"Action {n}: {person.full_name} has not agreed to share their record with {kind}, so "
                f"{owner.get_full_name() or owner} could not see it. "
                "Choose another owner or record their consent first.",
            )
        if due is None:
            error("actions", f"Action {n}: enter the due date")
        elif due < today:
            error("actions", f"Action {n}: the due date must be today or in the future")
        clean_actions.append((description, owner, organisation if owner is None else owner.primary_organisation, due))
    if errors:
        raise ValidationError(errors)

    on = _on(meeting)
    changes = []
    # Everyone the discussion involves joins the care team: the chair, and each action's owner (the key worker
    # joins through key working's own service below).
    care_team_join(
        by=by,
        person=person,
        user=by,
        service=Service.EMDT,
        role="EMDT chair",
        reason=f"Chaired the EMDT discussion on {on}",
    )
    for _description, owner, _organisation, _due in clean_actions:
        if owner is None:
            continue  # an organisation already on the care team
        care_team_join(
            by=by,
            person=person,
            user=owner,
            service=Service.EMDT,
            role=ACTION_OWNER_ROLE,
            reason=f"Owns an action agreed at the EMDT discussion on {on}",
        )
    forget(by)
    if key_worker is not None:
        changes.append(_set_key_worker(by=by, person=person, user=key_worker, at_meeting=on))
    if level_of_care:
        current = level_of_care_for(person=person)
        if current is None or current.level != level_of_care:
            level_of_care_change(
                by=by,
                person=person,
                level=level_of_care,
                reason=level_reason or f"Agreed at the EMDT discussion on {on}",
            )
            changes.append(f"level of care: {LevelOfCare(level_of_care).label}")
    else:  # discussed at the EMDT: at EMDT level, unless the person is already higher (never stepped down here)
        stepped = level_of_care_take_on(
            by=by, person=person, level=LevelOfCare.EMDT, reason=f"Taken on by the EMDT at its discussion on {on}"
        )
        if stepped is not None:
            changes.append(f"level of care: {LevelOfCare.EMDT.label}")
    from joinedup.care.queries import key_worker_for

    kw = key_worker_for(person=person)
    record = CaseDiscussion.objects.create(
        item=item,
        person=person,
        took_part=took_part,
        took_part_note=took_part_note,
        discussion=discussion,
        plan_changes=plan_changes,
        key_worker_name=kw.name if kw else "",
        level_of_care=level_of_care,
        next_review=next_review,
        summary_for_person=summary_for_person,
        summary_for_gp=summary_for_gp,
        recorded_by=by,
    )
    agreed = [
        Action.objects.create(
            discussion=record,
            person=person,
            description=description,
            owner=owner,
            owner_organisation=organisation,
            due=due,
        )
        for description, owner, organisation, due in clean_actions
    ]
    # The actions follow the person into their care and support plan, linked back here (typed once).
    plan_actions_from_discussion(
        by=by, person=person, actions=agreed, agreed_at=f"EMDT discussion on {on}", link=_discussion_link(record)
    )
    item.state = ItemState.DISCUSSED
    item.save(update_fields=["state"])
    if item.request_id:
        request_mark_discussed(by=by, request=item.request)
    review_note = ""
    if next_review is not None:
        later = _first_meeting_with_room(meeting.team, next_review)
        if later is not None and later.pk != meeting.pk:
            record.review_item = agenda_place(by=by, meeting=later, person=person, kind=ItemKind.REVIEW)
            record.save(update_fields=["review_item"])
            review_note = f" Review on {_on(later)}."
        else:
            review_note = f" Review due by {format_date(next_review)}."
    audit_record(by=by, action=AuditAction.CREATE, what="EMDT case discussion", person=person, obj=record)
    _tell_after_discussion(
        by=by, record=record, item=item, on=on, changes=changes, actions=len(clean_actions), review_note=review_note
    )
    from joinedup.messaging.mesh import emdt_summary_queue

    emdt_summary_queue(discussion=record, on=on)
    took = TookPart(took_part).label
    summary = f"Discussed at the EMDT on {on}. {len(clean_actions)} action(s) agreed."
    detail = f"{took}."
    if changes:
        changed = "; ".join(changes)
        detail += f" {changed[:1].upper()}{changed[1:]}."  # not str.capitalize(): it lower-cases the names
    timeline_add(
        person=person,
        service=Service.EMDT,
        kind="emdt_discussed",
        summary=(summary + review_note)[:500],
        detail=detail,
        by=by,
        link=_discussion_link(record),
    )
    forget(by)
    return record


def care_team_organisation_ids(person, *, user=None) -> set:
    """The organisations on this person's care team (through `user`'s own membership, if given)."""
    from joinedup.care.models import CareTeamMember

    members = CareTeamMember.objects.filter(person=person, ended__isnull=True)
    if user is not None:
        members = members.filter(user=user)
    return set(members.values_list("organisation_id", flat=True))


def _locked_action(action) -> Action:
    return (
        Action.objects.select_for_update(of=("self",))
        .select_related("person", "owner", "discussion__item__meeting__team")
        .get(pk=action.pk)
    )


@transaction.atomic
def action_complete(*, by, action, note: str = "") -> Action:
    action = _locked_action(action)
    team = action.discussion.item.meeting.team
    is_coordinator = Perm.RUN_EMDT_MEETINGS in by.permissions and any(
        m.team_id == team.pk for m in by.active_memberships
    )
    owns = action.owner_id == by.pk or (
        action.owner_id is None and action.owner_organisation_id in care_team_organisation_ids(action.person, user=by)
    )
    if not owns and not is_coordinator:
        raise NotAllowed("Only the action's owner or the EMDT coordinator can mark it done")
    if action.done_at is not None:
        raise ValidationError("This action is already done")
    note = _text(note, "note")
    from joinedup.care.services import plan_action_done_elsewhere

    plan_action_done_elsewhere(by=by, emdt_action=action, note=note)
    return _mark_done(by=by, action=action, note=note)


def action_done_elsewhere(*, by, action, note: str = "") -> Action | None:
    """The plan action made from this EMDT action was marked done in the care and support plan (whose service
    checked who may): the EMDT action is done too. Already done: nothing changes."""
    action = _locked_action(action)
    if action.done_at is not None:
        return None
    return _mark_done(by=by, action=action, note=_text(note, "note"))


def _mark_done(*, by, action, note) -> Action:
    action.done_at, action.done_note = timezone.now(), note
    action.save(update_fields=["done_at", "done_note"])
    if (
        action.owner_id is not None
        and not Action.objects.filter(person=action.person, owner_id=action.owner_id, done_at__isnull=True).exists()
    ):
        # Their last open action for this person is done: they leave the care team, unless something else keeps
        # them on it (so an owner who saw the person only through the action no longer does).
        from joinedup.care.services import care_team_leave

        care_team_leave(
            by=by,
            person=action.person,
            user=action.owner,
            service=Service.EMDT,
            role=ACTION_OWNER_ROLE,
            reason="Their EMDT actions are done",
        )
        forget(by)
    audit_record(by=by, action=AuditAction.UPDATE, what="EMDT action done", person=action.person, obj=action)
    timeline_add(
        person=action.person,
        service=Service.EMDT,
        kind="emdt_action_done",
        summary=f"An EMDT action marked as done ({action.owner_organisation})",
        detail=f"{action.description}" + (f". {note}" if note else ""),
        by=by,
        link=_discussion_link(action.discussion),
    )
    return action
