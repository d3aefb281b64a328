import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import CodeForm, SignInForm
from .middleware import before_second_factor, public


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
    return render(request, "accounts/sign_in.jinja", {"form": form, "next": _next_url(request)})


@public
def locked_out(request, credentials=None, *args, **kwargs):
    return render(request, "accounts/locked_out.jinja", status=429)


@before_second_factor
def second_factor(request):
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    setting_up = device is None
    if setting_up:
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first() or TOTPDevice.objects.create(
            user=request.user, name="Authenticator app", confirmed=False
        )
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        if setting_up:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
        otp_login(request, device)
        return redirect(_next_url(request))
    context = {"form": form, "setting_up": setting_up, "next": _next_url(request)}
    if setting_up:
        key = base64.b32encode(device.bin_key).decode()
        context["secret"] = " ".join(key[i : i + 4] for i in range(0, len(key), 4))
        image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
        buffer = io.BytesIO()
        image.save(buffer)
        context["qr_data_uri"] = "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
    return render(request, "accounts/second_factor.jinja", context)


@public
@require_POST
def sign_out(request):
    logout(request)
    return render(request, "accounts/signed_out.jinja")


def csrf_failure(request, reason=""):
    """A form sent without its security token (expired, or from another site): the NHS-styled 403 page."""
    return render(request, "errors/403.jinja", {"form_expired": True}, status=403)
