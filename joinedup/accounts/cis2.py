"""NHS staff sign in through NHS Care Identity Service 2 (CIS2) over OpenID Connect.

Authlib is the client: the authorisation code flow with PKCE (S256), and `private_key_jwt` (the client proves itself
at the token endpoint with a JWT signed RS512 by its own private key). joserfc checks the ID token: signed RS512 by a
key from the provider's JWKS, our issuer, our client id as audience, unexpired, issued now, our nonce, and an
authentication assurance level of at least CIS2_MIN_AAL (3: a smartcard or another strong authenticator). The CIS2
user id (`uid`, or `sub` when absent) finds the one Joined Up account an administrator linked to it; no account is
ever made here. Anything else raises `Cis2Refused` with a reason for the audit trail.
"""

from __future__ import annotations

import base64
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
KEY_ID = "joinedup-cis2"


class Cis2Refused(Exception):
    """The sign-in failed a check: `reason` is for the audit trail, never shown in detail."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Cis2Identity:
    uid: str
    assurance_level: int
    name: str = ""


def _private_key_pem() -> str:
    if settings.CIS2_OIDC_PRIVATE_KEY:
        return settings.CIS2_OIDC_PRIVATE_KEY
    path = Path(settings.CIS2_OIDC_PRIVATE_KEY_FILE)
    if not path.exists():
        if settings.PRODUCTION:
            raise ImproperlyConfigured(f"The CIS2 client key is not at {path}")
        write_demo_client_key(path)
    return path.read_text()


def write_demo_client_key(path: Path) -> dict:
    """Demo and tests only: a client key made at run time into var/ (never committed). Returns its public JWKS."""
    key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": ALGORITHM}, private=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(key.as_pem(private=True).decode())
    return client_public_jwks()


def client_public_jwks() -> dict:
    """What the client registers with CIS2 (and the stand-in): its public key."""
    key = RSAKey.import_key(_private_key_pem(), parameters={"kid": KEY_ID, "use": "sig", "alg": ALGORITHM})
    return {"keys": [key.as_dict(private=False)]}


class _Provider:
    """The provider's discovery document and keys, fetched once (the keys again for an unknown key id)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._issuer = self._doc = self._keys = None

    def reset(self):
        with self._lock:
            self._issuer = self._doc = self._keys = None

    def document(self) -> dict:
        issuer = settings.CIS2_OIDC_ISSUER
        with self._lock:
            if self._doc is None or self._issuer != issuer:
                response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=HTTP_SECONDS)
                response.raise_for_status()
                doc = response.json()
                if doc.get("issuer") != issuer:
                    raise Cis2Refused("the discovery document names another issuer")
                self._doc, self._issuer, self._keys = doc, issuer, None
            return self._doc

    def keys(self, kid: str | None) -> KeySet:
        doc = self.document()
        with self._lock:
            if self._keys is None or (kid is not None and all(k.kid != kid for k in self._keys.keys)):
                response = requests.get(doc["jwks_uri"], timeout=HTTP_SECONDS)
                response.raise_for_status()
                self._keys = KeySet.import_key_set(response.json())
            return self._keys


provider = _Provider()


def configured() -> bool:
    return bool(settings.CIS2_OIDC_ISSUER and settings.CIS2_OIDC_CLIENT_ID)


def _client(redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        settings.CIS2_OIDC_CLIENT_ID,
        _private_key_pem(),
        token_endpoint_auth_method=PrivateKeyJWT(provider.document()["token_endpoint"], alg=ALGORITHM),
        redirect_uri=redirect_uri,
        scope="openid profile",
        code_challenge_method="S256",
    )


def begin(redirect_uri: str, *, login_hint: str = "") -> tuple[str, dict]:
    """The provider's authorize address, and what the session keeps until the member of staff comes back."""
    pending = {"state": secrets.token_urlsafe(32), "nonce": secrets.token_urlsafe(32), "verifier": generate_token(64)}
    extra = {"login_hint": login_hint} if login_hint else {}
    url, _ = _client(redirect_uri).create_authorization_url(
        provider.document()["authorization_endpoint"],
        state=pending["state"],
        nonce=pending["nonce"],
        code_verifier=pending["verifier"],
        acr_values=settings.CIS2_ACR_VALUES,
        **extra,
    )
    return url, pending


def finish(params: dict, pending: dict | None, redirect_uri: str) -> Cis2Identity:
    """Check the callback, exchange the code and check the ID token. `pending` has already left the session, so
    the same callback a second time finds nothing."""
    if not pending:
        raise Cis2Refused("no CIS2 sign-in was started in this session (or it was already used)")
    if not params.get("state") or not secrets.compare_digest(str(params["state"]), pending["state"]):
        raise Cis2Refused("state does not match the one sent")
    if params.get("error"):
        raise Cis2Refused(
            f"CIS2 answered {str(params['error'])[:60]}: {str(params.get('error_description', ''))[:200]}"
        )
    if not params.get("code"):
        raise Cis2Refused("no authorisation code")
    try:
        token = _client(redirect_uri).fetch_token(
            provider.document()["token_endpoint"],
            grant_type="authorization_code",
            code=params["code"],
            code_verifier=pending["verifier"],
            timeout=HTTP_SECONDS,
        )
    except Exception as error:  # noqa: BLE001 (any failure of the exchange is a refused sign-in)
        raise Cis2Refused(f"token exchange failed: {str(error)[:200]}") from error
    if "id_token" not in token:
        raise Cis2Refused("no ID token in the token response")
    return check_id_token(token["id_token"], nonce=pending["nonce"])


def check_id_token(id_token: str, *, nonce: str) -> Cis2Identity:
    try:
        part = id_token.split(".")[0]
        header = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, IndexError) as error:
        raise Cis2Refused("the ID token is not a JWT") from error
    if header.get("alg") != ALGORITHM:
        raise Cis2Refused(f"the ID token is signed {header.get('alg')!r}, not {ALGORITHM}")
    try:
        token = jwt.decode(id_token, provider.keys(header.get("kid")), algorithms=[ALGORITHM])
    except (JoseError, ValueError) as error:
        raise Cis2Refused(f"the ID token's signature is not the provider's: {error}") from error
    claims = token.claims
    registry = jwt.JWTClaimsRegistry(
        now=int(time.time()),
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": settings.CIS2_OIDC_ISSUER},
        aud={"essential": True, "value": settings.CIS2_OIDC_CLIENT_ID},
        exp={"essential": True},
        iat={"essential": True},
        sub={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except JoseError as error:
        raise Cis2Refused(f"the ID token was refused: {error.error} {error.description or ''}".strip()) from error
    if int(claims["iat"]) > time.time() + LEEWAY_SECONDS:
        raise Cis2Refused("the ID token was issued in the future")
    level = str(claims.get("authentication_assurance_level", ""))
    if not (level.isascii() and level.isdigit()) or int(level) < settings.CIS2_MIN_AAL:
        raise Cis2Refused(f"authentication assurance level {level or 'missing'}, below {settings.CIS2_MIN_AAL}")
    uid = str(claims.get("uid") or claims["sub"]).strip()
    if not uid or len(uid) > 64:
        raise Cis2Refused("the ID token has no usable CIS2 user id")
    name = " ".join(str(claims.get(k, "")) for k in ("given_name", "family_name")).strip()
    return Cis2Identity(uid=uid, assurance_level=int(level), name=name)
