"""The stand-in OpenID Connect provider: a small threaded HTTP server on 127.0.0.1.

Endpoints (all under the issuer URL, ``http://127.0.0.1:<port>``):

- ``/.well-known/openid-configuration``: the discovery document.
- ``/jwks``: the provider's public signing key.
- ``/authorize``: checks the request (client, redirect URI, ``response_type=code``, ``openid`` scope, PKCE S256),
  then shows a page to pick or enter an identity; with ``login_hint=<identity id>`` it signs that identity in at once
  (for tests and scripted demos).
- ``/token``: authorisation code grant only; the client authenticates with ``private_key_jwt`` (a JWT signed by a key
  in its registered JWKS, iss = sub = client id, aud = the token endpoint, unexpired, jti used once); the code is used
  once, within its lifetime, by the client and redirect URI it was issued to, with the PKCE verifier.
- ``/userinfo``: the identity's claims for a bearer access token.

The configuration is one or more JSON files, re-read when they change (so the demo can seed identities after the
provider started)::

    {"clients": [{"client_id": "...", "redirect_uris": ["..."], "profile": "nhslogin" | "cis2",
                  "jwks": {...} | "jwks_file": "path" | "jwks_uri": "http://127.0.0.1/..."}],
     "identities": [{"id": "login hint", "label": "shown on the page", "profile": "nhslogin" | "cis2",
                     "sub": "...", "claims": {...}}]}

An NHS login identity's claims include ``identity_proofing_level`` (P0, P5 or P9), ``nhs_number`` and
``birthdate``; a CIS2 identity's include ``uid`` and ``authentication_assurance_level``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import ipaddress
import json
import secrets
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ID_TOKEN_ALG = "RS512"  # noqa: S105 (an algorithm name)
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALGS = ["RS512", "RS384", "RS256", "PS512"]
CODE_SECONDS = 60
TOKEN_SECONDS = 300
PROOFING_ORDER = {"P0": 0, "P5": 1, "P9": 2}
# What NHS login gives when the client sends no vtr (its documented default is P9 with a second factor).
DEFAULT_VTR = ["P9.Cp.Cd", "P9.Cp.Ck", "P9.Cm"]
PROFILE_DEFAULTS = {
    "nhslogin": {"identity_proofing_level": "P9", "id_status": "verified", "token_use": "id"},
    "cis2": {"authentication_assurance_level": "3", "id_assurance_level": "3", "acr": "AAL3_ANY"},
}


def generate_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def private_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict:
    jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "use": "sig", "alg": ID_TOKEN_ALG}


def load_or_create_key(path: Path) -> rsa.RSAPrivateKey:
    """A key kept in a file (created the first time, readable by its owner only), so restarts keep it."""
    if path.exists():
        return serialization.load_pem_private_key(path.read_bytes(), password=None)
    key = generate_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_bytes(private_pem(key))
    return key


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode("ascii")


def parse_vtr(raw: str | None) -> list[str]:
    """NHS login's vtr is a JSON list of vectors such as "P9.Cp.Cd"; a bad one is refused by the caller."""
    if not raw:
        return list(DEFAULT_VTR)
    values = json.loads(raw)
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise ValueError("vtr must be a JSON list of strings")
    for value in values:
        level, *credentials = value.split(".")
        if level not in PROOFING_ORDER or not credentials:
            raise ValueError(f"vtr value not understood: {value}")
    return values


def vector_met(identity_level: str, identity_credentials: set[str], vector: str) -> bool:
    level, *credentials = vector.split(".")
    return PROOFING_ORDER.get(identity_level, -1) >= PROOFING_ORDER[level] and set(credentials) <= identity_credentials


def require_loopback(host: str) -> None:
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        raise ValueError("the stand-in provider listens on the loopback address only")


