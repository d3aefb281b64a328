"""NHS login for the person's own Joined Up, through the one OpenID Connect relying party (joinedup/core/oidc.py).

What is NHS login's own: the settings (PORTAL_OIDC_*), asking for proofing level P9 through `vtr`, and what the
checked ID token must also hold: identity proven to P9 (`identity_proofing_level` and `vot`), an NHS number and a date
of birth, which find the person's record (portal/services.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from joinedup.core.oidc import RelyingParty, SignInRefused

__all__ = ["Identity", "SignInRefused", "begin", "configured", "finish", "provider"]

PROOFING_NEEDED = "P9"

provider = RelyingParty(label="NHS login", prefix="PORTAL_OIDC", key_id="portal-demo")
configured = provider.configured
write_demo_client_key = provider.write_demo_client_key
write_jwks = provider.write_jwks


@dataclass(frozen=True)
class Identity:
    sub: str
    nhs_number: str
    birthdate: str
    proofing_level: str
    jti: str
    expires: int
    given_name: str = ""
    family_name: str = ""


def begin(redirect_uri: str) -> tuple[str, dict]:
    """The authorize URL (asking for P9), and what the session must keep until the person comes back."""
    return provider.begin(redirect_uri, vtr=settings.PORTAL_OIDC_VTR)


def finish(params: dict, pending: dict | None, redirect_uri: str) -> Identity:
    claims = provider.finish(params, pending, redirect_uri)  # refuses a missing `pending` first
    return identity_from(claims, nonce=pending["nonce"])


def identity_from(claims: dict, *, nonce: str) -> Identity:
    level = str(claims.get("identity_proofing_level", ""))
    vot = str(claims.get("vot", ""))
    if level != PROOFING_NEEDED or not vot.startswith(PROOFING_NEEDED + "."):
        raise SignInRefused(f"identity proven to {level or 'no level'} ({vot or 'no vot'}), not P9", "proofing")
    if not claims.get("nhs_number") or not claims.get("birthdate"):
        raise SignInRefused("the ID token has no NHS number or date of birth", "no_record")
    return Identity(
        sub=str(claims["sub"]),
        nhs_number=str(claims["nhs_number"]).replace(" ", ""),
        birthdate=str(claims["birthdate"]),
        proofing_level=level,
        jti=str(claims.get("jti") or f"{claims['sub']}:{claims['iat']}:{nonce}"),
        expires=int(claims["exp"]),
        given_name=str(claims.get("given_name", "")),
        family_name=str(claims.get("family_name", "")),
    )
