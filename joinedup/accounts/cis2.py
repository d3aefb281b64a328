"""NHS staff sign in through NHS Care Identity Service 2 (CIS2), through the one OpenID Connect relying party
(joinedup/core/oidc.py).

What is CIS2's own: the settings (CIS2_OIDC_*), `acr_values` on the authorize request, and what the checked ID token
must also hold: an authentication assurance level of at least CIS2_MIN_AAL (3: a smartcard or another strong
authenticator). The CIS2 user id (`uid`, or `sub` when absent) finds the one Joined Up account an administrator linked
to it; no account is ever made here. Anything else raises `Cis2Refused` with a reason for the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from joinedup.core.oidc import RelyingParty
from joinedup.core.oidc import SignInRefused as Cis2Refused

__all__ = ["Cis2Identity", "Cis2Refused", "begin", "configured", "finish", "provider"]

provider = RelyingParty(label="CIS2", prefix="CIS2_OIDC", key_id="joinedup-cis2")
configured = provider.configured
write_demo_client_key = provider.write_demo_client_key
client_public_jwks = provider.client_public_jwks


@dataclass(frozen=True)
class Cis2Identity:
    uid: str
    assurance_level: int
    name: str = ""


def begin(redirect_uri: str, *, login_hint: str = "") -> tuple[str, dict]:
    """The provider's authorize address, and what the session keeps until the member of staff comes back."""
    return provider.begin(redirect_uri, acr_values=settings.CIS2_ACR_VALUES, login_hint=login_hint)


def finish(params: dict, pending: dict | None, redirect_uri: str) -> Cis2Identity:
    claims = provider.finish(params, pending, redirect_uri)
    level = str(claims.get("authentication_assurance_level", ""))
    if not (level.isascii() and level.isdigit()) or int(level) < settings.CIS2_MIN_AAL:
        raise Cis2Refused(f"authentication assurance level {level or 'missing'}, below {settings.CIS2_MIN_AAL}")
    uid = str(claims.get("uid") or claims["sub"]).strip()
    if not uid or len(uid) > 64:
        raise Cis2Refused("the ID token has no usable CIS2 user id")
    name = " ".join(str(claims.get(k, "")) for k in ("given_name", "family_name")).strip()
    return Cis2Identity(uid=uid, assurance_level=int(level), name=name)