@dataclass
class ProviderConfig:
    """Clients and identities, merged from JSON files (re-read when a file changes) and from arguments."""

    files: list[Path] = field(default_factory=list)
    clients: dict[str, dict] = field(default_factory=dict)
    identities: dict[str, dict] = field(default_factory=dict)
    _mtimes: dict[Path, float] = field(default_factory=dict)
    _from_files: tuple[dict, dict] = field(default_factory=lambda: ({}, {}))

    def add_client(self, client_id: str, redirect_uris: list[str], *, jwks=None, jwks_file=None, profile="nhslogin"):
        self.clients[client_id] = {
            "client_id": client_id,
            "redirect_uris": list(redirect_uris),
            "jwks": jwks,
            "jwks_file": jwks_file,
            "profile": profile,
        }

    def add_identity(self, identity_id: str, claims: dict, *, profile="nhslogin", label=None, sub=None):
        self.identities[identity_id] = {
            "id": identity_id,
            "label": label or identity_id,
            "profile": profile,
            "sub": sub or identity_id,
            "claims": dict(claims),
        }

    def _reload(self) -> None:
        stamps = {path: (path.stat().st_mtime if path.exists() else 0.0) for path in self.files}
        if stamps == self._mtimes:
            return
        clients, identities = {}, {}
        for path in self.files:
            if not path.exists():
                continue
            data = json.loads(path.read_text())
            base = path.parent
            for client in data.get("clients", []):
                client = dict(client)
                if client.get("jwks_file"):
                    client["jwks_file"] = str((base / client["jwks_file"]).resolve())
                client.setdefault("profile", "nhslogin")
                clients[client["client_id"]] = client
            for identity in data.get("identities", []):
                identity = {"profile": "nhslogin", **identity}
                identity.setdefault("sub", identity["id"])
                identity.setdefault("label", identity["id"])
                identities[identity["id"]] = identity
        self._from_files = (clients, identities)
        self._mtimes = stamps

    def client(self, client_id: str) -> dict | None:
        self._reload()
        return self.clients.get(client_id) or self._from_files[0].get(client_id)

    def identity(self, identity_id: str) -> dict | None:
        self._reload()
        return self.identities.get(identity_id) or self._from_files[1].get(identity_id)

    def all_identities(self) -> list[dict]:
        self._reload()
        return list({**self._from_files[1], **self.identities}.values())


def client_jwks(client: dict) -> dict:
    if client.get("jwks"):
        return client["jwks"]
    if client.get("jwks_file"):
        return json.loads(Path(client["jwks_file"]).read_text())
    if client.get("jwks_uri"):
        require_loopback(urlsplit(client["jwks_uri"]).hostname or "")
        with urllib.request.urlopen(client["jwks_uri"], timeout=5) as response:  # noqa: S310 (loopback only)
            return json.loads(response.read())
    raise ValueError("client has no registered keys")


class OIDCError(Exception):
    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


