import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from joinedup.accounts.roles import Perm
from joinedup.care.queries import key_worker_for
from joinedup.core.access import may
from joinedup.core.audit import audit_list
from joinedup.core.decorators import requires
from joinedup.core.middleware import reads_its_own_upload, refuse_nul_in_form
from joinedup.core.paging import page_number, row_id
from joinedup.people.decorators import person_page
from joinedup.people.presenters import PersonPresenter
from joinedup.people.services import NotAllowed

from . import queries, services
from .forms import BookingForm, CheckForm, ContactForm, FollowUpForm, PlanForm, UploadForm
from .models import WIDER_ELEMENTS
from .registers import import_register
from .rules import priority
from .valuesets import not_coded


def _banner(person):
    return PersonPresenter(person, key_worker=key_worker_for(person=person))


@requires(Perm.HC_VIEW)
def worklist(request):
    scopes = queries.scopes_for(request.user)
    chosen = request.GET.get("scope", "")
    scope = next((s for s in scopes if f"{s.kind}-{s.pk}" == chosen), scopes[0] if scopes else None)
    page = page_number(request)
    mine = request.GET.get("mine") == "1"
    rows, more, practices, practice = [], False, [], None
    if scope is not None:
        practices = list(queries.practices_in_scope(scope).order_by("name").only("pk", "name", "ods_code"))
        practice = next((p for p in practices if p.ods_code == request.GET.get("practice")), None)
        rows, more = queries.worklist(
            by=request.user, scope=scope, mine=mine, page=page, practice_id=practice.pk if practice else None
        )
    audit_list(
        by=request.user,
        what="health check worklist",
        person_ids=[r.person_id for r in rows],
        reason=f"Shown on the health check outreach worklist, page {page}",
        request=request,
    )
    from django.utils import timezone

    today = timezone.localdate()
    return render(
        request,
        "healthchecks/worklist.jinja",
        {
            "scopes": scopes,
            "scope": scope,
            "rows": [(r, priority(r, today)) for r in rows],
            "page": page,
            "more": more,
            "mine": mine,
            "practices": practices if len(practices) > 1 else [],
            "practice": practice,
        },
    )


