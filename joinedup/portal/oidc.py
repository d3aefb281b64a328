"""NHS login over OpenID Connect, through Authlib (the client: PKCE, private_key_jwt) and joserfc (the ID token).

The flow: `begin()` makes the state, nonce and PKCE verifier, kept in the person's own session, and the address of
NHS login's authorize page (asking for P9 through `vtr`). `finish()` takes the callback's parameters, checks the state,
exchanges the code at the token endpoint (the client proves itself with a JWT signed by its private key, RS512) and
checks the ID token: signed RS512 by a key from the provider's JWKS, the issuer, the audience (our client id), not
expired, issued now, the nonce ours and used once, proofing level P9. Anything else raises `SignInRefused` with a
reason for the audit trail; the person sees a plain page.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

ALGORITHM = "RS512"
LEEWAY_SECONDS = 60
HTTP_SECONDS = 10
PROOFING_NEEDED = "P9"


class SignInRefused(Exception):
    """Sign-in failed a check. `reason` goes to the audit trail; `kind` picks the page the person sees."""

    def __init__(self, reason: str, kind: str = "failed"):
        super().__init__(reason)
        self.reason, self.kind = reason, kind


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


def _private_key_pem() -> str:
    if settings.PORTAL_OIDC_PRIVATE_KEY:
        return settings.PORTAL_OIDC_PRIVATE_KEY
    path = Path(settings.PORTAL_OIDC_PRIVATE_KEY_FILE)
    if not path.exists():
        if settings.PRODUCTION:
            raise ImproperlyConfigured(f"NHS login client key not found: {path}")
        write_demo_client_key(path)
    return path.read_text()


def write_demo_client_key(path: Path) -> Path:
    """Demo and tests only: a client key made at run time into var/ (never committed), with its public JWKS beside
    it for the stand-in provider's client registration. Returns the JWKS file."""
    key = RSAKey.generate_key(2048, parameters={"kid": "portal-demo", "use": "sig", "alg": ALGORITHM}, private=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(key.as_pem(private=True).decode())
    return write_jwks(path)


def write_jwks(key_path: Path) -> Path:
    key = RSAKey.import_key(key_path.read_text(), parameters={"kid": "portal-demo", "use": "sig", "alg": ALGORITHM})
    jwks_path = key_path.with_suffix(".jwks.json")
    jwks_path.write_text(json.dumps({"keys": [key.as_dict(private=False)]}))
    return jwks_path


def client_public_jwks() -> dict:
    key = RSAKey.import_key(_private_key_pem(), parameters={"kid": "portal-demo", "use": "sig", "alg": ALGORITHM})
    return {"keys": [key.as_dict(private=False)]}


class _Provider:
    """NHS login's discovery document and signing keys, fetched once and kept (keys fetched again for a new kid)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._issuer = None
        self._doc = None
        self._keys = None

    def reset(self):
        with self._lock:
            self._issuer = self._doc = self._keys = None

    def document(self) -> dict:
        issuer = settings.PORTAL_OIDC_ISSUER
        with self._lock:
            if self._doc is None or self._issuer != issuer:
                response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=HTTP_SECONDS)
                response.raise_for_status()
                doc = response.json()
                if doc.get("issuer") != issuer:
                    raise SignInRefused("discovery document names another issuer")
                self._doc, self._issuer, self._keys = doc, issuer, None
            return self._doc

    def keys(self, kid: str | None) -> KeySet:
        doc = self.document()
        with self._lock:
            known = self._keys is not None and (kid is None or any(k.kid == kid for k in self._keys.keys))
            if not known:
                response = requests.get(doc["jwks_uri"], timeout=HTTP_SECONDS)
                response.raise_for_status()
                self._keys = KeySet.import_key_set(response.json())
            return self._keys


provider = _Provider()


def configured() -> bool:
    return bool(settings.PORTAL_OIDC_ISSUER and settings.PORTAL_OIDC_CLIENT_ID)


def _session(redirect_uri: str) -> OAuth2Session:
    doc = provider.document()
    return OAuth2Session(
        settings.PORTAL_OIDC_CLIENT_ID,
        _private_key_pem(),
        token_endpoint_auth_method=PrivateKeyJWT(doc["token_endpoint"], alg=ALGORITHM),
        redirect_uri=redirect_uri,
        scope="openid profile",
        code_challenge_method="S256",
    )


def begin(redirect_uri: str) -> tuple[str, dict]:
    """The authorize URL, and what the session must keep until the person comes back."""
    pending = {"state": secrets.token_urlsafe(32), "nonce": secrets.token_urlsafe(32), "verifier": generate_token(64)}
    url, _ = _session(redirect_uri).create_authorization_url(
        provider.document()["authorization_endpoint"],
        state=pending["state"],
        nonce=pending["nonce"],
        code_verifier=pending["verifier"],
        vtr=settings.PORTAL_OIDC_VTR,
    )
    return url, pending


def finish(params: dict, pending: dict | None, redirect_uri: str) -> Identity:
    """Check the callback and the ID token. `pending` is what begin() kept (already removed from the session, so a
    second use of the same callback finds nothing)."""
    if not pending:
        raise SignInRefused("no sign-in was started in this session (or it was already used)", "expired")
    if not params.get("state") or not secrets.compare_digest(str(params["state"]), pending["state"]):
        raise SignInRefused("state does not match the one sent")
    if params.get("error"):
        error = str(params["error"])[:60]
        kind = "proofing" if error == "access_denied" else "cancelled"
        raise SignInRefused(f"NHS login answered {error}: {str(params.get('error_description', ''))[:200]}", kind)
    if not params.get("code"):
        raise SignInRefused("no authorisation code")
    try:
        token = _session(redirect_uri).fetch_token(
            provider.document()["token_endpoint"],
            grant_type="authorization_code",
            code=params["code"],
            code_verifier=pending["verifier"],
            timeout=HTTP_SECONDS,
        )
    except Exception as error:  # noqa: BLE001 (any failure of the exchange is a refused sign-in)
        raise SignInRefused(f"token exchange failed: {str(error)[:200]}") from error
    if "id_token" not in token:
        raise SignInRefused("no ID token in the token response")
    return check_id_token(token["id_token"], nonce=pending["nonce"])


def check_id_token(id_token: str, *, nonce: str) -> Identity:
    try:
        header = json.loads(_b64(id_token.split(".")[0]))
    except (ValueError, IndexError) as error:
        raise SignInRefused("the ID token is not a JWT") from error
    if header.get("alg") != ALGORITHM:
        raise SignInRefused(f"the ID token is signed {header.get('alg')!r}, not {ALGORITHM}")
    try:
        token = jwt.decode(id_token, provider.keys(header.get("kid")), algorithms=[ALGORITHM])
    except (JoseError, ValueError) as error:
        raise SignInRefused(f"the ID token signature is not NHS login's: {error}") from error
    registry = jwt.JWTClaimsRegistry(
        now=int(time.time()),
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": settings.PORTAL_OIDC_ISSUER},
        aud={"essential": True, "value": settings.PORTAL_OIDC_CLIENT_ID},
        exp={"essential": True},
        iat={"essential": True},
        sub={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    claims = token.claims
    try:
        registry.validate(claims)
    except JoseError as error:
        raise SignInRefused(f"the ID token was refused: {error.error} {error.description or ''}".strip()) from error
    if int(claims["iat"]) > time.time() + LEEWAY_SECONDS:
        raise SignInRefused("the ID token was issued in the future")
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


def _b64(part: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
