"""Sign-in, lockout, the second factor, idle sessions and the security settings."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from .helpers import form_fields, sign_in_with_csrf

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def test_pages_need_sign_in(client):
    response = client.get("/people/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/?next=/people/")


def test_health_check_is_open(client):
    assert client.get("/health").status_code == 200


def test_sign_in_with_the_right_password(client, personas):
    response = client.post("/account/sign-in/", {"username": "test.mhp", "password": PASSWORD, "next": "/people/"})
    assert response.status_code == 302
    assert response["Location"] == "/people/"


def test_wrong_password_gives_an_error_summary(client, personas):
    response = client.post("/account/sign-in/", {"username": "test.mhp", "password": "wrong"})
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter a correct user name and password" in page


def test_sign_in_does_not_redirect_to_another_site(client, personas):
    response = client.post(
        "/account/sign-in/", {"username": "test.mhp", "password": PASSWORD, "next": "https://evil.example.com/"}
    )
    assert response["Location"] == "/"


def test_account_locks_after_repeated_failures(client, personas):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/account/sign-in/", {"username": "test.mhp", "password": "wrong"})
    response = client.post("/account/sign-in/", {"username": "test.mhp", "password": PASSWORD})
    assert response.status_code == 429
    assert "Your account is locked" in response.content.decode()


def test_sessions_end_after_idle_time():
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert 0 < settings.SESSION_COOKIE_AGE <= 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY


def test_security_headers(client, personas):
    client.force_login(personas.mhp)
    response = client.get("/people/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_sign_out_from_the_header_ends_the_session_with_csrf_checked(personas):
    client = sign_in_with_csrf("test.mhp")
    page = client.get("/people/").content.decode()
    response = client.post("/account/sign-out/", form_fields(page, 'action="/account/sign-out/"'))
    assert response.status_code == 200
    assert "You have signed out" in response.content.decode()
    assert client.get("/people/").status_code == 302


def test_sign_out_without_the_csrf_token_is_refused_on_an_nhs_page(personas):
    client = sign_in_with_csrf("test.mhp")
    response = client.post("/account/sign-out/")
    assert response.status_code == 403
    assert "nhsuk-header" in response.content.decode()
    assert "The form you sent had expired" in response.content.decode()
    assert client.get("/people/").status_code == 200  # still signed in


def _start_production(**env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "JOINEDUP_"))}
    base.update({"JOINEDUP_ENVIRONMENT": "production", "DJANGO_SETTINGS_MODULE": "joinedup.config.settings"})
    base.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.SECURE_HSTS_SECONDS, settings.SESSION_COOKIE_SECURE)",
        ],
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


GOOD = {
    "DJANGO_SECRET_KEY": "k3J9-q8Zr!x2Lw7@Vb5Nc1Hm6Tg4Pd0Ys8Fa3Ue9Io2Qk7Rj5Wl1Zx6Cv4Bn8Mh0",
    "DJANGO_ALLOWED_HOSTS": "joinedup.example.nhs.uk",
    "DATABASE_URL": "postgres://joinedup@db.example.nhs.uk:5432/joinedup",
}


def test_production_starts_with_safe_settings_and_sends_hsts_and_secure_cookies():
    result = _start_production(**GOOD)
    assert result.returncode == 0, result.stderr
    hsts, secure = result.stdout.split()
    assert int(hsts) > 0 and secure == "True"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_DEBUG": "true"}, "DJANGO_DEBUG must be off"),
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY must be set"),
        ({"DJANGO_SECRET_KEY": "django-insecure-" + "x" * 60}, "DJANGO_SECRET_KEY must be set"),
        ({"DJANGO_SECRET_KEY": "x" * 64}, "DJANGO_SECRET_KEY must be set"),
        ({"DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS must list"),
        ({"DJANGO_ALLOWED_HOSTS": "*"}, "DJANGO_ALLOWED_HOSTS must list"),
        ({"DJANGO_ALLOWED_HOSTS": "joinedup.example.nhs.uk,*"}, "DJANGO_ALLOWED_HOSTS must list"),
        ({"DATABASE_URL": ""}, "DATABASE_URL must be set"),
        ({"JOINEDUP_SKIP_SECOND_FACTOR": "true"}, "cannot be used in production"),
    ],
)
def test_production_refuses_unsafe_settings(env, message):
    result = _start_production(**(GOOD | env))
    assert result.returncode != 0
    assert message in result.stderr