class _UploadLimit(FileUploadHandler):
    """Drops an uploaded file over the size limit as it arrives, so it is never held in memory or on disk; the
    page then says the file is too large."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        self.too_large = False
        request.upload_too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # The whole request is far larger than any file allowed: skip the file without reading it into a file.
        self.too_large = (content_length or 0) > self.limit + 1_000_000

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.too_large:
            self.request.upload_too_large = True
            raise SkipFile()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.request.upload_too_large = True
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None


def _upload_limit() -> int:
    return settings.HEALTH_CHECK_REGISTER_UPLOAD_MAX_MB * 1024 * 1024


def _sha256(binary) -> str:
    binary.seek(0)
    digest = hashlib.sha256()
    while chunk := binary.read(1 << 20):
        digest.update(chunk)
    binary.seek(0)
    return digest.hexdigest()


@requires(Perm.HC_REGISTER_FILES)
@csrf_exempt  # checked by _upload, once the size limit is in place (it must be set before the form is read)
@reads_its_own_upload
def upload(request):
    request.upload_handlers.insert(0, _UploadLimit(request, _upload_limit()))
    return refuse_nul_in_form(request) or _upload(request)


@csrf_protect
def _upload(request):
    """Upload a register file. When more than HEALTH_CHECK_REGISTER_LEAVE_CONFIRM % of a practice's register would
    leave, nothing is imported: the page shows what the import would do and asks for the same file again to confirm
    (the file's SHA-256 is the confirmation, so a different file is checked afresh)."""
    posted = request.method == "POST"
    form = UploadForm(request.POST if posted else None, request.FILES or None)
    status = 200
    preview = request.session.get("register_preview")
    wanted = request.POST.get("confirm", "") if posted else request.GET.get("check", "")
    if not (preview and wanted and preview["sha256"].startswith(wanted)):
        preview = None
    if posted and getattr(request, "upload_too_large", False):
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error(
            "file",
            f"The file is larger than {settings.HEALTH_CHECK_REGISTER_UPLOAD_MAX_MB} MB: "
            "split it into one file for each practice",
        )
        status = 413
    elif posted and form.is_valid():
        f = form.cleaned_data["file"]
        binary = f.file if hasattr(f, "file") else f
        digest = _sha256(binary)
        confirmed = form.cleaned_data["confirm"] == digest
        outcome = import_register(
            binary,
            by=request.user,
            filename=f.name,
            practice_code=form.cleaned_data["practice"] or None,
            leave_limit=None if confirmed else settings.HEALTH_CHECK_REGISTER_LEAVE_CONFIRM,
        )
        if outcome.preview is not None:
            request.session["register_preview"] = {
                **outcome.preview,
                "sha256": digest,
                "filename": f.name[:255],
                "practice": form.cleaned_data["practice"],
            }
            return redirect(f"{reverse('healthchecks:upload')}?check={digest[:16]}")
        request.session.pop("register_preview", None)
        return redirect("healthchecks:import_result", outcome.import_id)
    elif not posted and preview:
        form = UploadForm(initial={"confirm": preview["sha256"], "practice": preview["practice"]})
    return render(
        request,
        "healthchecks/upload.jinja",
        {
            "form": form,
            "imports": queries.recent_imports(by=request.user),
            "preview": preview,
            "leave_share": settings.HEALTH_CHECK_REGISTER_LEAVE_CONFIRM,
            "max_bytes": _upload_limit(),
        },
        status=status,
    )


@requires(Perm.HC_REGISTER_FILES)
def import_result(request, import_id):
    record = queries.import_for(by=request.user, pk=import_id)
    return render(request, "healthchecks/import_result.jinja", {"record": record})


@person_page(Perm.HC_VIEW, "physical health checks")
def person(request, person):
    from django.utils import timezone

    entries = queries.entries_for(person=person)
    today = timezone.localdate()
    return render(
        request,
        "healthchecks/person.jinja",
        {
            "person": _banner(person),
            "entries": [(e, priority(e, today)) for e in entries],
            "claim": queries.open_claim_for(person=person),
            "ended_claims": queries.ended_claims_for(person=person),
            "contacts": queries.contacts_for(person=person),
            "bookings": queries.bookings_for(person=person),
            "checks": queries.checks_for(person=person),
            "follow_ups": queries.follow_ups_for(person=person),
            "plan": queries.plan_for(person=person),
            "may_outreach": may(request.user, Perm.HC_OUTREACH, person),
            "may_record": may(request.user, Perm.HC_RECORD_CHECK, person),
            "wider_labels": WIDER_ELEMENTS,
        },
    )


def _done(request, person, text):
    messages.success(request, text)
    return redirect("healthchecks:person", person.pk)


@person_page(Perm.HC_OUTREACH, "physical health checks (claim)")
def claim(request, person):
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("release"):
                services.claim_release(by=request.user, person=person)
                return _done(request, person, "You are no longer working with this person")
            services.claim(by=request.user, person=person)
            return _done(request, person, "You are now working with this person")
        except ValidationError as e:
            error = e.messages[0]
    return render(
        request,
        "healthchecks/claim.jinja",
        {"person": _banner(person), "claim": queries.open_claim_for(person=person), "error": error},
    )


@person_page(Perm.HC_OUTREACH, "physical health checks (contact attempt)")
def contact(request, person):
    form = ContactForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_record(by=request.user, person=person, **form.cleaned_data)
        except ValidationError as e:
            form.add_service_error(e)
        else:
            return _done(request, person, "Contact attempt recorded")
    return render(request, "healthchecks/contact.jinja", {"person": _banner(person), "form": form})


@person_page(Perm.HC_OUTREACH, "physical health checks (booking)")
def book(request, person):
    form = BookingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.booking_create(
                by=request.user, person=person, provider_kind=data["provider_kind"], at=data["at"], place=data["place"]
            )
        except ValidationError as e:
            form.add_service_error(e)
        else:
            return _done(request, person, "Health check booked and a reminder added to your tasks")
    return render(request, "healthchecks/book.jinja", {"person": _banner(person), "form": form})


@person_page(Perm.HC_OUTREACH, "physical health checks (missed appointment)")
def booking_missed(request, person, booking_id):
    booking = queries.booking_for(person=person, pk=booking_id)
    error = None
    if request.method == "POST":
        try:
            services.booking_missed(by=request.user, booking=booking)
        except ValidationError as e:
            error = e.messages[0]
        else:
            return _done(request, person, "Appointment marked as missed: the person is back on the worklist")
    return render(request, "healthchecks/missed.jinja", {"person": _banner(person), "booking": booking, "error": error})


@person_page(Perm.HC_RECORD_CHECK, "physical health checks (record a check)")
def record_check(request, person):
    booked = queries.open_bookings_for(person=person)
    form = CheckForm(request.POST if request.method == "POST" else None, bookings=booked)
    if request.method == "POST" and form.is_valid():
        done_on, wider, values = form.values()
        booking = values.pop("booking", None)
        try:
            check = services.check_record(
                by=request.user, person=person, done_on=done_on, booking=booking, wider=wider, **values
            )
        except ValidationError as e:
            form.add_service_error(e)
        else:
            n = check.follow_ups.count()
            text = "Health check recorded" + (f": {n} follow-up{'s' if n != 1 else ''} suggested" if n else "")
            return _done(request, person, text)
    return render(
        request, "healthchecks/check.jinja", {"person": _banner(person), "form": form, "not_coded": not_coded()}
    )


@person_page(Perm.HC_RECORD_CHECK, "physical health checks (follow-up)")
def follow_up(request, person, follow_up_id):
    item = queries.follow_up_for(person=person, pk=follow_up_id)
    form = FollowUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_close(by=request.user, follow_up=item, **form.cleaned_data)
        except ValidationError as e:
            form.add_service_error(e)
        else:
            return _done(request, person, "Follow-up updated")
    return render(request, "healthchecks/follow_up.jinja", {"person": _banner(person), "item": item, "form": form})


@person_page(Perm.HC_RECORD_CHECK, "physical health plan")
def plan(request, person):
    current = queries.plan_for(person=person)
    initial = (
        {
            "what_matters": current.what_matters,
            "goals": current.goals,
            "agreed": current.agreed_with_person,
            "version": current.version,
        }
        if current
        else {}
    )
    form = PlanForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_save(
                by=request.user,
                person=person,
                what_matters=data["what_matters"],
                goals=data["goals"],
                agreed=data["agreed"],
                expected_version=data["version"],
            )
        except services.StalePlan as e:
            form.add_error(None, str(e))
        except ValidationError as e:
            form.add_service_error(e)
        else:
            return _done(request, person, "Health plan saved")
    return render(
        request,
        "healthchecks/plan.jinja",
        {"person": _banner(person), "form": form, "version": current.version if current else ""},
    )


@requires(Perm.HC_REGISTER_FILES)
def updates(request):
    error = None
    if request.method == "POST" and request.POST.get("file"):
        f = queries.update_file_for(by=request.user, pk=request.POST["file"])
        step = request.POST.get("step", "")
        try:
            if step == "resend":
                services.update_file_resend(by=request.user, update_file=f)
                messages.success(request, "A new copy of the file is ready to send")
            else:
                services.update_file_mark(by=request.user, update_file=f, step=step)
                messages.success(request, f"File marked as {step}")
        except ValidationError as e:
            messages.error(request, e.messages[0])
        return redirect("healthchecks:updates")
    if request.method == "POST":
        from joinedup.directory.models import Practice

        practice_id = row_id(request.POST.get("practice"))
        practice = Practice.objects.filter(pk=practice_id).first() if practice_id else None
        if practice is None:
            raise Http404("No practice found")
        try:
            made = services.update_file_create(by=request.user, practice=practice)
        except NotAllowed:
            raise Http404("No practice found") from None
        except ValidationError as e:
            error = e.messages[0]
        else:
            messages.success(request, f"Register update for {practice.name} made: {made.rows} results")
            return redirect("healthchecks:updates")
    pending, files = queries.update_practices(by=request.user)
    not_coded_waiting, not_coded_in_files = queries.results_not_coded(by=request.user, files=files)
    return render(
        request,
        "healthchecks/updates.jinja",
        {
            "pending": pending,
            "files": files,
            "error": error,
            "not_coded_waiting": not_coded_waiting,
            "not_coded_in_files": not_coded_in_files,
        },
    )


@requires(Perm.HC_REGISTER_FILES)
def update_download(request, file_id):
    f = queries.update_file_for(by=request.user, pk=file_id)
    from joinedup.core.audit import AuditAction, audit_record

    audit_record(by=request.user, action=AuditAction.EXPORT, what="SMI register update file downloaded", obj=f)
    response = HttpResponse(f.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="smi-register-update-{f.practice.ods_code}-{f.pk}.csv"'
    return response


@requires(Perm.HC_COVERAGE)
def coverage(request):
    from django.conf import settings

    target = int(getattr(settings, "HEALTH_CHECK_COVERAGE_TARGET", 75))
    group = request.GET.get("by", "provider")
    if group not in ("provider", "pcn", "practice"):
        group = "provider"
    rows = queries.coverage(group=group)
    return render(request, "healthchecks/coverage.jinja", {"rows": rows, "group": group, "target": target})
