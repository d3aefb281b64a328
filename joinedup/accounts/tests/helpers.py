"""Signing in as a browser does: through the pages, with the CSRF tokens they give (CSRF checks enforced)."""

import re

from django.test import Client
from django_otp.oath import totp

PASSWORD = "correct horse battery"  # every persona's, see the root conftest


def form_fields(page, marker):
    """The named inputs (with values) of the form on `page` whose markup holds `marker`, as a browser sends them."""
    forms = [f for f in re.findall(r"<form.*?</form>", page, re.S) if marker in f]
    assert forms, f"no form with {marker!r} on the page"
    return dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', forms[0]))


def submit(client, url, fields, marker='method="post"'):
    """Open `url`, fill in its form with `fields` (the page's hidden fields and CSRF token kept), send it."""
    page = client.get(url).content.decode()
    return client.post(url, form_fields(page, marker) | fields)


def sign_in_with_csrf(username, client=None):
    """A browser-like client (CSRF enforced) signed in with the password, through the sign-in page."""
    client = client or Client(enforce_csrf_checks=True)
    response = submit(client, "/account/sign-in/", {"username": username, "password": PASSWORD}, 'name="username"')
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def current_code(device):
    """The 6-digit code the authenticator app shows now."""
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows repeated guesses; a person would wait a second
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
