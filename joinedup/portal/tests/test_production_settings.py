"""Production reads NHS login from the environment and refuses the stand-in."""

import pytest

from joinedup.accounts.tests.test_sign_in import GOOD, _start_production

REAL = {
    "JOINEDUP_PORTAL_OIDC_ISSUER": "https://auth.login.nhs.uk",
    "JOINEDUP_PORTAL_OIDC_CLIENT_ID": "joinedup",
    "JOINEDUP_PORTAL_OIDC_PRIVATE_KEY_FILE": "/run/secrets/nhs-login.pem",
}


def test_production_starts_with_the_real_nhs_login():
    result = _start_production(**GOOD, **REAL)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "change",
    [
        {"JOINEDUP_PORTAL_OIDC_ISSUER": "http://127.0.0.1:9000"},
        {"JOINEDUP_PORTAL_OIDC_ISSUER": "https://localhost:9000"},
        {"JOINEDUP_PORTAL_OIDC_ISSUER": "http://auth.login.nhs.uk"},
        {"JOINEDUP_PORTAL_OIDC_CLIENT_ID": ""},
        {"JOINEDUP_PORTAL_OIDC_PRIVATE_KEY_FILE": ""},
    ],
)
def test_production_refuses_a_stand_in_or_incomplete_nhs_login(change):
    result = _start_production(**GOOD, **{**REAL, **change})
    assert result.returncode != 0
    assert "NHS login" in result.stderr or "JOINEDUP_PORTAL_OIDC" in result.stderr
