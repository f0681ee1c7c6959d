"""Django settings for OpenExtract, read from the environment through ``config.env``.

Defaults give a working single-machine install (SQLite, an embedded file-system queue, the
offline local engine). Production deployments set ``DATABASE_URL``, ``REDIS_URL``,
``DJANGO_SECRET_KEY`` and ``DJANGO_ALLOWED_HOSTS``; every variable is listed in the README.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url

from config import embedded
from config.env import ImproperEnvironment, envbool, envfloat, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent

DATA_DIR = Path(envstr("OPENEXTRACT_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

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
ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
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
    "django_htmx.middleware.HtmxMiddleware",
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

STORAGES = {
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
# OCR: the bundled RapidOCR engine, Tesseract, or auto (extraction/documents/ocr.py).
OCR_ENGINE = envstr("OPENEXTRACT_OCR", "auto").lower()
if OCR_ENGINE not in ("auto", "rapidocr", "tesseract"):
    raise ImproperEnvironment(
        f"OPENEXTRACT_OCR must be auto, rapidocr or tesseract, got {OCR_ENGINE!r}"
    )
OCR_LANGUAGE = envstr("OPENEXTRACT_OCR_LANGUAGE", "eng")
FILE_EXPIRY_DAYS = envint("OPENEXTRACT_FILE_EXPIRY_DAYS", 0, minimum=0)  # 0 = keep forever

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
}

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
WEBHOOK_TIMEOUT_SECONDS = envfloat("OPENEXTRACT_WEBHOOK_TIMEOUT", 10.0)

# --- API ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
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
    "DEFAULT_THROTTLE_RATES": {"api_key": envstr("OPENEXTRACT_API_RATE_LIMIT", "1200/min")},
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
if envbool("DJANGO_SECURE_COOKIES", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

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
