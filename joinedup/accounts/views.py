import base64
import io
import logging

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from joinedup.core.audit import AuditAction, audit_record
from joinedup.core.decorators import requires

from . import cis2
from .forms import CodeForm, EnrolmentCodeForm, IssueEnrolmentCodeForm, SignInForm
from .middleware import CIS2_SESSION_KEY, before_second_factor, public
from .models import EnrolmentCode, User
from .roles import Perm
from .services import enrolment_code_issue, second_factor_enrol, second_factor_start

log = logging.getLogger(__name__)


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


@public
def sign_in(request):
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.get_user())
        if settings.SKIP_SECOND_FACTOR:
            return redirect(_next_url(request))
        return redirect(f"{reverse('accounts:second_factor')}?next={_next_url(request)}")
    context = {"form": form, "next": _next_url(request), "cis2": cis2.configured()}
    return render(request, "accounts/sign_in.jinja", context)


CIS2_PENDING_KEY = "cis2_pending"


def _cis2_redirect_uri(request):
    return settings.CIS2_OIDC_REDIRECT_URI or request.build_absolute_uri(reverse("accounts:cis2_callback"))


def _cis2_refused(request, reason, *, page="accounts/cis2_refused.jinja", uid=""):
    audit_record(
        by=None,
        action=AuditAction.REFUSED,
        what="CIS2 sign-in",
        reason=f"Refused: {reason}" + (f" (CIS2 user id {uid})" if uid else ""),
        request=request,
    )
    return render(request, page, {"uid": uid}, status=403)


@public
@never_cache
def cis2_start(request):
    """Off to CIS2 (or the stand-in), with a new state, nonce and PKCE verifier kept in this session."""
    if not cis2.configured():
        return render(request, "accounts/cis2_refused.jinja", {"unavailable": True}, status=503)
    try:
        url, pending = cis2.begin(_cis2_redirect_uri(request), login_hint=request.GET.get("login_hint", "")[:100])
    except Exception:  # noqa: BLE001 (the provider cannot be reached: say so, do not crash)
        log.exception("CIS2 could not be reached")
        messages.warning(request, "NHS CIS2 cannot be reached just now. Try again in a few minutes.")
        return redirect("accounts:sign_in")
    request.session[CIS2_PENDING_KEY] = pending | {"next": _next_url(request)}
    return redirect(url)


@public
@never_cache
def cis2_callback(request):
    pending = request.session.pop(CIS2_PENDING_KEY, None)
    if pending is None and not request.GET:
        return redirect("accounts:sign_in")  # opened on its own (a bookmark): nothing to finish
    try:
        identity = cis2.finish(request.GET.dict(), pending, _cis2_redirect_uri(request))
    except cis2.Cis2Refused as refused:
        return _cis2_refused(request, refused.reason)
    user = User.objects.filter(cis2_uid=identity.uid).first()
    if user is None or not user.is_active:
        # No account is ever made here: an administrator links a CIS2 user id to a Joined Up account.
        why = "no Joined Up account has this CIS2 user id" if user is None else "the account has ended"
        return _cis2_refused(request, why, page="accounts/cis2_no_account.jinja", uid=identity.uid)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[CIS2_SESSION_KEY] = True
    audit_record(
        by=user,
        action=AuditAction.VIEW,
        what="CIS2 sign-in",
        obj=user,
        reason=f"Signed in with NHS CIS2 at authentication assurance level {identity.assurance_level}",
        request=request,
    )
    target = (pending or {}).get("next") or settings.LOGIN_REDIRECT_URL
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = settings.LOGIN_REDIRECT_URL
    return redirect(target)


@public
def locked_out(request, credentials=None, *args, **kwargs):
    return render(request, "accounts/locked_out.jinja", status=429)


ENROLMENT_SESSION_KEY = "enrolment_code_id"


@before_second_factor
def second_factor(request):
    """The security code from the authenticator app; or, with none set up yet, setting one up (which needs the
    one-time set-up code an administrator issued: the password alone never lets anyone add an app)."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return _set_up_second_factor(request)
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        otp_login(request, device)
        return redirect(_next_url(request))
    return render(request, "accounts/second_factor.jinja", {"form": form, "stage": "code", "next": _next_url(request)})


def _set_up_second_factor(request):
    user = request.user
    code_id = request.session.get(ENROLMENT_SESSION_KEY)
    code = EnrolmentCode.objects.filter(pk=code_id, user=user).first() if code_id else None
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if code is None or not code.is_live() or device is None:
        # First step: the set-up code from the administrator.
        request.session.pop(ENROLMENT_SESSION_KEY, None)
        # Bound only when this step's form was sent (not when a code lapsed while the app was being set up).
        form = EnrolmentCodeForm(request.POST if "enrolment_code" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                _, code = second_factor_start(user=user, code=form.cleaned_data["enrolment_code"])
            except ValidationError as error:
                form.add_service_error(error)
            else:
                request.session[ENROLMENT_SESSION_KEY] = code.pk
                return redirect(f"{reverse('accounts:second_factor')}?next={_next_url(request)}")
        context = {"form": form, "stage": "enrolment_code", "next": _next_url(request)}
        return render(request, "accounts/second_factor.jinja", context)

    # Second step: scan the new key, and prove it with the app's first security code.
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        try:
            second_factor_enrol(user=user, enrolment_code_id=code.pk, device=device, request=request)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            otp_login(request, device)
            return redirect(_next_url(request))
    key = base64.b32encode(device.bin_key).decode()
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    context = {
        "form": form,
        "stage": "set_up",
        "next": _next_url(request),
        "secret": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
        "qr_data_uri": "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode(),
    }
    response = render(request, "accounts/second_factor.jinja", context)
    add_never_cache_headers(response)
    return response


@requires(Perm.MANAGE_USERS)
@never_cache
def enrolment_codes(request):
    """An administrator issues a member of staff a one-time code to set up their authenticator app."""
    form = IssueEnrolmentCodeForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        staff = form.cleaned_data["user"]
        try:
            code, row = enrolment_code_issue(
                by=request.user, user=staff, replace_device=form.cleaned_data["replace_device"], request=request
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            issued = {"code": code, "user": staff, "expires_at": row.expires_at}
            form = IssueEnrolmentCodeForm()
    return render(request, "accounts/enrolment_codes.jinja", {"form": form, "issued": issued})


@public
@require_POST
def sign_out(request):
    logout(request)
    return render(request, "accounts/signed_out.jinja")


def csrf_failure(request, reason=""):
    """A form sent without its security token (expired, or from another site): the NHS-styled 403 page."""
    return render(request, "errors/403.jinja", {"form_expired": True}, status=403)
