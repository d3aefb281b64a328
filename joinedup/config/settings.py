"""The one settings module. Everything that differs between machines comes from the environment.

JOINEDUP_ENVIRONMENT is one of "production" (the default, so that a forgotten variable fails closed),
"demo" or "test". Production refuses to start with DEBUG on, a missing or weak secret key, no allowed hosts
(or a wildcard), no DATABASE_URL, or the second factor switched off.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("JOINEDUP_VAR_DIR", BASE_DIR / "var"))

ENVIRONMENT = os.environ.get("JOINEDUP_ENVIRONMENT", "production")
if ENVIRONMENT not in {"production", "demo", "test"}:
    raise ImproperlyConfigured("JOINEDUP_ENVIRONMENT must be production, demo or test")
PRODUCTION = ENVIRONMENT == "production"


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


# Off everywhere unless asked for: the demo shows the real NHS-styled error pages, never Django's debug page.
DEBUG = _flag("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h]
# Demo and test only: sign in with a password alone. Production refuses it (below).
SKIP_SECOND_FACTOR = _flag("JOINEDUP_SKIP_SECOND_FACTOR", ENVIRONMENT in {"demo", "test"})

DATABASE_URL = os.environ.get("DATABASE_URL", "")

if PRODUCTION:
    problems = []
    if DEBUG:
        problems.append("DJANGO_DEBUG must be off")
    # Django's own deployment check asks for 50+ characters, at least 5 of them different.
    if (
        len(SECRET_KEY) < 50
        or len(set(SECRET_KEY)) < 5
        or SECRET_KEY.startswith("django-insecure")
        or "not-a-secret" in SECRET_KEY
    ):
        problems.append("DJANGO_SECRET_KEY must be set to a long random value")
    if not ALLOWED_HOSTS or any("*" in host for host in ALLOWED_HOSTS):
        problems.append("DJANGO_ALLOWED_HOSTS must list the host names served (no wildcard *)")
    if not DATABASE_URL:
        problems.append("DATABASE_URL must be set (production never falls back to the demo's SQLite file)")
    if SKIP_SECOND_FACTOR:
        problems.append("JOINEDUP_SKIP_SECOND_FACTOR cannot be used in production")
    if problems:
        raise ImproperlyConfigured("Production settings refused: " + "; ".join(problems))
else:
    SECRET_KEY = SECRET_KEY or "demo-only-not-a-secret-" + ENVIRONMENT
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    "joinedup.core",
    "joinedup.nhsuk_forms",
    "joinedup.accounts",
    "joinedup.directory",
    "joinedup.people",
    "joinedup.care",
    "joinedup.referrals",
    "joinedup.meetings",
    "joinedup.primarycare",
    "joinedup.peersupport",
    "joinedup.reporting",
    "joinedup.portal",
    "joinedup.healthchecks",
    "joinedup.fhir",
    "joinedup.inbox",
    "joinedup.staff",
    "joinedup.ops",
    "joinedup.messaging",
]
if not PRODUCTION:
    INSTALLED_APPS.append("joinedup.demo")

MIDDLEWARE = [
    # First, so that every answer (static files and refusals too) carries a request id and is counted.
    "joinedup.ops.middleware.RequestIdAndMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "joinedup.core.middleware.RefuseNulCharactersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "joinedup.accounts.middleware.SignInRequiredMiddleware",
    "joinedup.accounts.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last: the chosen pages' views read from the read replica when one is configured.
    "joinedup.ops.replica.ReplicaPagesMiddleware",
]

ROOT_URLCONF = "joinedup.config.urls"
WSGI_APPLICATION = "joinedup.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "joinedup" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "joinedup.config.jinja2.environment"},
    },
    {
        # Django's own templates (form widgets' fallbacks, error pages of third-party apps).
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{VAR_DIR / 'joinedup.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo's readers and one writer work side by side; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# Read replica (joinedup/ops/replica.py, docs/operations.md): reports, their exports, search and the audit search
# read from it (GET only, route names below); everything else, and every write, uses the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests have no replica of their own
DATABASE_ROUTERS = ["joinedup.ops.replica.ReplicaRouter"]
REPLICA_READ_VIEWS = [
    v.strip()
    for v in os.environ.get(
        "JOINEDUP_REPLICA_READ_VIEWS", "reporting:*,people:search,governance:audit,governance:audit_*"
    ).split(",")
    if v.strip()
]
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("JOINEDUP_REPLICA_MAX_LAG_SECONDS", "10"))
REPLICA_CHECK_SECONDS = float(os.environ.get("JOINEDUP_REPLICA_CHECK_SECONDS", "5"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
if ENVIRONMENT == "test":
    # Argon2 is deliberately slow; tests create many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "home"

# Lockout after repeated failures, per user name and address.
AXES_FAILURE_LIMIT = int(os.environ.get("JOINEDUP_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "joinedup.accounts.views.locked_out"
AXES_VERBOSE = False

# Sessions end after idle time: the cookie is renewed on every request and lapses after this many seconds.
SESSION_COOKIE_AGE = int(os.environ.get("JOINEDUP_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "joinedup.accounts.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = PRODUCTION
SECURE_HSTS_SECONDS = 63072000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_SSL_REDIRECT = _flag("DJANGO_SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None

# Content Security Policy: nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "JOINEDUP_TASK_BACKEND",
            "django_tasks_db.DatabaseBackend" if PRODUCTION else "django_tasks.backends.immediate.ImmediateBackend",
        )
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("JOINEDUP_STATIC_ROOT", VAR_DIR / "static"))
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "joinedup" / "static"]
# Production: collectstatic writes hashed, compressed copies. The demo (DEBUG off, like production) serves the
# source folders through WhiteNoise's finders, so `runserver` needs no collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
# Source maps are fetched only by developer tools: not worth compressing at every deploy.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Local service rules a clinical safety officer may review and change without a code change.
PRIMARY_CARE_SESSION_LIMIT = int(os.environ.get("JOINEDUP_PRIMARY_CARE_SESSION_LIMIT", "6"))
PRIMARY_CARE_CASELOAD_LIMIT = int(os.environ.get("JOINEDUP_PRIMARY_CARE_CASELOAD_LIMIT", "60"))
# SMI health checks: failed contact attempts before someone is flagged hard to reach; the coverage target (%),
# 75% in the 2024/25 planning guidance.
HEALTH_CHECK_HARD_TO_REACH = int(os.environ.get("JOINEDUP_HEALTH_CHECK_HARD_TO_REACH", "3"))
HEALTH_CHECK_COVERAGE_TARGET = int(os.environ.get("JOINEDUP_HEALTH_CHECK_COVERAGE_TARGET", "75"))

# Region pack loaded by `manage.py load_region` when no folder is named.
REGION_PACK = os.environ.get("JOINEDUP_REGION_PACK", str(BASE_DIR / "joinedup" / "directory" / "regions" / "lsc"))

# Logs go to standard output (the process manager collects them). Production writes one JSON object a line, each
# with the request id of the request it belongs to (joinedup/ops/requestid.py) and one line per request
# ("joinedup.requests": method, path without its query, route, status, time, user id); elsewhere plain text.
LOG_FORMAT = os.environ.get("JOINEDUP_LOG_FORMAT", "json" if PRODUCTION else "text")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured("JOINEDUP_LOG_FORMAT must be json or text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "joinedup.ops.requestid.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(process)d %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger", "process": "pid"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("JOINEDUP_LOG_LEVEL", "WARNING")},
    "loggers": {
        "joinedup.requests": {
            "level": os.environ.get("JOINEDUP_REQUEST_LOG_LEVEL", "INFO" if PRODUCTION else "WARNING")
        },
        "django_tasks": {"level": "INFO" if PRODUCTION else "WARNING"},
        "joinedup.core.schedule": {"level": "INFO" if PRODUCTION else "WARNING"},
    },
}

# Readiness (/health/ready): how old the task worker's last heartbeat may be (the scheduler hands it one a minute).
READINESS_HEARTBEAT_SECONDS = int(os.environ.get("JOINEDUP_READINESS_HEARTBEAT_SECONDS", "300"))
# Audit trail and timeline partitions (PostgreSQL): how many months ahead the daily job makes them.
PARTITION_MONTHS_AHEAD = int(os.environ.get("JOINEDUP_PARTITION_MONTHS_AHEAD", "3"))
# Prometheus metrics (/metrics): with a token, only `Authorization: Bearer <token>`; without, only from loopback.
METRICS_TOKEN = os.environ.get("JOINEDUP_METRICS_TOKEN", "")

# FHIR R4 API (joinedup/fhir, docs/fhir.md). The public base URL, ending /fhir/R4/, when a proxy stands in front
# (otherwise it is taken from the request); how long an access token lasts (SMART suggests at most five minutes).
FHIR_BASE_URL = os.environ.get("JOINEDUP_FHIR_BASE_URL", "")
FHIR_ACCESS_TOKEN_SECONDS = int(os.environ.get("JOINEDUP_FHIR_ACCESS_TOKEN_SECONDS", "300"))
# Bulk Data $export: where the NDJSON files are written, how long they are kept, how often a client may poll.
FHIR_EXPORT_DIR = Path(os.environ.get("JOINEDUP_FHIR_EXPORT_DIR", VAR_DIR / "fhir-exports"))
FHIR_EXPORT_HOURS = int(os.environ.get("JOINEDUP_FHIR_EXPORT_HOURS", "24"))
FHIR_EXPORT_POLL_SECONDS = int(os.environ.get("JOINEDUP_FHIR_EXPORT_POLL_SECONDS", "2"))

# SMI register imports (joinedup/healthchecks/registers.py). The largest register file the upload page takes (MB; the
# command line has no limit); how many rejected rows an import keeps with their line and reason (all are counted by
# reason); and the share of a practice's register (%) that may leave in one import before the upload page shows what
# the import will do and asks for confirmation.
HEALTH_CHECK_REGISTER_UPLOAD_MAX_MB = int(os.environ.get("JOINEDUP_HEALTH_CHECK_REGISTER_UPLOAD_MAX_MB", "20"))
HEALTH_CHECK_REGISTER_ERRORS_KEPT = int(os.environ.get("JOINEDUP_HEALTH_CHECK_REGISTER_ERRORS_KEPT", "1000"))
HEALTH_CHECK_REGISTER_LEAVE_CONFIRM = int(os.environ.get("JOINEDUP_HEALTH_CHECK_REGISTER_LEAVE_CONFIRM", "20"))

# Reporting (joinedup/reporting): how many months a report may cover at most, and how many it shows unless asked.
# The SMI health check coverage target is HEALTH_CHECK_COVERAGE_TARGET above.
REPORTING_MAX_MONTHS = int(os.environ.get("JOINEDUP_REPORTING_MAX_MONTHS", "36"))
REPORTING_DEFAULT_MONTHS = int(os.environ.get("JOINEDUP_REPORTING_DEFAULT_MONTHS", "12"))

# NHS staff sign in with NHS Care Identity Service 2 over OpenID Connect (joinedup/accounts/cis2.py,
# docs/staff-accounts.md). Production reads the provider and the client's key from the environment and refuses a
# loopback (stand-in) issuer; with no issuer the CIS2 button is not offered and staff sign in with a password and
# their authenticator app. The demo and tests use the stand-in provider (standins/oidc) and a key made into var/.
# The demo's stand-in listens on 9000. Tests start their own on a free port; their default is a loopback port where
# nothing listens (9, "discard"), so no test depends on whether a demo happens to be running on this machine.
_STANDIN_OIDC = "http://127.0.0.1:9" if ENVIRONMENT == "test" else "http://127.0.0.1:9000"
CIS2_OIDC_ISSUER = os.environ.get("JOINEDUP_CIS2_OIDC_ISSUER", "" if PRODUCTION else _STANDIN_OIDC)
CIS2_OIDC_CLIENT_ID = os.environ.get("JOINEDUP_CIS2_OIDC_CLIENT_ID", "" if PRODUCTION else "joinedup-cis2-demo")
# The client's private key (PEM) for private_key_jwt, in the variable itself or in a file it names.
CIS2_OIDC_PRIVATE_KEY = os.environ.get("JOINEDUP_CIS2_OIDC_PRIVATE_KEY", "")
CIS2_OIDC_PRIVATE_KEY_FILE = os.environ.get(
    "JOINEDUP_CIS2_OIDC_PRIVATE_KEY_FILE", "" if PRODUCTION else str(VAR_DIR / "cis2-oidc-client.pem")
)
# Where CIS2 sends the member of staff back; empty: built from the request.
CIS2_OIDC_REDIRECT_URI = os.environ.get("JOINEDUP_CIS2_OIDC_REDIRECT_URI", "")
# The lowest authentication assurance level accepted (3: smartcard, or another strong multi-factor authenticator).
CIS2_MIN_AAL = int(os.environ.get("JOINEDUP_CIS2_MIN_AAL", "3"))
CIS2_ACR_VALUES = os.environ.get("JOINEDUP_CIS2_ACR_VALUES", "AAL3_ANY")
if PRODUCTION and CIS2_OIDC_ISSUER:
    from urllib.parse import urlsplit as _cis2_urlsplit

    if (_cis2_urlsplit(CIS2_OIDC_ISSUER).hostname or "") in {"127.0.0.1", "localhost", "::1"} or not (
        CIS2_OIDC_ISSUER.startswith("https://")
    ):
        raise ImproperlyConfigured("JOINEDUP_CIS2_OIDC_ISSUER must be the real NHS CIS2 (https), not a stand-in")
    if not CIS2_OIDC_CLIENT_ID or not (CIS2_OIDC_PRIVATE_KEY or CIS2_OIDC_PRIVATE_KEY_FILE):
        raise ImproperlyConfigured("NHS CIS2 needs JOINEDUP_CIS2_OIDC_CLIENT_ID and its private key")
    if CIS2_MIN_AAL < 3:
        raise ImproperlyConfigured("JOINEDUP_CIS2_MIN_AAL below 3 is refused in production")
# The reporting store (decision 011): a page shows kept figures younger than this, and the job rebuilds the ones
# read lately once they are older than the refresh interval.
REPORTING_STORE_MAX_AGE_MINUTES = int(os.environ.get("JOINEDUP_REPORTING_STORE_MAX_AGE_MINUTES", "30"))
REPORTING_STORE_REFRESH_MINUTES = int(os.environ.get("JOINEDUP_REPORTING_STORE_REFRESH_MINUTES", "15"))
# The person's own Joined Up (joinedup/portal, docs/portal.md), signed in with NHS login over OpenID Connect.
# Production reads the provider and the client's key from the environment and refuses a loopback (stand-in) issuer;
# without an issuer the person's sign-in page says it is not available. The demo and tests use the stand-in provider
# (standins/oidc) and a client key generated into var/.
PORTAL_OIDC_ISSUER = os.environ.get("JOINEDUP_PORTAL_OIDC_ISSUER", "" if PRODUCTION else _STANDIN_OIDC)
PORTAL_OIDC_CLIENT_ID = os.environ.get("JOINEDUP_PORTAL_OIDC_CLIENT_ID", "" if PRODUCTION else "joinedup-portal-demo")
PORTAL_OIDC_PRIVATE_KEY = os.environ.get("JOINEDUP_PORTAL_OIDC_PRIVATE_KEY", "")
PORTAL_OIDC_PRIVATE_KEY_FILE = os.environ.get(
    "JOINEDUP_PORTAL_OIDC_PRIVATE_KEY_FILE", "" if PRODUCTION else str(VAR_DIR / "portal-oidc-client.pem")
)
# Where the provider sends the person back; empty: built from the request.
PORTAL_OIDC_REDIRECT_URI = os.environ.get("JOINEDUP_PORTAL_OIDC_REDIRECT_URI", "")
# NHS login's vectors of trust: identity proven to P9 (high), with a second factor.
PORTAL_OIDC_VTR = os.environ.get("JOINEDUP_PORTAL_OIDC_VTR", '["P9.Cp.Cd","P9.Cp.Ck","P9.Cm"]')
if PRODUCTION and PORTAL_OIDC_ISSUER:
    from urllib.parse import urlsplit as _urlsplit

    if (_urlsplit(PORTAL_OIDC_ISSUER).hostname or "") in {"127.0.0.1", "localhost", "::1"} or not (
        PORTAL_OIDC_ISSUER.startswith("https://")
    ):
        raise ImproperlyConfigured("JOINEDUP_PORTAL_OIDC_ISSUER must be the real NHS login (https), not a stand-in")
    if not PORTAL_OIDC_CLIENT_ID or not (PORTAL_OIDC_PRIVATE_KEY or PORTAL_OIDC_PRIVATE_KEY_FILE):
        raise ImproperlyConfigured("NHS login needs JOINEDUP_PORTAL_OIDC_CLIENT_ID and its private key")
# The person's session: its own cookie, ended after this many idle seconds (15 minutes).
PORTAL_SESSION_COOKIE = "joinedup_my_session"
PORTAL_IDLE_SECONDS = int(os.environ.get("JOINEDUP_PORTAL_IDLE_SECONDS", str(15 * 60)))
# "Who has looked at my record" names the member of staff too (else organisation and role only).
PORTAL_SHOW_STAFF_NAMES = _flag("JOINEDUP_PORTAL_SHOW_STAFF_NAMES", False)
# Messages and practice files (joinedup/messaging, docs/messaging.md). GOV.UK Notify: the API key, the base URL,
# the template ids ("<purpose>:<channel>" to a template id, as JSON) and the bearer token Notify's delivery
# callbacks carry. MESH: the endpoint, our mailbox, its password and the shared key. The demo reads what its
# local stand-ins (standins/) wrote to var/standins/ at start; production refuses a loopback stand-in.
_STANDINS = VAR_DIR / "standins" / "settings.json"
_standin = {}
if ENVIRONMENT == "demo" and _STANDINS.exists():
    _standin = json.loads(_STANDINS.read_text())


def _messaging(name: str, default: str = "") -> str:
    return os.environ.get(f"JOINEDUP_{name}", _standin.get(name, default))


NOTIFY_API_KEY = _messaging("NOTIFY_API_KEY")
NOTIFY_BASE_URL = _messaging("NOTIFY_BASE_URL")
NOTIFY_CALLBACK_TOKEN = _messaging("NOTIFY_CALLBACK_TOKEN")
_templates = os.environ.get("JOINEDUP_NOTIFY_TEMPLATES", "")
if not _templates and not PRODUCTION:
    _stand_in_templates = BASE_DIR / "standins" / "notify" / "templates.json"
    if _stand_in_templates.exists():
        _templates = json.dumps({k: v["id"] for k, v in json.loads(_stand_in_templates.read_text()).items()})
try:
    NOTIFY_TEMPLATES = json.loads(_templates or "{}")
except ValueError as _e:
    raise ImproperlyConfigured("JOINEDUP_NOTIFY_TEMPLATES must be a JSON object of template ids") from _e
MESH_URL = _messaging("MESH_URL")
MESH_MAILBOX = _messaging("MESH_MAILBOX")
MESH_PASSWORD = _messaging("MESH_PASSWORD")
MESH_SHARED_KEY = _messaging("MESH_SHARED_KEY")
MESH_WORKFLOWS = {
    "register_update": os.environ.get("JOINEDUP_MESH_WORKFLOW_REGISTER_UPDATE", "JOINEDUP_SMI_UPDATE"),
    "emdt_summary": os.environ.get("JOINEDUP_MESH_WORKFLOW_EMDT_SUMMARY", "JOINEDUP_EMDT_SUMMARY"),
    "register_extract": os.environ.get("JOINEDUP_MESH_WORKFLOW_REGISTER_EXTRACT", "JOINEDUP_SMI_EXTRACT"),
    "import_outcome": os.environ.get("JOINEDUP_MESH_WORKFLOW_IMPORT_OUTCOME", "JOINEDUP_SMI_EXTRACT_ACK"),
}
# The tests send when they choose to; elsewhere a queued message is handed to the task worker when its cause commits.
MESSAGING_SEND_ON_COMMIT = _flag("JOINEDUP_MESSAGING_SEND_ON_COMMIT", ENVIRONMENT != "test")
MESSAGING_BACKOFF_SECONDS = int(os.environ.get("JOINEDUP_MESSAGING_BACKOFF_SECONDS", "60"))
# A row "sending" for longer than this belongs to a worker that died: another worker recovers it.
MESSAGING_LEASE_SECONDS = int(os.environ.get("JOINEDUP_MESSAGING_LEASE_SECONDS", "300"))
# How long the MESH task gives MESH to answer before it tries its files anyway (mesh-sandbox starting with the demo).
MESSAGING_MESH_WAIT_SECONDS = float(os.environ.get("JOINEDUP_MESSAGING_MESH_WAIT_SECONDS", "15"))
if PRODUCTION:
    from urllib.parse import urlsplit as _urlsplit

    for _name, _url in (("JOINEDUP_NOTIFY_BASE_URL", NOTIFY_BASE_URL), ("JOINEDUP_MESH_URL", MESH_URL)):
        if _url and (_urlsplit(_url).hostname or "") in {"127.0.0.1", "localhost", "::1"}:
            raise ImproperlyConfigured(f"Production settings refused: {_name} points at a local stand-in")
# The address of the person's own Joined Up (the portal, /my/) that messages link to; none in production unless set.
MESSAGING_PORTAL_URL = os.environ.get(
    "JOINEDUP_MESSAGING_PORTAL_URL", "" if PRODUCTION else "http://127.0.0.1:8000/my/"
)
# The line an EMDT invitation adds about the person's own online account (the portal), when there is one.
MESSAGING_PORTAL_LINE = os.environ.get(
    "JOINEDUP_MESSAGING_PORTAL_LINE",
    "You can also read about the meeting and add your own words in your Joined Up account.",
)