class Provider:
    """The provider's state: signing key, codes, access tokens, used assertion ids; plus test hooks."""

    def __init__(self, config: ProviderConfig, *, key: rsa.RSAPrivateKey | None = None, issuer: str = ""):
        self.config = config
        self.key = key or generate_key()
        self.kid = hashlib.sha256(private_pem(self.key)).hexdigest()[:16]
        self.issuer = issuer
        self.codes: dict[str, dict] = {}
        self.access_tokens: dict[str, dict] = {}
        self.used_assertions: dict[str, float] = {}
        self.lock = threading.Lock()
        self.last_id_token: str | None = None
        # Test hook: the next ID token's claims are changed by this, or signed by another key, or the last one is
        # sent again (see tamper_next).
        self._tamper: dict | None = None
        self.events: list[dict] = []

    # ----- test hooks -------------------------------------------------------------------------------------------
    def tamper_next(self, *, claims: dict | None = None, drop: tuple = (), key=None, alg=None, replay=False):
        """Make the next ID token wrong on purpose: changed or missing claims, a foreign key, another algorithm,
        or the previous ID token sent again. For relying-party tests of what they refuse."""
        self._tamper = {"claims": claims or {}, "drop": drop, "key": key, "alg": alg, "replay": replay}

    # ----- documents --------------------------------------------------------------------------------------------
    def discovery(self) -> dict:
        i = self.issuer
        return {
            "issuer": i,
            "authorization_endpoint": f"{i}/authorize",
            "token_endpoint": f"{i}/token",
            "userinfo_endpoint": f"{i}/userinfo",
            "jwks_uri": f"{i}/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "scopes_supported": ["openid", "profile", "email", "phone", "profile_extended", "basic_demographics"],
            "id_token_signing_alg_values_supported": [ID_TOKEN_ALG],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGS,
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "nonce",
                "auth_time",
                "vot",
                "vtm",
                "identity_proofing_level",
                "nhs_number",
                "birthdate",
                "family_name",
                "given_name",
                "email",
                "phone_number",
                "uid",
                "authentication_assurance_level",
                "id_assurance_level",
                "acr",
                "name",
            ],  # fmt: skip
            "vtr_supported": ["P0.Cp", "P0.Cp.Cd", "P5.Cp.Cd", "P5.Cp.Ck", "P9.Cp.Cd", "P9.Cp.Ck", "P9.Cm"],
        }

    def jwks(self) -> dict:
        return {"keys": [public_jwk(self.key, self.kid)]}

    # ----- authorize --------------------------------------------------------------------------------------------
    def check_authorize(self, params: dict[str, str]) -> dict:
        """Checks that need no redirect (bad client or redirect URI: shown on our own page, never redirected)."""
        client = self.config.client(params.get("client_id", ""))
        if client is None:
            raise OIDCError("invalid_client", "Unknown client_id")
        if params.get("redirect_uri") not in client["redirect_uris"]:
            raise OIDCError("invalid_request", "redirect_uri is not registered for this client")
        return client

    def authorize_error(self, params: dict[str, str]) -> tuple[str, str] | None:
        """Errors sent back to the client's redirect URI."""
        if params.get("response_type") != "code":
            return "unsupported_response_type", "Only response_type=code is supported"
        if "openid" not in params.get("scope", "").split():
            return "invalid_scope", "The openid scope is required"
        if not params.get("code_challenge") or params.get("code_challenge_method") != "S256":
            return "invalid_request", "PKCE with code_challenge_method=S256 is required"
        if not params.get("state"):
            return "invalid_request", "state is required"
        if not params.get("nonce"):
            return "invalid_request", "nonce is required"
        try:
            parse_vtr(params.get("vtr"))
        except ValueError as error:
            return "invalid_request", str(error)
        return None

    def issue_code(self, params: dict[str, str], identity: dict) -> tuple[str, str] | str:
        """A code for the identity, or an (error, description) when it cannot meet the requested vtr."""
        vot = None
        if identity.get("profile", "nhslogin") == "nhslogin":
            claims = {**PROFILE_DEFAULTS["nhslogin"], **identity.get("claims", {})}
            credentials = set(identity.get("credentials", ["Cp", "Cd"]))
            met = [
                v for v in parse_vtr(params.get("vtr")) if vector_met(claims["identity_proofing_level"], credentials, v)
            ]
            if not met:
                return ("access_denied", "The user's identity proofing level does not meet the requested vtr")
            vot = met[0]
        code = secrets.token_urlsafe(32)
        with self.lock:
            self.codes[code] = {
                "client_id": params["client_id"],
                "redirect_uri": params["redirect_uri"],
                "code_challenge": params["code_challenge"],
                "nonce": params["nonce"],
                "identity": identity,
                "vot": vot,
                "scope": params.get("scope", ""),
                "expires": time.time() + CODE_SECONDS,
                "auth_time": int(time.time()),
            }
        return code

    # ----- token ------------------------------------------------------------------------------------------------
    def check_client_assertion(self, form: dict[str, str]) -> dict:
        if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get("client_assertion"):
            raise OIDCError("invalid_client", "private_key_jwt client authentication is required", 401)
        assertion = form["client_assertion"]
        try:
            unverified = jwt.decode(assertion, options={"verify_signature": False})
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError as error:
            raise OIDCError("invalid_client", f"client_assertion is not a JWT: {error}", 401) from error
        client_id = unverified.get("iss")
        client = self.config.client(client_id or "")
        if client is None or unverified.get("sub") != client_id:
            raise OIDCError("invalid_client", "client_assertion iss and sub must be a registered client_id", 401)
        if form.get("client_id") and form["client_id"] != client_id:
            raise OIDCError("invalid_client", "client_id does not match the client_assertion", 401)
        keys = client_jwks(client).get("keys", [])
        candidates = [k for k in keys if not header.get("kid") or k.get("kid") == header.get("kid")]
        for jwk in candidates:
            try:
                claims = jwt.decode(
                    assertion,
                    key=RSAAlgorithm.from_jwk(json.dumps(jwk)),
                    algorithms=ASSERTION_ALGS,
                    audience=f"{self.issuer}/token",
                    options={"require": ["iss", "sub", "aud", "exp", "jti"]},
                )
                break
            except jwt.InvalidSignatureError:
                continue
            except jwt.PyJWTError as error:
                raise OIDCError("invalid_client", f"client_assertion refused: {error}", 401) from error
        else:
            raise OIDCError("invalid_client", "client_assertion is not signed by a registered key", 401)
        with self.lock:
            now = time.time()
            self.used_assertions = {j: e for j, e in self.used_assertions.items() if e > now}
            if claims["jti"] in self.used_assertions:
                raise OIDCError("invalid_client", "client_assertion jti has been used before", 401)
            self.used_assertions[claims["jti"]] = float(claims["exp"])
        return client

    def token(self, form: dict[str, str]) -> dict:
        client = self.check_client_assertion(form)
        if form.get("grant_type") != "authorization_code":
            raise OIDCError("unsupported_grant_type", "Only authorization_code is supported")
        with self.lock:
            grant = self.codes.pop(form.get("code", ""), None)  # used once, whatever happens next
        if grant is None or grant["expires"] < time.time():
            raise OIDCError("invalid_grant", "The code is unknown, used or expired")
        if grant["client_id"] != client["client_id"] or grant["redirect_uri"] != form.get("redirect_uri"):
            raise OIDCError("invalid_grant", "The code was issued to another client or redirect_uri")
        verifier = form.get("code_verifier", "")
        if not (43 <= len(verifier) <= 128) or s256(verifier) != grant["code_challenge"]:
            raise OIDCError("invalid_grant", "PKCE code_verifier does not match the code_challenge")
        identity = grant["identity"]
        access_token = secrets.token_urlsafe(32)
        claims = self.identity_claims(identity, grant)
        with self.lock:
            self.access_tokens[access_token] = {"claims": claims, "expires": time.time() + TOKEN_SECONDS}
        id_token = self.id_token(client["client_id"], grant, claims)
        self.events.append({"event": "token", "client_id": client["client_id"], "sub": identity["sub"]})
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_SECONDS,
            "scope": grant["scope"],
            "id_token": id_token,
        }

    def identity_claims(self, identity: dict, grant: dict) -> dict:
        profile = identity.get("profile", "nhslogin")
        claims = {**PROFILE_DEFAULTS.get(profile, {}), **identity.get("claims", {}), "sub": identity["sub"]}
        if grant.get("vot"):
            claims["vot"] = grant["vot"]
            claims["vtm"] = f"{self.issuer}/trustmark/{urlsplit(self.issuer).netloc}"
        return claims

    def id_token(self, client_id: str, grant: dict, claims: dict) -> str:
        now = int(time.time())
        payload = {
            **claims,
            "iss": self.issuer,
            "aud": client_id,
            "iat": now,
            "exp": now + TOKEN_SECONDS,
            "auth_time": grant["auth_time"],
            "nonce": grant["nonce"],
            "jti": secrets.token_urlsafe(16),
        }
        tamper, self._tamper = self._tamper, None
        key, alg, headers = self.key, ID_TOKEN_ALG, {"kid": self.kid}
        if tamper:
            if tamper["replay"] and self.last_id_token:
                return self.last_id_token
            payload.update(tamper["claims"])
            for name in tamper["drop"]:
                payload.pop(name, None)
            key = tamper["key"] or key
            alg = tamper["alg"] or alg
        token = jwt.encode(payload, key, algorithm=alg, headers=headers)
        self.last_id_token = token
        return token

    def userinfo(self, authorization: str) -> dict:
        scheme, _, token = (authorization or "").partition(" ")
        with self.lock:
            grant = self.access_tokens.get(token) if scheme.lower() == "bearer" else None
        if grant is None or grant["expires"] < time.time():
            raise OIDCError("invalid_token", "The access token is unknown or expired", 401)
        return grant["claims"]


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Stand-in sign in</title>
<style>body{{font-family:Arial,sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem;line-height:1.5}}
button{{font-size:1rem;padding:.5rem 1rem;margin:.25rem 0}}label{{display:block;font-weight:bold}}
input{{font-size:1rem;padding:.25rem;width:100%;box-sizing:border-box}}</style></head><body><main>
<h1>Stand-in sign in</h1>
<p>This is the local stand-in for NHS login and NHS CIS2, for the demo and tests only. Choose who to sign in as.</p>
{error}
<form method="post" action="/authorize">{hidden}
<ul>{choices}</ul>
<label for="identity">Or type an identity id</label>
<input id="identity" name="identity" autocomplete="off">
<button type="submit">Sign in</button>
</form></main></body></html>"""


class Handler(BaseHTTPRequestHandler):
    server: ProviderHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002
        if self.server.verbose:
            super().log_message(format, *args)

    @property
    def provider(self) -> Provider:
        return self.server.provider

    def send(self, status: int, body: bytes, content_type: str, extra: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, status: int, data: dict):
        self.send(status, json.dumps(data).encode(), "application/json")

    def redirect(self, location: str):
        self.send(302, b"", "text/plain", {"Location": location})

    def read_form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        if length > 64 * 1024:
            raise OIDCError("invalid_request", "Request too large", 413)
        raw = self.rfile.read(length).decode("utf-8", "replace")
        return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}

    def do_GET(self):  # noqa: N802
        url = urlsplit(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        try:
            if url.path == "/.well-known/openid-configuration":
                return self.send_json(200, self.provider.discovery())
            if url.path == "/jwks":
                return self.send_json(200, self.provider.jwks())
            if url.path == "/authorize":
                return self.authorize(params, params.get("login_hint"))
            if url.path == "/userinfo":
                return self.send_json(200, self.provider.userinfo(self.headers.get("Authorization", "")))
            if url.path == "/health":
                return self.send_json(200, {"status": "ok"})
            return self.send_json(404, {"error": "not_found"})
        except OIDCError as error:
            return self.send_json(error.status, {"error": error.error, "error_description": error.description})

    def do_POST(self):  # noqa: N802
        url = urlsplit(self.path)
        try:
            form = self.read_form()
            if url.path == "/token":
                return self.send_json(200, self.provider.token(form))
            if url.path == "/authorize":
                return self.authorize(form, form.get("identity"))
            if url.path == "/userinfo":
                return self.send_json(200, self.provider.userinfo(self.headers.get("Authorization", "")))
            return self.send_json(404, {"error": "not_found"})
        except OIDCError as error:
            return self.send_json(error.status, {"error": error.error, "error_description": error.description})

    def authorize(self, params: dict[str, str], identity_id: str | None):
        self.provider.check_authorize(params)  # raises: shown here, never redirected to an unchecked URI
        back = params["redirect_uri"] + ("&" if "?" in params["redirect_uri"] else "?")
        problem = self.provider.authorize_error(params)
        if problem:
            return self.redirect(
                back
                + urlencode({"error": problem[0], "error_description": problem[1], "state": params.get("state", "")})
            )
        identity = self.provider.config.identity(identity_id) if identity_id else None
        if identity is None:
            return self.choose_page(params, "Unknown identity: choose one below." if identity_id else "")
        result = self.provider.issue_code(params, identity)
        if isinstance(result, tuple):
            return self.redirect(
                back + urlencode({"error": result[0], "error_description": result[1], "state": params["state"]})
            )
        return self.redirect(back + urlencode({"code": result, "state": params["state"]}))

    def choose_page(self, params: dict[str, str], error: str):
        client = self.provider.config.client(params["client_id"])
        keep = {k: v for k, v in params.items() if k not in {"identity", "login_hint"}}
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in keep.items()
        )
        choices = "".join(
            f'<li><button type="submit" name="identity" value="{html.escape(i["id"])}">'
            f"{html.escape(i['label'])}</button></li>"
            for i in self.provider.config.all_identities()
            if i.get("profile", "nhslogin") == client.get("profile", "nhslogin")
        )
        body = PAGE.format(
            error=f'<p role="alert">{html.escape(error)}</p>' if error else "", hidden=hidden, choices=choices
        )
        self.send(200, body.encode(), "text/html; charset=utf-8")


class ProviderHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, provider: Provider, host: str, port: int, verbose: bool = False):
        require_loopback(host)
        super().__init__((host, port), Handler)
        self.provider = provider
        self.verbose = verbose
        if not provider.issuer:
            provider.issuer = f"http://{host}:{self.server_address[1]}"


def serve(config: ProviderConfig, *, host="127.0.0.1", port=0, key=None, issuer="", verbose=False):
    """A started server (in a daemon thread); ``server.provider.issuer`` is its URL; ``server.shutdown()`` ends it."""
    server = ProviderHTTPServer(Provider(config, key=key, issuer=issuer), host, port, verbose)
    threading.Thread(target=server.serve_forever, name="oidc-standin", daemon=True).start()
    return server
