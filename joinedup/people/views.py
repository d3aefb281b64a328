from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from joinedup.accounts.roles import ConsentKind, Perm
from joinedup.care.queries import care_team_for, key_worker_for, level_of_care_history_for
from joinedup.core.access import may
from joinedup.core.audit import AuditAction, audit_list
from joinedup.core.decorators import requires
from joinedup.core.models import Service
from joinedup.core.paging import MAX_ID, page_number, whole_number
from joinedup.core.timeline import timeline_rows
from joinedup.directory.queries import practices_for_choice

from . import queries, services
from .decorators import person_page
from .forms import (
    CommunicationNeedsForm,
    ConsentForm,
    EmergencyAccessForm,
    PersonForm,
    RegisterForm,
    SearchForm,
    StoryForm,
)
from .presenters import PersonPresenter

PERSON_FIELDS = list(services.EDITABLE_FIELDS)


def _presenter(person):
    return PersonPresenter(person, key_worker=key_worker_for(person=person))


@requires(Perm.SEARCH_PEOPLE)
def search(request):
    form = SearchForm(request.GET or None)
    matches = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        matches = queries.search_people(
            by=request.user,
            nhs_number=data["nhs_number"],
            name=data["name"],
            date_of_birth=data["date_of_birth"],
            postcode=data["postcode"],
        )
        audit_list(
            by=request.user,
            action=AuditAction.SEARCH,
            what="person search",
            person_ids=[m.person.pk for m in matches],
            reason=f"Found by a person search ({len(matches)} found)",
            request=request,
        )
        matches = [(m, PersonPresenter(m.person)) for m in matches]
    return render(
        request,
        "people/search.jinja",
        {
            "form": form,
            "matches": matches,
            "can_register": may(request.user, Perm.REGISTER_PERSON),
            "can_emergency": may(request.user, Perm.EMERGENCY_ACCESS),
        },
    )


@requires(Perm.REGISTER_PERSON)
def register(request):
    form = RegisterForm(request.POST or None, practices=practices_for_choice())
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        agreed = data.pop("consents")
        consents = {kind: kind in agreed for kind in ConsentKind.values}
        try:
            person = services.person_register(by=request.user, consents=consents, **data)
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, f"Record created for {person.full_name}")
            if may(request.user, Perm.VIEW_RECORD, person):
                return redirect("people:record", person.pk)
            messages.info(request, "You do not have a relationship with this person, so you cannot open their record.")
            return redirect("people:search")
    return render(request, "people/register.jinja", {"form": form})


@person_page(Perm.VIEW_RECORD, "record")
def record(request, person):
    entries, _ = queries.timeline_for(person=person, per_page=10)
    team = care_team_for(person=person)
    return render(
        request,
        "people/record.jinja",
        {
            "person": PersonPresenter(person, key_worker=next((m for m in team if m.is_key_worker), None)),
            "care_team": team,
            "levels": level_of_care_history_for(person=person),
            "timeline": timeline_rows(entries, reader=request.user, person=person),
            "can_edit": may(request.user, Perm.EDIT_RECORD, person),
            "can_consent": may(request.user, Perm.RECORD_CONSENT, person),
            "can_edit_team": may(request.user, Perm.EDIT_CARE_TEAM, person),
            # Why care was stepped up or down is clinical: only those who step care read the reasons.
            "can_change_level": may(request.user, Perm.CHANGE_LEVEL_OF_CARE, person),
        },
    )


@person_page(Perm.EDIT_RECORD, "details (edit)")
def edit(request, person):
    initial = {f: getattr(person, f) for f in PERSON_FIELDS}
    initial["practice"] = str(person.practice_id or "")
    form = PersonForm(request.POST or None, initial=initial, practices=practices_for_choice())
    posted_version = request.POST.get("version", "")
    version = whole_number(posted_version, maximum=MAX_ID)
    version = person.version if version is None else version
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(by=request.user, person=person, expected_version=version, **form.cleaned_data)
        except services.StaleEdit as e:
            conflict = _presenter(e.current)
            version = e.current.version
            form.add_error(
                None,
                "Someone else changed this record after you opened it. Your changes have not "
                "been saved: check their changes below, then save yours again.",
            )
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, "Details saved")
            return redirect("people:record", person.pk)
    return render(
        request,
        "people/edit.jinja",
        {"person": _presenter(person), "form": form, "version": version, "conflict": conflict},
    )


