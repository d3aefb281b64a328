"""SMART Backend Services: a client proves who it is with a signed JWT and gets a short-lived bearer token.

The token endpoint follows RFC 7523 and SMART App Launch 2.x (client-confidential-asymmetric): the assertion
is signed with RS384 or ES384 by a key in the client's registered JWKS, names the client as `iss` and `sub` and
the token endpoint as `aud`, expires within five minutes, and its `jti` is never accepted twice.
"""

import datetime as dt
import hashlib

import jwt
from django.core.exceptions import ValidationError
from django.utils import timezone

from .models import AccessToken, SystemClient
from .responses import FhirError
from .scopes import parse_scopes

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = ("RS384", "ES384")
KEY_TYPE = {"RS384": "RSA", "ES384": "EC"}
MAX_ASSERTION_SECONDS = 300
CLOCK_LEEWAY_SECONDS = 30
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


class TokenRefused(Exception):
    """An OAuth 2.0 error (RFC 6749 section 5.2): `error` is the standard code, the message says why."""

    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def validate_jwks(jwks) -> dict:
    """A JSON Web Key Set of public RSA or P-384 keys, each with a `kid`."""
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list) or not jwks["keys"]:
        raise ValidationError({"jwks": 'The public keys must be a JSON Web Key Set: {"keys": [...]}'})
    for number, key in enumerate(jwks["keys"], start=1):
        if not isinstance(key, dict):
            raise ValidationError({"jwks": f"Key {number} is not a JSON object"})
        if PRIVATE_MEMBERS & key.keys():
            raise ValidationError({"jwks": f"Key {number} holds private or secret key material: register public keys"})
        if key.get("kty") not in ("RSA", "EC") or (key["kty"] == "EC" and key.get("crv") != "P-384"):
            raise ValidationError({"jwks": f"Key {number} must be an RSA key or an EC key on curve P-384"})
        if not isinstance(key.get("kid"), str) or not key["kid"]:
            raise ValidationError({"jwks": f"Key {number} needs a key id (kid)"})
        try:
            jwt.PyJWK.from_dict(key)
        except jwt.PyJWTError as e:
            raise ValidationError({"jwks": f"Key {number} could not be read: {e}"}) from None
    return jwks


def _signing_key(client: SystemClient, kid, alg: str):
    keys = [k for k in client.jwks.get("keys", []) if k.get("kty") == KEY_TYPE[alg]]
    if kid is not None:
        keys = [k for k in keys if k.get("kid") == kid]
    if len(keys) != 1:
        raise TokenRefused("invalid_client", "No registered key of this client matches the assertion's kid and alg")
    return jwt.PyJWK.from_dict(keys[0], algorithm=alg).key


def verify_assertion(*, assertion: str, audience: str) -> tuple[SystemClient, dict]:
    """The client whose registered key signed this assertion, and its claims; TokenRefused otherwise."""
    try:
        header = jwt.get_unverified_header(assertion)
        unverified = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise TokenRefused("invalid_client", "The client assertion is not a JSON Web Token") from None
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise TokenRefused("invalid_client", "The client assertion must be signed with RS384 or ES384")
    client_id = unverified.get("iss")
    client = (
        SystemClient.objects.select_related("user", "organisation").filter(client_id=client_id, active=True).first()
        if isinstance(client_id, str) and _plain(client_id, 64)
        else None
    )
    if client is None:
        raise TokenRefused("invalid_client", "The assertion's issuer is not a registered client", status=401)
    key = _signing_key(client, header.get("kid"), alg)
    try:
        claims = jwt.decode(
            assertion,
            key=key,
            algorithms=[alg],
            audience=audience,
            issuer=client.client_id,
            leeway=CLOCK_LEEWAY_SECONDS,
            options={"require": ["iss", "sub", "aud", "exp", "jti"]},
        )
    except jwt.ExpiredSignatureError:
        raise TokenRefused("invalid_client", "The client assertion has expired", status=401) from None
    except jwt.InvalidAudienceError:
        raise TokenRefused("invalid_client", f"The assertion's aud must be the token endpoint, {audience}") from None
    except jwt.MissingRequiredClaimError as e:
        raise TokenRefused("invalid_client", f"The client assertion has no {e.claim} claim") from None
    except jwt.PyJWTError:
        raise TokenRefused("invalid_client", "The client assertion's signature is not valid", status=401) from None
    if claims["sub"] != client.client_id:
        raise TokenRefused("invalid_client", "The assertion's sub must be the client id, the same as iss")
    latest = timezone.now() + dt.timedelta(seconds=MAX_ASSERTION_SECONDS + CLOCK_LEEWAY_SECONDS)
    if dt.datetime.fromtimestamp(claims["exp"], tz=dt.UTC) > latest:
        raise TokenRefused("invalid_client", "The client assertion must expire within five minutes")
    if not isinstance(claims["jti"], str) or not claims["jti"] or not _plain(claims["jti"], 255):
        raise TokenRefused("invalid_client", "The assertion's jti must be a string of up to 255 characters")
    return client, claims


def _plain(text: str, longest: int) -> bool:
    """Safe to look up: not too long, and no NUL, which PostgreSQL refuses in text."""
    return len(text) <= longest and "\x00" not in text


def client_for_bearer(request):
    """The client behind the request's bearer token and the scopes it holds; a 401 FhirError otherwise."""
    challenge = {"WWW-Authenticate": 'Bearer realm="fhir"'}
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise FhirError(401, "login", "An access token is needed: Authorization: Bearer <token>", headers=challenge)
    row = (
        AccessToken.objects.select_related("client__user")
        .filter(token_hash=token_hash(token.strip()), expires_at__gt=timezone.now(), client__active=True)
        .first()
    )
    if row is None or not row.client.user.is_active:
        raise FhirError(
            401,
            "login",
            "The access token is not valid or has expired",
            headers={"WWW-Authenticate": 'Bearer realm="fhir", error="invalid_token"'},
        )
    return row.client, parse_scopes(row.scopes)
