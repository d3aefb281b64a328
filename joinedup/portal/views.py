"""The person's pages (/my/). Thin: the session and access are in session.py, changes in services.py."""

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from joinedup.core.paging import page_number, whole_number

from . import oidc, queries, services
from .forms import (
    AboutMeForm,
    BookingAnswerForm,
    ConcernForm,
    HelperForm,
    PlanResponseForm,
    PrepareForm,
    SelfDialogForm,
    SharingForm,
)
from .models import HelperGrant, PortalAccount
from .session import Visitor, portal_page, portal_public, start_session


def _redirect_uri(request):
    return settings.PORTAL_OIDC_REDIRECT_URI or request.build_absolute_uri(reverse("portal:callback"))


def _errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(None if field == "__all__" or field not in form.fields else field, messages)
    else:
        form.add_error(None, error.messages)


# --- Sign in and out ----------------------------------------------------------------------------------------------


@portal_public
def sign_in(request):
    response = render(request, "portal/sign_in.jinja", {"available": oidc.configured()})
    if oidc.configured():
        # The button's form is answered by a redirect to NHS login: the policy's form-action must let it go there.
        parts = urlsplit(settings.PORTAL_OIDC_ISSUER)
        response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}
    return response


@portal_public
@require_POST
def sign_in_start(request):
    if not oidc.configured():
        return redirect("portal:sign_in")
    try:
        url, pending = oidc.begin(_redirect_uri(request))
    except Exception:  # noqa: BLE001 (NHS login unreachable: say so, never a 500)
        return render(request, "portal/problem.jinja", {"kind": "unavailable"}, status=503)
    request.portal_session["pending"] = pending
    return redirect(url)


@portal_public
def callback(request):
    store = request.portal_session
    pending = store.pop("pending", None)
    params = {k: request.GET.get(k, "") for k in ("code", "state", "error", "error_description")}
    try:
        identity = oidc.finish(params, pending, _redirect_uri(request))
        account, grants = services.sign_in_accept(identity=identity, request=request)
    except oidc.SignInRefused as refused:
        services.sign_in_refused(reason=refused.reason, request=request)
        status = 400 if refused.kind == "failed" else 200
        return render(request, "portal/problem.jinja", {"kind": refused.kind}, status=status)
    choices = [{"grant": g.pk, "person": g.person_id, "name": g.person.full_name} for g in grants]
    if account.person_id is None and not choices:
        services.sign_in_refused(reason="no record matches this NHS number and date of birth", request=request)
        store.clear()
        return render(request, "portal/problem.jinja", {"kind": "no_record"})
    if account.person_id is not None and not choices:
        start_session(request, account=account, person_id=account.person_id)
        services.sign_in_record(visitor=Visitor(account, account.person, None), request=request)
        return redirect("portal:home")
    if account.person_id is None and len(choices) == 1:  # helps one person and has no record here: straight in
        grant = grants[0]
        start_session(request, account=account, person_id=grant.person_id, grant_id=grant.pk)
        services.sign_in_record(visitor=Visitor(account, grant.person, grant), request=request)
        return redirect("portal:home")
    if account.person_id is not None:
        choices.insert(0, {"grant": None, "person": account.person_id, "name": "My own record"})
    start_session(request, account=account, person_id=None, choices=choices)
    return redirect("portal:choose")


@portal_public
def choose(request):
    """Someone who helps others (and may have their own record) picks whose record to use."""
    store = request.portal_session
    choices = store.get("choices") or []
    account = PortalAccount.objects.filter(pk=store.get("account")).first()
    if account is None or not choices:
        return redirect("portal:sign_in")
    if request.method == "POST":
        index = whole_number(request.POST.get("choice", ""), maximum=len(choices) - 1)
        if index is not None:
            chosen = choices[index]
            grant = HelperGrant.objects.filter(pk=chosen["grant"], account=account).first() if chosen["grant"] else None
            if chosen["grant"] and (grant is None or not grant.is_active()):
                return render(request, "portal/problem.jinja", {"kind": "ended"})
            person = grant.person if grant else account.person
            store["grant"], store["person"] = (grant.pk if grant else None), person.pk
            services.sign_in_record(visitor=Visitor(account, person, grant), request=request)
            return redirect("portal:home")
    return render(request, "portal/choose.jinja", {"choices": list(enumerate(choices))})


