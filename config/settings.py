"""Django settings for OpenExtract, read from the environment through ``config.env``.

Defaults give a working single-machine install (SQLite, an embedded file-system queue, the
offline local engine). Production deployments set ``DATABASE_URL``, ``REDIS_URL``,
``DJANGO_SECRET_KEY`` and ``DJANGO_ALLOWED_HOSTS``; every variable is listed in the README.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
import django_stubs_ext

from config import embedded
from config.env import ImproperEnvironment, envbool, envfloat, envint, envlist, envstr

# Lets Django's generic classes take type arguments at run time (`admin.ModelAdmin[Job]`),
# as django-stubs declares them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

# Everything OpenExtract writes (database, uploads, page images, queue, cache) holds tenants'
# documents: readable by its own user only. The umask covers files made later by any library.
os.umask(0o077)
DATA_DIR = Path(envstr("OPENEXTRACT_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
if DATA_DIR.stat().st_uid == os.getuid():
    DATA_DIR.chmod(0o700)  # `mkdir -p` in a shell made it 0755 before this ran

DEBUG = envbool("DJANGO_DEBUG", False)


def _secret_key() -> str:
    """Use DJANGO_SECRET_KEY, or a random key persisted under the data dir for local installs."""
    configured = envstr("DJANGO_SECRET_KEY", "")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]
ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", LOCAL_HOSTS)
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI assets served locally: no CDN needed offline
    "django_htmx",
    "axes",
    "accounts",
    "extraction",
]

MIDDLEWARE = [
    "config.request_id.RequestIDMiddleware",
    "config.limits.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write to the same file; wait for locks instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not :memory:, so a worker process started by the tests sees the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Refuses logins for an account or address locked out after repeated failures.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Closed sign-up: accounts come from an administrator (admin, create_api_key command).
SIGNUP_OPEN = envbool("OPENEXTRACT_SIGNUP_OPEN", True)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(envstr("OPENEXTRACT_MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "media/"
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if envstr("STORAGE_BUCKET", ""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": envstr("STORAGE_BUCKET", ""),
            "endpoint_url": envstr("STORAGE_ENDPOINT_URL", "") or None,
            "region_name": envstr("STORAGE_REGION", "") or None,
            "access_key": envstr("STORAGE_ACCESS_KEY_ID", "") or None,
            "secret_key": envstr("STORAGE_SECRET_ACCESS_KEY", "") or None,
        },
    }

# --- Limits -------------------------------------------------------------------------------------
MAX_UPLOAD_BYTES = envint("OPENEXTRACT_MAX_UPLOAD_MB", 100, minimum=1) * 1024 * 1024
MAX_TEXT_CHARS = envint("OPENEXTRACT_MAX_TEXT_CHARS", 1_000_000, minimum=1)
MAX_DOCUMENT_PAGES = envint("OPENEXTRACT_MAX_PAGES", 1000, minimum=1)
PARSE_TIMEOUT_SECONDS = envint("OPENEXTRACT_PARSE_TIMEOUT", 90, minimum=1)
MAX_JSON_BODY_BYTES = envint("OPENEXTRACT_MAX_JSON_BODY_MB", 35, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_JSON_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# OCR: the bundled RapidOCR engine, Tesseract, or auto (extraction/pipeline/documents/ocr.py).
OCR_ENGINE = envstr("OPENEXTRACT_OCR", "auto").lower()
if OCR_ENGINE not in ("auto", "rapidocr", "tesseract"):
    raise ImproperEnvironment(
        f"OPENEXTRACT_OCR must be auto, rapidocr or tesseract, got {OCR_ENGINE!r}"
    )
OCR_LANGUAGE = envstr("OPENEXTRACT_OCR_LANGUAGE", "eng")
# Files (and everything derived from them) are deleted this many days after upload by the
# hourly ``delete-expired-files`` beat task; 0 keeps them until a user deletes them.
FILE_EXPIRY_DAYS = envint("OPENEXTRACT_FILE_EXPIRY_DAYS", 0, minimum=0)
# Page images and text previews are read from untrusted files in a fresh, limited process
# (extraction/untrusted.py), at most PREVIEW_CONCURRENCY at a time per web process.
PREVIEW_TIMEOUT_SECONDS = envfloat("OPENEXTRACT_PREVIEW_TIMEOUT", 20.0)
PREVIEW_CPU_SECONDS = envint("OPENEXTRACT_PREVIEW_CPU_SECONDS", 15, minimum=1)
# Address space, as for the sandbox: reading a scan for a schema suggestion runs the OCR models.
PREVIEW_MEMORY_MB = envint("OPENEXTRACT_PREVIEW_MEMORY_MB", 2048, minimum=64)
PREVIEW_CONCURRENCY = envint("OPENEXTRACT_PREVIEW_CONCURRENCY", 2, minimum=1)
PREVIEW_RATE_LIMIT = envstr("OPENEXTRACT_PREVIEW_RATE_LIMIT", "120/min")

# --- Jobs and queue -----------------------------------------------------------------------------
REDIS_URL = envstr("REDIS_URL", "")
JOB_SOFT_TIME_LIMIT = envint("OPENEXTRACT_JOB_SOFT_TIME_LIMIT", 600, minimum=1)
JOB_TIME_LIMIT = envint("OPENEXTRACT_JOB_TIME_LIMIT", 660, minimum=1)
JOB_MAX_ATTEMPTS = envint("OPENEXTRACT_JOB_MAX_ATTEMPTS", 3, minimum=1)
# A running job renews its lease every quarter lease; when a lease runs out the job's worker is
# presumed dead and the reaper (every REAPER_INTERVAL) puts the job back on the queue.
JOB_LEASE_SECONDS = envint("OPENEXTRACT_JOB_LEASE_SECONDS", 60, minimum=1)
REAPER_INTERVAL_SECONDS = envfloat("OPENEXTRACT_REAPER_INTERVAL_SECONDS", 30.0)
PENDING_REQUEUE_SECONDS = envint("OPENEXTRACT_PENDING_REQUEUE_SECONDS", 60, minimum=1)
JOB_QUEUES = ("critical", "high", "medium", "low")
# Webhook deliveries have a queue (and worker) of their own, so slow receivers never hold up
# extraction: `celery -A config worker -Q webhooks`.
WEBHOOK_QUEUE = "webhooks"
# Each job runs in a forked child with these limits (see extraction/sandbox.py). The limit is on
# address space: the bundled OCR models alone reserve about 1.4 GB of it for a scanned page.
SANDBOX_ENABLED = envbool("OPENEXTRACT_SANDBOX", True)
SANDBOX_MEMORY_MB = envint("OPENEXTRACT_SANDBOX_MEMORY_MB", 2048, minimum=64)
# A worker keeps its sandbox child for this many jobs (fewer when a job fails or memory grows).
SANDBOX_MAX_JOBS = envint("OPENEXTRACT_SANDBOX_MAX_JOBS", 200, minimum=1)
EXTRACTION_CACHE_HOURS = envint("OPENEXTRACT_CACHE_HOURS", 48, minimum=0)

# Without REDIS_URL the broker is the embedded Valkey server that `make run` starts on a unix
# socket under the data directory (config/embedded.py); the same Redis transport either way.
EMBEDDED_QUEUE_DIR = embedded.queue_dir(DATA_DIR)
CELERY_BROKER_URL = REDIS_URL or embedded.broker_url(EMBEDDED_QUEUE_DIR)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Unacknowledged messages of dead workers come back after this long; the job lease makes
    # an early redelivery of a job that is still running a no-op.
    "visibility_timeout": envint("OPENEXTRACT_BROKER_VISIBILITY_TIMEOUT", 300, minimum=1),
    "queue_order_strategy": "priority",
}
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_DEFAULT_QUEUE = "medium"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = JOB_SOFT_TIME_LIMIT
CELERY_TASK_TIME_LIMIT = JOB_TIME_LIMIT
CELERY_TASK_IGNORE_RESULT = True
# Without this Celery reconnects to the database before and after every task. Connections are
# kept for this many tasks, and closed sooner by CONN_MAX_AGE, a failed health check or an
# error (config/celery_app.py).
CELERY_DB_REUSE_MAX = envint("OPENEXTRACT_WORKER_DB_REUSE_MAX", 200, minimum=0)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "requeue-stale-jobs": {
        "task": "extraction.tasks.requeue_stale_jobs",
        "schedule": REAPER_INTERVAL_SECONDS,
        "options": {"queue": "critical", "expires": 60},
    },
    "purge-expired-cache": {
        "task": "extraction.tasks.purge_expired_cache",
        "schedule": 3600.0,
        "options": {"queue": "low", "expires": 3600},
    },
    "delete-expired-files": {
        "task": "extraction.tasks.delete_expired_files",
        "schedule": 3600.0,
        "options": {"queue": "low", "expires": 3600},
    },
}

CELERY_TASK_ROUTES = {"extraction.tasks.deliver_webhook": {"queue": WEBHOOK_QUEUE}}

# The cache backs rate limits, so every process must share it: Redis when configured, else a
# file cache under the data dir (web server and worker processes on one machine).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": embedded.client_url(REDIS_URL),
            "KEY_PREFIX": "openextract",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

# --- LLM endpoints ------------------------------------------------------------------------------
OPENAI_BASE_URL = envstr("OPENAI_BASE_URL", "")
OPENAI_API_KEY = envstr("OPENAI_API_KEY", "")
OPENAI_MODEL = envstr("OPENAI_MODEL", "")
OPENAI_FAST_MODEL = envstr("OPENAI_FAST_MODEL", "")
OPENAI_STRONG_MODEL = envstr("OPENAI_STRONG_MODEL", "")
OPENAI_VISION_MODEL = envstr("OPENAI_VISION_MODEL", "")
OPENAI_SUPPORTS_JSON_SCHEMA = envbool("OPENAI_SUPPORTS_JSON_SCHEMA", True)
OPENAI_TIMEOUT_SECONDS = envfloat("OPENAI_TIMEOUT_SECONDS", 120.0)
LLM_MAX_CONCURRENCY_PER_JOB = envint("OPENEXTRACT_LLM_CONCURRENCY_PER_JOB", 4, minimum=1)
LLM_MAX_CONCURRENCY_PER_WORKER = envint("OPENEXTRACT_LLM_CONCURRENCY_PER_WORKER", 8, minimum=1)
# After this many jobs in a row fail on one endpoint, new jobs for it wait this long.
CIRCUIT_FAILURE_THRESHOLD = envint("OPENEXTRACT_CIRCUIT_FAILURES", 5, minimum=1)
CIRCUIT_OPEN_SECONDS = envint("OPENEXTRACT_CIRCUIT_OPEN_SECONDS", 60, minimum=1)
LLM_MAX_RETRIES = envint("OPENEXTRACT_LLM_MAX_RETRIES", 4, minimum=0)

# --- Webhooks -----------------------------------------------------------------------------------
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = envbool("OPENEXTRACT_WEBHOOK_ALLOW_PRIVATE", False)
# The whole of one delivery attempt (connect, send, read the answer), not one socket read.
WEBHOOK_TIMEOUT_SECONDS = envfloat("OPENEXTRACT_WEBHOOK_TIMEOUT", 10.0)
WEBHOOK_DNS_TIMEOUT_SECONDS = envfloat("OPENEXTRACT_WEBHOOK_DNS_TIMEOUT", 5.0)
WEBHOOK_MAX_CONFIGURATIONS = envint("OPENEXTRACT_MAX_WEBHOOKS_PER_JOB", 10, minimum=1)

# --- API ----------------------------------------------------------------------------------------
REST_FRAMEWORK: dict[str, object] = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.APIKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "EXCEPTION_HANDLER": "extraction.api.exceptions.api_exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "extraction.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["accounts.throttling.APIKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "api_key": envstr("OPENEXTRACT_API_RATE_LIMIT", "1200/min"),
        "preview": PREVIEW_RATE_LIMIT,
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OpenExtract API",
    "DESCRIPTION": "Structured extraction from documents; compatible with LlamaCloud Extract.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Security hardening (effective outside DEBUG) ----------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "SAMEORIGIN"
CSRF_FAILURE_VIEW = "extraction.api.exceptions.csrf_failure"
# Proxies in front of the server that set X-Forwarded-For / X-Forwarded-Proto; 0 means the
# server faces clients directly and those headers are ignored (a client could forge them).
TRUSTED_PROXIES = envint("OPENEXTRACT_TRUSTED_PROXIES", 0, minimum=0)
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXIES
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Served over HTTPS (directly or behind a TLS proxy): secure cookies and HSTS.
HTTPS = envbool("OPENEXTRACT_HTTPS", False)
if HTTPS or envbool("DJANGO_SECURE_COOKIES", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
if HTTPS:
    SECURE_HSTS_SECONDS = envint("OPENEXTRACT_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("OPENEXTRACT_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_SSL_REDIRECT = envbool("OPENEXTRACT_SSL_REDIRECT", False)
# Pages load scripts, styles and images from this server only (style attributes position the
# citation boxes and progress bars, hence 'unsafe-inline' for styles alone).
CONTENT_SECURITY_POLICY = envstr(
    "OPENEXTRACT_CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'",
)
# The `bootstrap_demo` command (make run) creates a staff user with a published password:
# never on a server that is served over HTTPS or under a name other than this machine's.
DEMO_USER_ALLOWED = (
    envbool("OPENEXTRACT_DEMO_USER", True)
    and not HTTPS
    and all(host in LOCAL_HOSTS for host in ALLOWED_HOSTS)
)

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one account, or
# from one address, further attempts are refused with 429 for the cool-off period.
AXES_FAILURE_LIMIT = envint("OPENEXTRACT_LOGIN_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=envint("OPENEXTRACT_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"  # the file cache cannot count safely
AXES_DISABLE_ACCESS_LOG = True  # failures are what matter; successes would grow a table
AXES_CLIENT_IP_CALLABLE = "accounts.authentication.client_address"
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False
# Wrong API keys are counted per address the same way (429 once over the limit).
API_KEY_FAILURE_LIMIT = envint("OPENEXTRACT_API_KEY_FAILURE_LIMIT", 30, minimum=1)
API_KEY_FAILURE_WINDOW_SECONDS = envint("OPENEXTRACT_API_KEY_FAILURE_WINDOW", 600, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.request_id.RequestIDLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
