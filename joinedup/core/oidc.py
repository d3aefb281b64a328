"""One OpenID Connect relying party, used for both sign-ins: NHS login for people (joinedup/portal/oidc.py) and NHS
CIS2 for staff (joinedup/accounts/cis2.py). Each of those says only what is its own: its settings, the extra
authorize parameters (NHS login's `vtr`, CIS2's `acr_values`) and what the checked claims must also hold.

Authlib is the client: the authorisation code flow with PKCE (S256), and `private_key_jwt` (the client proves itself
at the token endpoint with a JWT signed RS512 by its own private key). joserfc checks the ID token: signed RS512 by a
key from the provider's JWKS, the issuer, our client id as audience, unexpired, issued now, and our nonce. Any failure
raises `SignInRefused` with a reason for the audit trail; the user sees a plain page.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
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


class SignInRefused(Exception):
    """Sign-in failed a check. `reason` goes to the audit trail; `kind` picks the page the user sees."""

    def __init__(self, reason: str, kind: str = "failed"):
        super().__init__(reason)
        self.reason, self.kind = reason, kind


class RelyingParty:
    """A client of one OpenID Connect provider, configured by the settings `<prefix>_ISSUER`, `<prefix>_CLIENT_ID`,
    `<prefix>_PRIVATE_KEY` (PEM) or `<prefix>_PRIVATE_KEY_FILE`. The provider's discovery document and signing keys
    are fetched once and kept (the keys again for an unknown key id)."""

    def __init__(self, *, label: str, prefix: str, key_id: str):
        self.label, self.prefix, self.key_id = label, prefix, key_id
        self._lock = threading.Lock()
        self._issuer = self._doc = self._keys = None

    def _setting(self, name: str):
        return getattr(settings, f"{self.prefix}_{name}")

    @property
    def issuer(self) -> str:
        return self._setting("ISSUER")

    @property
    def client_id(self) -> str:
        return self._setting("CLIENT_ID")

    def configured(self) -> bool:
        return bool(self.issuer and self.client_id)

    def reset(self):
        with self._lock:
            self._issuer = self._doc = self._keys = None

    # The client's own key

    def private_key_pem(self) -> str:
        if self._setting("PRIVATE_KEY"):
            return self._setting("PRIVATE_KEY")
        path = Path(self._setting("PRIVATE_KEY_FILE"))
        if not path.exists():
            if settings.PRODUCTION:
                raise ImproperlyConfigured(f"The {self.label} client key is not at {path}")
            self.write_demo_client_key(path)
        return path.read_text()

    def _key(self, pem: str | None = None) -> RSAKey:
        return RSAKey.import_key(
            pem or self.private_key_pem(), parameters={"kid": self.key_id, "use": "sig", "alg": ALGORITHM}
        )

    def write_demo_client_key(self, path: Path) -> Path:
        """Demo and tests only: a client key made at run time into var/ (never committed), with its public JWKS
        beside it for the stand-in provider's client registration. Returns the JWKS file."""
        key = RSAKey.generate_key(2048, parameters={"kid": self.key_id, "use": "sig", "alg": ALGORITHM}, private=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(key.as_pem(private=True).decode())
        return self.write_jwks(path)

    def write_jwks(self, key_path: Path) -> Path:
        jwks_path = key_path.with_suffix(".jwks.json")
        jwks_path.write_text(json.dumps({"keys": [self._key(key_path.read_text()).as_dict(private=False)]}))
        return jwks_path

    def client_public_jwks(self) -> dict:
        """What the client registers with the provider (and the stand-in): its public key."""
        return {"keys": [self._key().as_dict(private=False)]}

    # The provider

    def document(self) -> dict:
        issuer = self.issuer
        with self._lock:
            if self._doc is None or self._issuer != issuer:
                response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=HTTP_SECONDS)
                response.raise_for_status()
                doc = response.json()
                if doc.get("issuer") != issuer:
                    raise SignInRefused("the discovery document names another issuer")
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

    # The flow

    def _session(self, redirect_uri: str) -> OAuth2Session:
        return OAuth2Session(
            self.client_id,
            self.private_key_pem(),
            token_endpoint_auth_method=PrivateKeyJWT(self.document()["token_endpoint"], alg=ALGORITHM),
            redirect_uri=redirect_uri,
            scope="openid profile",
            code_challenge_method="S256",
        )

    def begin(self, redirect_uri: str, **authorize_params) -> tuple[str, dict]:
        """The provider's authorize address, and what the session keeps until the user comes back."""
        pending = {
            "state": secrets.token_urlsafe(32),
            "nonce": secrets.token_urlsafe(32),
            "verifier": generate_token(64),
        }
        url, _ = self._session(redirect_uri).create_authorization_url(
            self.document()["authorization_endpoint"],
            state=pending["state"],
            nonce=pending["nonce"],
            code_verifier=pending["verifier"],
            **{name: value for name, value in authorize_params.items() if value},
        )
        return url, pending

    def finish(self, params: dict, pending: dict | None, redirect_uri: str) -> dict:
        """Check the callback, exchange the code and check the ID token; its claims. `pending` is what begin()
        kept, already removed from the session, so the same callback a second time finds nothing."""
        if not pending:
            raise SignInRefused(
                f"no {self.label} sign-in was started in this session (or it was already used)", "expired"
            )
        if not params.get("state") or not secrets.compare_digest(str(params["state"]), pending["state"]):
            raise SignInRefused("state does not match the one sent")
        if params.get("error"):
            error = str(params["error"])[:60]
            kind = "proofing" if error == "access_denied" else "cancelled"
            raise SignInRefused(
                f"{self.label} answered {error}: {str(params.get('error_description', ''))[:200]}", kind
            )
        if not params.get("code"):
            raise SignInRefused("no authorisation code")
        try:
            token = self._session(redirect_uri).fetch_token(
                self.document()["token_endpoint"],
                grant_type="authorization_code",
                code=params["code"],
                code_verifier=pending["verifier"],
                timeout=HTTP_SECONDS,
            )
        except Exception as error:  # noqa: BLE001 (any failure of the exchange is a refused sign-in)
            raise SignInRefused(f"token exchange failed: {str(error)[:200]}") from error
        if "id_token" not in token:
            raise SignInRefused("no ID token in the token response")
        return self.check_id_token(token["id_token"], nonce=pending["nonce"])

    def check_id_token(self, id_token: str, *, nonce: str) -> dict:
        """The ID token's claims, once its signature, issuer, audience, times and nonce are checked."""
        try:
            part = id_token.split(".")[0]
            header = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
        except (ValueError, IndexError) as error:
            raise SignInRefused("the ID token is not a JWT") from error
        if header.get("alg") != ALGORITHM:
            raise SignInRefused(f"the ID token is signed {header.get('alg')!r}, not {ALGORITHM}")
        try:
            token = jwt.decode(id_token, self.keys(header.get("kid")), algorithms=[ALGORITHM])
        except (JoseError, ValueError) as error:
            raise SignInRefused(f"the ID token's signature is not {self.label}'s: {error}") from error
        claims = token.claims
        registry = jwt.JWTClaimsRegistry(
            now=int(time.time()),
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.client_id},
            exp={"essential": True},
            iat={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(claims)
        except JoseError as error:
            raise SignInRefused(f"the ID token was refused: {error.error} {error.description or ''}".strip()) from error
        if int(claims["iat"]) > time.time() + LEEWAY_SECONDS:
            raise SignInRefused("the ID token was issued in the future")
        return claims