@portal_public
def timed_out(request):
    return render(
        request, "portal/signed_out.jinja", {"timed_out": True, "minutes": settings.PORTAL_IDLE_SECONDS // 60}
    )


@portal_public
@require_POST
def sign_out(request):
    request.portal_session.clear()
    return redirect("portal:signed_out")


@portal_public
def signed_out(request):
    return render(request, "portal/signed_out.jinja", {"timed_out": False})


# --- The person's pages -------------------------------------------------------------------------------------------


def _context(request, **extra):
    visitor = request.visitor
    flash = request.portal_session.pop("flash", "")
    return {"visitor": visitor, "person": visitor.person, "flash": flash, **extra}


def _flash(request, text):
    request.portal_session["flash"] = text


@portal_page("home", helper="see")
def home(request):
    person = request.visitor.person
    team = queries.care_team(person=person)
    bookings, items = queries.upcoming(person=person)
    current, draft = queries.plans(person=person)
    key_worker = next((m for m in team if m.is_key_worker), None)
    return render(
        request,
        "portal/home.jinja",
        _context(
            request, team=team, key_worker=key_worker, bookings=bookings, items=items, current=current, draft=draft
        ),
    )


def _plan_presenter(version, person, *, may_act=False):
    from joinedup.care.models import PlanSection
    from joinedup.care.presenters import VersionPresenter
    from joinedup.care.queries import plan_version_for

    if version is None:
        return None
    version = plan_version_for(person=person, number=version.number)
    # The person (or a helper who may answer for them) marks their own actions done: `markable` on those rows.
    own = (lambda action: action.owner_is_person) if may_act else None
    return VersionPresenter(version, shown=frozenset(PlanSection.values), person_name="Me", may_mark=own)


@portal_page("care and support plan", helper="see")
def plan(request):
    person = request.visitor.person
    current, draft = queries.plans(person=person)
    return render(
        request,
        "portal/plan.jinja",
        _context(
            request,
            current=_plan_presenter(current, person, may_act=request.visitor.may_act),
            draft=_plan_presenter(draft, person),
        ),
    )


@portal_page("answer about the plan", helper="act")
def plan_respond(request):
    person = request.visitor.person
    _, draft = queries.plans(person=person)
    if draft is None:
        return render(request, "portal/plan_respond.jinja", _context(request, form=None, draft=None))
    form = PlanResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_respond(
                by=request.visitor,
                draft=draft,
                agree=form.cleaned_data["choice"] == "agree",
                comments=form.cleaned_data["comments"],
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            agreed = form.cleaned_data["choice"] == "agree"
            _flash(
                request,
                "You agreed your plan. Your key worker has been told."
                if agreed
                else "We have asked your key worker to look at the changes you want.",
            )
            return redirect("portal:plan")
    return render(request, "portal/plan_respond.jinja", _context(request, form=form, draft=draft))


@portal_page("care plan (PDF)", helper="see")
def plan_pdf(request):
    from weasyprint import CSS, HTML

    from joinedup.care.queries import key_worker_for

    person = request.visitor.person
    current, draft = queries.plans(person=person)
    version = _plan_presenter(current or draft, person)
    if version is None:
        return redirect("portal:plan")
    large = any(n.need == "large_print" for n in person.communication_needs.all())
    context = {
        "person": {"name": person.full_name, "nhs_number": person.nhs_number, "date_of_birth": person.date_of_birth},
        "plan": version,
        "large_print": large,
        "key_worker": key_worker_for(person=person),
        "printed_on": timezone.localdate(),
        "for_pdf": True,
    }
    html = render_to_string("care/print.jinja", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(
        stylesheets=[CSS(filename=finders.find("care/print.css"))]
    )
    services.download_record(by=request.visitor, person=person, kind="care plan PDF", request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="my-care-plan-{version.number}.pdf"'
    return response


@portal_page("prepare for a discussion", helper="act")
def prepare(request, item_id):
    person = request.visitor.person
    item = queries.agenda_item(person=person, pk=item_id)
    form = PrepareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.discussion_prepare(by=request.visitor, item=item, **form.cleaned_data)
        except ValidationError as error:
            _errors(form, error)
        else:
            _flash(request, "Thank you. The people at your discussion will see what you wrote.")
            return redirect("portal:home")
    return render(request, "portal/prepare.jinja", _context(request, form=form, item=item))


@portal_page("sharing choices")
def sharing(request):
    person = request.visitor.person
    form = SharingForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        changed = services.sharing_set(by=request.visitor, person=person, choices=form.choices())
        _flash(request, "Your sharing choices are saved. They apply now." if changed else "Nothing was changed.")
        return redirect("portal:sharing")
    return render(request, "portal/sharing.jinja", _context(request, form=form))


@portal_page("who has looked at my record")
def who_looked(request):
    page = page_number(request)
    rows, has_more = queries.who_has_looked(person=request.visitor.person, page=page)
    return render(
        request,
        "portal/who_looked.jinja",
        _context(
            request, rows=rows, page=page, has_more=has_more, form=ConcernForm(), names=settings.PORTAL_SHOW_STAFF_NAMES
        ),
    )


@portal_page("raise a concern about access")
def concern(request):
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.concern_raise(by=request.visitor, person=request.visitor.person, text=form.cleaned_data["concern"])
        _flash(request, "Thank you. Someone who looks after information safety will look into it and contact you.")
        return redirect("portal:who_looked")
    return render(request, "portal/concern.jinja", _context(request, form=form))


@portal_page("download my record")
def download(request):
    return render(request, "portal/download.jinja", _context(request))


@portal_page("download my record (FHIR)")
def download_fhir(request):
    from .fhir import person_bundle

    person = request.visitor.person
    bundle = person_bundle(person)
    services.download_record(by=request.visitor, person=person, kind="FHIR R4 Bundle", request=request)
    response = HttpResponse(json.dumps(bundle, indent=2), content_type="application/fhir+json")
    response["Content-Disposition"] = 'attachment; filename="my-record.fhir.json"'
    return response


@portal_page("helpers: carer or advocate")
def helpers(request):
    person = request.visitor.person
    form = HelperForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.helper_grant(
                by=request.visitor,
                person=person,
                kind=data["kind"],
                name=data["name"],
                nhs_number=data["nhs_number"],
                birthdate=data["birthdate"],
                may_act=data["may_act"] == "act",
                until=data["until"],
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            _flash(request, f"{data['name']} can now sign in with their own NHS login to help you.")
            return redirect("portal:helpers")
    return render(
        request,
        "portal/helpers.jinja",
        _context(request, form=form, grants=queries.helpers(person=person), today=timezone.localdate()),
    )


@portal_page("end a helper's access")
def helper_end(request, helper_id):
    grant = queries.helper_for(person=request.visitor.person, pk=helper_id)
    if request.method == "POST":
        services.helper_end(by=request.visitor, grant=grant)
        _flash(request, f"{grant.name} can no longer see your record.")
        return redirect("portal:helpers")
    return render(request, "portal/helper_end.jinja", _context(request, grant=grant))


@portal_page("DIALOG")
def dialog(request):
    from joinedup.care.presenters import dialog_summary
    from joinedup.care.queries import dialog_history_for
    from joinedup.care.services import dialog_self_record

    person = request.visitor.person
    form = SelfDialogForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dialog_self_record(by=request.visitor, person=person, ratings=form.ratings())
        except ValidationError as error:
            _errors(form, error)
        else:
            _flash(request, "Thank you. Your answers are saved. Your key worker will see them.")
            return redirect("portal:dialog")
    summary = dialog_summary(dialog_history_for(person=person))
    return render(request, "portal/dialog.jinja", _context(request, form=form, rows=summary["rows"]))


@portal_page("health check booking", helper="act")
def booking(request, booking_id):
    person = request.visitor.person
    found = queries.booking(person=person, pk=booking_id)
    form = BookingAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_answer(by=request.visitor, booking=found, **form.cleaned_data)
        except ValidationError as error:
            _errors(form, error)
        else:
            change = form.cleaned_data["answer"] == "change"
            _flash(
                request,
                "We have asked for a new time. Someone will contact you."
                if change
                else "Thank you. We have told them you can come.",
            )
            return redirect("portal:home")
    answers = queries.booking_answers(person=person, booking=found)
    return render(request, "portal/booking.jinja", _context(request, form=form, booking=found, answers=answers))


@portal_page("about me", helper="act")
def about_me(request):
    from joinedup.people.services import StaleEdit, about_me_by_person

    person = request.visitor.person
    details = {n.need: n.detail for n in person.communication_needs.all()}
    initial = {
        "story": person.my_story,
        "needs": list(details),
        "preferred_channel": person.preferred_channel,
        "safe_times": person.safe_times,
        "no_voicemail": person.no_voicemail,
    }
    form = AboutMeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            about_me_by_person(
                by=request.visitor,
                person=person,
                expected_version=whole_number(request.POST.get("version", ""), maximum=2**31) or 0,
                story=data["story"],
                needs={need: details.get(need, "") for need in data["needs"]},
                contact={k: data[k] for k in ("preferred_channel", "safe_times", "no_voicemail")},
            )
        except StaleEdit:
            form.add_error(None, "Someone changed your details while you were writing. Check them and save again.")
        except ValidationError as error:
            _errors(form, error)
        else:
            _flash(request, "Saved. The people who help you will see it.")
            return redirect("portal:about_me")
    return render(request, "portal/about_me.jinja", _context(request, form=form, version=person.version))


@portal_page("mark my action done", helper="act")
def action_done(request, plan_action_id):
    from joinedup.care.queries import plan_action_for
    from joinedup.care.services import plan_action_done_by_person

    person = request.visitor.person
    action = plan_action_for(person=person, pk=plan_action_id)  # 404 for anyone else's action
    if request.method == "POST":
        try:
            plan_action_done_by_person(by=request.visitor, action=action)
        except ValidationError as error:
            _flash(request, " ".join(error.messages))
        else:
            _flash(request, "Well done. Your action is marked as done.")
        return redirect("portal:plan")
    return render(request, "portal/action_done.jinja", _context(request, action=action))
