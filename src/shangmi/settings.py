"""The one settings module: every deployment difference comes from the environment (see README)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from shangmi.config import data_dir, env_bool, env_list, secret_from_env_or_file

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()
MEDIA_ROOT = DATA_DIR / "media"
STATIC_ROOT = Path(os.environ.get("SHANGMI_STATIC_ROOT", DATA_DIR / "static"))

DEBUG = env_bool("SHANGMI_DEBUG")
# HTTPS deployments (behind a TLS-terminating proxy) turn on secure cookies, HSTS and redirects.
HTTPS = env_bool("SHANGMI_HTTPS")

SECRET_KEY = secret_from_env_or_file("SHANGMI_SECRET_KEY", DATA_DIR / "secret_key")
ALLOWED_HOSTS = env_list("SHANGMI_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("SHANGMI_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "shangmi.apps.accounts",
    "shangmi.apps.audit",
    "shangmi.apps.evidence",
    "shangmi.apps.registry",
    "shangmi.apps.people",
    "shangmi.apps.assessment",
    "shangmi.apps.monitoring",
    "shangmi.apps.forensics",
    "shangmi.apps.bases",
    "shangmi.apps.ops",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_htmx",
    "django_tasks_db",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shangmi.locale_middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "shangmi.apps.accounts.middleware.ActiveOrganisationMiddleware",
    "shangmi.apps.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shangmi.urls"
WSGI_APPLICATION = "shangmi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shangmi.apps.accounts.context_processors.shell",
            ],
        },
    }
]

# --- database: SQLite under the data directory unless DATABASE_URL names another -----------------
_SQLITE_PATH = DATA_DIR / "shangmi.sqlite3"
DATABASES = {"default": dj_database_url.config(default=f"sqlite:///{_SQLITE_PATH}", conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE avoids "database is locked" upgrades when web and worker write at once.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- caches: per process; what the register caches is keyed by its version (registry.versioned_cache) --
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shangmi"},
    # Rendered list fragments, one per page someone viewed, kept apart: browsing many pages must not evict
    # the listings the pages are cut from (a listing of 100,000 secrets takes a 100 ms query to rebuild).
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "shangmi-fragments",
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
}

# --- accounts and security -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "shangmi.apps.accounts.backends.EmailOrPhoneBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling: five failures for one account from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("SHANGMI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SHANGMI_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "shangmi.apps.accounts.views.auth.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_USERNAME_CALLABLE = "shangmi.apps.accounts.backends.axes_username"
AXES_CLIENT_IP_CALLABLE = "shangmi.apps.accounts.client_ip.client_ip"
# Trusted reverse proxies in front of the app (0: clients connect directly); see accounts/client_ip.py.
PROXY_COUNT = int(os.environ.get("SHANGMI_PROXY_COUNT", "0"))

OTP_TOTP_ISSUER = "shangmi 商秘"
OTP_TOTP_THROTTLE_FACTOR = 1

SESSION_ENGINE = "shangmi.apps.accounts.session_store"  # database sessions, read without the ORM
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 10
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- language and time -----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static files: local assets only, hashed names, served by whitenoise --------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = DEBUG

# --- background work -------------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WORKER_HEARTBEAT_SECONDS = 5
# How often the worker anchors every audit chain head in the evidence log.
AUDIT_ANCHOR_SECONDS = int(os.environ.get("SHANGMI_AUDIT_ANCHOR_SECONDS", "600"))

# --- evidence log -----------------------------------------------------------------------------------
# The log's origin is also its signing key's name (C2SP tlog-checkpoint); change it only for a new log.
EVIDENCE_LOG_ORIGIN = os.environ.get("SHANGMI_LOG_ORIGIN", "shangmi.local/evidence-log")
# RFC 3161 TSA that stamps each checkpoint; empty: receipts say time rests on the platform's signature.
EVIDENCE_TSA_URL = os.environ.get("SHANGMI_TSA_URL", "")
EVIDENCE_TSA_TIMEOUT = float(os.environ.get("SHANGMI_TSA_TIMEOUT", "10"))

# --- self-checks ------------------------------------------------------------------------------------
# Directories holding further self-check frameworks (*.yaml, docs/self-check-frameworks.md) beside the
# built-in ones; several separated by the OS path separator.
ASSESSMENT_FRAMEWORK_DIRS = [
    Path(p) for p in os.environ.get("SHANGMI_FRAMEWORK_DIRS", "").split(os.pathsep) if p
]

# --- monitoring ------------------------------------------------------------------------------------
# How often the worker reads the watched log folders for new files.
MONITORING_WATCH_SECONDS = int(os.environ.get("SHANGMI_MONITORING_WATCH_SECONDS", "300"))

# --- forensics ------------------------------------------------------------------------------------
# Server folders (besides each organisation's own forensics/<org>/incoming) whose material may be
# fingerprinted or scanned, e.g. where seized disks are mounted; several separated by ':'.
FORENSICS_ROOTS = [p for p in os.environ.get("SHANGMI_FORENSICS_ROOTS", "").split(os.pathsep) if p]
# Processes a build or scan uses (the engine forks them).
FORENSICS_WORKERS = int(os.environ.get("SHANGMI_FORENSICS_WORKERS", "2"))

# --- demonstration bases ----------------------------------------------------------------------------
# The yearly deadline for submitting applications, "MM-DD" (the Shaoxing guide: 30 September).
BASES_DEADLINE = os.environ.get("SHANGMI_BASES_DEADLINE", "09-30")

# --- API -------------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_MAX_PER_PAGE_SIZE = 500
API_TOKEN_MAX_DAYS = 366

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "shangmi": {"level": "INFO"},
        "django_tasks_db": {"level": "INFO"},
    },
}
