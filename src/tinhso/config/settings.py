"""Tỉnh số settings, read from environment variables with safe embedded defaults.

Embedded default (``make run``): SQLite in ``var/``, Celery on a SQLite broker, files in
``var/media``. Production: ``TINHSO_ENV=production`` plus ``SECRET_KEY``, ``ALLOWED_HOSTS``,
``DATABASE_URL`` (PostgreSQL), ``REDIS_URL`` and, optionally, S3 storage settings.
"""

from __future__ import annotations

import importlib.util
import os
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

TINHSO_ENV = env.str("TINHSO_ENV", default="development")
if TINHSO_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured("TINHSO_ENV must be one of: development, production, test")
PRODUCTION = TINHSO_ENV == "production"
TESTING = TINHSO_ENV == "test"

# Everything the platform writes (SQLite database, private files, broker, mail) lives here,
# outside the web root and outside the source tree.
VAR_DIR = Path(env.str("TINHSO_VAR_DIR", default=str(Path.cwd() / "var"))).resolve()

_INSECURE_KEY = "django-insecure-tinhso-development-key-never-use-in-production-0123456789"
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])

if PRODUCTION:
    if not SECRET_KEY or SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "TINHSO_ENV=production requires SECRET_KEY: at least 50 random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
        )
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured("TINHSO_ENV=production requires ALLOWED_HOSTS (comma-separated host names, no '*').")
    DEBUG = False
else:
    SECRET_KEY = SECRET_KEY or _INSECURE_KEY
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
    DEBUG = env.bool("DEBUG", default=False)

# Key for personal data encrypted at rest (national ID, tax code). Defaults to one derived
# from SECRET_KEY; set it separately so that rotating SECRET_KEY does not lose data.
TINHSO_FIELD_KEY = env.str("TINHSO_FIELD_KEY", default="")

# The province this deployment serves: any province is a setting, never a code change.
TINHSO_PROVINCE = env.int("TINHSO_PROVINCE", default=96)
# Parallel audit hash chains: concurrent transactions append without queueing on one head row.
TINHSO_AUDIT_CHAINS = env.int("TINHSO_AUDIT_CHAINS", default=8)
# Field reports: the reporter may reopen a resolved report for this many days; a resolved report
# without a rating closes after TINHSO_FEEDBACK_AUTOCLOSE_DAYS; reports must lie inside the box
# "south,west,north,east" (empty: the province's known box, see tinhso.feedback.location).
TINHSO_FEEDBACK_REOPEN_DAYS = env.int("TINHSO_FEEDBACK_REOPEN_DAYS", default=7)
TINHSO_FEEDBACK_AUTOCLOSE_DAYS = env.int("TINHSO_FEEDBACK_AUTOCLOSE_DAYS", default=14)
TINHSO_FEEDBACK_BBOX = env.str("TINHSO_FEEDBACK_BBOX", default="")
# Map tiles (optional: the platform must work on an intranet without them). A URL template such
# as "https://tile.openstreetmap.org/{z}/{x}/{y}.png" and its attribution; empty = no tiles.
TINHSO_MAP_TILE_URL = env.str("TINHSO_MAP_TILE_URL", default="")
TINHSO_MAP_TILE_ATTRIBUTION = env.str("TINHSO_MAP_TILE_ATTRIBUTION", default="")
# Level-1 segment of the province's electronic agency codes (QCVN 102:2016), e.g. "H12" for
# Cà Mau; empty = the value known to tinhso.orgs.catalogue (see docs/orgs.md).
TINHSO_AGENCY_PROVINCE_SEGMENT = env.str("TINHSO_AGENCY_PROVINCE_SEGMENT", default="")
TINHSO_SITE_NAME = env.str("TINHSO_SITE_NAME", default="Tỉnh số")
# Absolute address of the platform, for links in emails and SMS (no trailing slash).
TINHSO_BASE_URL = env.str(
    "TINHSO_BASE_URL", default="" if (PRODUCTION or TESTING) else f"http://127.0.0.1:{env.int('PORT', default=8000)}"
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "ninja",
    # building blocks
    "tinhso.core",
    "tinhso.geo",
    "tinhso.orgs",
    "tinhso.accounts",
    "tinhso.audit",
    "tinhso.files",
    "tinhso.notify",
    "tinhso.workflow",
    "tinhso.search",
    "tinhso.payments",
    # services
    "tinhso.procedures",
    "tinhso.dossiers",
    "tinhso.feedback",
    "tinhso.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages are compressed for weak rural connections; Django >= 4.2 pads the gzip header
    # with random bytes against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tinhso.core.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tinhso.accounts.middleware.SessionTimeoutMiddleware",
    "tinhso.accounts.middleware.StaffMFAMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tinhso.config.urls"
WSGI_APPLICATION = "tinhso.config.wsgi.application"
ASGI_APPLICATION = "tinhso.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tinhso.portal.context_processors.platform",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tinhso.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; IMMEDIATE takes the write lock at BEGIN,
    # so concurrent writers queue instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    # PostgreSQL's JIT costs 0.3–0.5 s of compilation per reporting query and gains nothing on
    # the short queries of a web request (docs/benchmarks.md); TINHSO_PG_JIT=1 turns it back on.
    if not env.bool("TINHSO_PG_JIT", default=False):
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, broker ------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "tinhso.core.cache.RedisCache", "LOCATION": REDIS_URL}}
elif TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # Shared by every gunicorn worker on the machine, and needs no server.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