@person_page(Perm.EDIT_RECORD, "my story (edit)")
def story(request, person):
    form = StoryForm(request.POST or None, initial={"my_story": person.my_story, "version": person.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.my_story_update(
                by=request.user,
                person=person,
                expected_version=form.cleaned_data["version"],
                text=form.cleaned_data["my_story"],
            )
        except services.StaleEdit as e:
            conflict = e.current
            form = StoryForm({"my_story": form.cleaned_data["my_story"], "version": e.current.version})
            form.is_valid()
            form.add_error(
                None,
                "Someone else changed this story after you opened it. Your text is kept below: "
                "compare it with theirs, then save again.",
            )
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, "My story saved")
            return redirect("people:record", person.pk)
    return render(request, "people/story.jinja", {"person": _presenter(person), "form": form, "conflict": conflict})


@person_page(Perm.EDIT_RECORD, "communication needs (edit)")
def communication_needs(request, person):
    current = list(person.communication_needs.all())
    detail = next((n.detail for n in current if n.detail), "")
    form = CommunicationNeedsForm(request.POST or None, initial={"needs": [n.need for n in current], "detail": detail})
    if request.method == "POST" and form.is_valid():
        needs = {
            code: (form.cleaned_data["detail"] if code in ("interpreter", "other") else "")
            for code in form.cleaned_data["needs"]
        }
        try:
            services.communication_needs_set(by=request.user, person=person, needs=needs)
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, "Communication needs saved")
            return redirect("people:record", person.pk)
    return render(request, "people/communication_needs.jinja", {"person": _presenter(person), "form": form})


@person_page(Perm.RECORD_CONSENT, "consent to share")
def consent(request, person):
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_record(
                by=request.user,
                person=person,
                kind=data["kind"],
                given=data["given"] == "yes",
                note=data["note"],
            )
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, "Consent recorded")
            if may(request.user, Perm.VIEW_RECORD, person):
                return redirect("people:record", person.pk)
            return redirect("people:search")
    return render(
        request,
        "people/consent.jinja",
        {
            "person": _presenter(person),
            "form": form,
            "history": queries.consent_history_for(person=person),
        },
    )


@person_page(Perm.VIEW_RECORD, "timeline")
def timeline(request, person):
    service = request.GET.get("service", "")
    if service not in Service.values:
        service = ""
    page = page_number(request)
    entries, has_next = queries.timeline_for(person=person, service=service, page=page)
    return render(
        request,
        "people/timeline.jinja",
        {
            "person": _presenter(person),
            "entries": timeline_rows(entries, reader=request.user, person=person),
            "service": service,
            "services": Service.choices,
            "page": page,
            "has_next": has_next,
        },
    )


@requires(Perm.EMERGENCY_ACCESS)
def emergency_access(request):
    form = EmergencyAccessForm(request.POST or request.GET or None)
    if request.method == "POST" and form.is_valid():
        person = queries.person_by_nhs_number_for_emergency(form.cleaned_data["nhs_number"])
        if person is None:
            form.add_error("nhs_number", "No record has this NHS number. Check it, or register the person.")
        else:
            try:
                services.emergency_access_grant(
                    by=request.user, person=person, reason=form.cleaned_data["reason"], request=request
                )
            except ValidationError as e:
                form.add_service_error(e)
            else:
                messages.warning(
                    request,
                    f"Emergency access recorded for {services.EMERGENCY_ACCESS_HOURS} hours. It will be reviewed.",
                )
                return redirect("people:record", person.pk)
    return render(request, "people/emergency_access.jinja", {"form": form})