CELERY_BROKER_URL = env.str(
    "CELERY_BROKER_URL", default=REDIS_URL or f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
# Beat keeps its schedule state with the rest of the writable data, never in the working directory.
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULE = {
    "notify-deliver-pending": {"task": "tinhso.notify.tasks.deliver_pending", "schedule": 60.0},
    "payments-expire-overdue": {"task": "tinhso.payments.tasks.expire_overdue", "schedule": 15 * 60.0},
    "dossiers-mark-overdue": {"task": "tinhso.dossiers.tasks.mark_overdue", "schedule": 15 * 60.0},
    "feedback-escalate-overdue": {"task": "tinhso.feedback.tasks.escalate_overdue", "schedule": 15 * 60.0},
    "feedback-close-resolved": {"task": "tinhso.feedback.tasks.close_resolved", "schedule": 60 * 60.0},
    "feedback-close-due-consultations": {
        "task": "tinhso.feedback.tasks.close_due_consultations", "schedule": 15 * 60.0,
    },
}

# --- authentication -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "tinhso.accounts.backends.PhoneOrEmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Tests create many users; argon2 at full cost would dominate the run time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "tinhso.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

# Sessions: absolute lifetime and idle timeout (enforced by SessionTimeoutMiddleware).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("TINHSO_SESSION_ABSOLUTE_SECONDS", default=8 * 3600)
TINHSO_SESSION_IDLE_SECONDS = env.int("TINHSO_SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie; kept default for forms

# Lockout after repeated failures, keyed on user + IP; lifts by itself after the cool-off.
AXES_FAILURE_LIMIT = env.int("TINHSO_LOCKOUT_FAILURES", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("TINHSO_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "tinhso.accounts.views.lockout_response"
AXES_IPWARE_PROXY_COUNT = env.int("TINHSO_PROXY_COUNT", default=0)
AXES_VERBOSE = False

OTP_TOTP_ISSUER = TINHSO_SITE_NAME
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["tinhso.formats"]

# --- static and private files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# The project-wide CSS/JS/images (src/tinhso/static) belong to no app, so list them here.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Leaflet (maps) comes from the django-leaflet package: only its static files are used (served as
# /static/leaflet/…). It is not an installed app: its admin module needs GeoDjango and GDAL.
_leaflet_spec = importlib.util.find_spec("leaflet")
if _leaflet_spec and _leaflet_spec.submodule_search_locations:
    STATICFILES_DIRS.append(Path(next(iter(_leaflet_spec.submodule_search_locations))) / "static")
MEDIA_ROOT = VAR_DIR / "media"  # private: never served directly, only through files.views
MEDIA_URL = "/files/"  # unused for serving: every download goes through a permission check
TINHSO_UPLOAD_MAX_BYTES = env.int("TINHSO_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o640

AWS_STORAGE_BUCKET_NAME = env.str("TINHSO_S3_BUCKET", default="")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("TINHSO_S3_ENDPOINT_URL", default="") or None,
            "access_key": env.str("TINHSO_S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("TINHSO_S3_SECRET_KEY", default="") or None,
            "region_name": env.str("TINHSO_S3_REGION", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": None},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- email ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Tỉnh số <no-reply@tinhso.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if "EMAIL_URL" in os.environ:
    vars().update(env.email_url("EMAIL_URL"))
elif TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
else:
    # Embedded default: every email is written to var/mail so the demo can be followed offline.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")

# Extra channels (SMS, Zalo): dotted paths of providers implementing notify.channels.ProviderChannel.
TINHSO_NOTIFY_PROVIDERS = env.dict("TINHSO_NOTIFY_PROVIDERS", default={})
TINHSO_NOTIFY_MAX_ATTEMPTS = env.int("TINHSO_NOTIFY_MAX_ATTEMPTS", default=5)
TINHSO_NOTIFY_RETRY_BASE_SECONDS = env.int("TINHSO_NOTIFY_RETRY_BASE_SECONDS", default=60)
TINHSO_NOTIFY_STUCK_SECONDS = env.int("TINHSO_NOTIFY_STUCK_SECONDS", default=600)
TINHSO_NOTIFY_SWEEP_GRACE_SECONDS = env.int("TINHSO_NOTIFY_SWEEP_GRACE_SECONDS", default=30)

# --- payments -------------------------------------------------------------------------------------
# Enabled gateways, first = used for new bills ("sandbox" or dotted paths of Gateway subclasses).
# The sandbox gateway (no real money) is on by default except in production.
TINHSO_PAYMENT_GATEWAYS = env.list("TINHSO_PAYMENT_GATEWAYS", default=[] if PRODUCTION else ["sandbox"])
# HMAC key of the sandbox gateway's callbacks; empty = derived from SECRET_KEY.
TINHSO_PAYMENT_SANDBOX_SECRET = env.str("TINHSO_PAYMENT_SANDBOX_SECRET", default="")
TINHSO_PAYMENT_EXPIRY_DAYS = env.int("TINHSO_PAYMENT_EXPIRY_DAYS", default=7)

# --- security ---------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
if env.bool("TINHSO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    LANGUAGE_COOKIE_HTTPONLY = True
    LANGUAGE_COOKIE_SAMESITE = "Lax"

def _tile_origin(url: str) -> list[str]:
    """The scheme://host of the tile server, for img-src (the only outside origin allowed)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}", "a")) if url else None
    if not parts or parts.scheme not in ("http", "https") or not parts.netloc:
        return []
    host = parts.netloc.replace("a.", "*.", 1) if "{s}" in url else parts.netloc
    return [f"{parts.scheme}://{host}"]


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:", *_tile_origin(TINHSO_MAP_TILE_URL)],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- API -------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

# Baseline endpoints of the benchmarks (/bench/…; bench/ and docs/benchmarks.md). Never in production.
TINHSO_BENCH_ENDPOINTS = env.bool("TINHSO_BENCH_ENDPOINTS", default=False)

# --- logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

SILENCED_SYSTEM_CHECKS: list[str] = []
