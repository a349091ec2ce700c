"""LiveHub settings, read from the environment.

With no DATABASE_URL and no REDIS_URL the embedded default runs: SQLite and the in-memory
replay log, for one process (`make run` on a laptop).
"""

import ipaddress
import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
# Local state of the embedded default (SQLite file, collected static files); git-ignored.
(BASE_DIR / "var" / "static").mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The fallback key only exists so that a fresh clone runs; `check --deploy` flags it.
SECRET_KEY = os.environ.get("SECRET_KEY") or "django-insecure-livehub-dev-only-set-SECRET_KEY"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# Where the printed links (role links, QR codes) point; the public address of the platform.
# Set: the QR code and printed links use it. Unset: pages use the address they were opened at.
LIVEHUB_PUBLIC_URL = os.environ.get("LIVEHUB_BASE_URL", "").rstrip("/")
LIVEHUB_BASE_URL = LIVEHUB_PUBLIC_URL or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"

INSTALLED_APPS = [
    "daphne",  # makes `runserver` the Daphne development server
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "livehub.realtime",
    "django.contrib.postgres",
    "sessions.apps.LiveSessionsConfig",
    "agenda",
    "qa",
    "audit",
    "polls",
    "reactions",
    "staff",
    "exports",
    "webhooks",
    "organiser",
    "web",
    "bench",  # `manage.py loadtest`
]

MIDDLEWARE = [
    "livehub.middleware.MetricsScrape",
    "django.middleware.security.SecurityMiddleware",
    "livehub.middleware.SecurityHeaders",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "livehub.i18n.Language",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "staff.middleware.SignInLockedStatus",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "livehub.middleware.JsonApiErrors",
    "livehub.middleware.DatabaseUnavailable",
    "livehub.middleware.ApiWritesSameSite",
]

ROOT_URLCONF = "livehub.urls"
ASGI_APPLICATION = "livehub.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
# Each process borrows PostgreSQL connections from one bounded pool (HTTP views, the socket
# gateway's threads, the coalescer, housekeeping) and gives them back after each unit of work;
# the gateway's database threads (livehub/realtime/dbwork.py, 6) each keep theirs between units.
# Persistent per-thread connections are off: under ASGI every request runs in a thread context
# of its own, and each would keep a connection until PostgreSQL runs out. Size the pool so that
# processes x LIVEHUB_DB_POOL_MAX <= max_connections - reserve (README, "Scaling out").
LIVEHUB_DB_POOL_MAX = int(os.environ.get("LIVEHUB_DB_POOL_MAX", "20"))
# Seconds a request waits for a free connection before it is answered 503 with Retry-After.
LIVEHUB_DB_POOL_TIMEOUT = float(os.environ.get("LIVEHUB_DB_POOL_TIMEOUT", "10"))
if DATABASE_URL:
    # Health checks: a connection PostgreSQL dropped (restart, failover) is found before it is lent out.
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0, conn_health_checks=True)}
    # The pool is psycopg's: a sqlite:// URL (SQLITE_PATH says the same) runs without one.
    if LIVEHUB_DB_POOL_MAX > 0 and "postgresql" in DATABASES["default"]["ENGINE"]:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(2, LIVEHUB_DB_POOL_MAX),
            "max_size": LIVEHUB_DB_POOL_MAX,
            "timeout": LIVEHUB_DB_POOL_TIMEOUT,
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "var" / "livehub.sqlite3")),
            # Daphne's worker threads and the management commands share the file.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }

# The replay log and fan-out shared by every process, and the rate limits' counters; unset, all
# of it stays in the memory of one process.
REDIS_URL = os.environ.get("REDIS_URL", "")

# The real-time gateway (livehub/realtime): limits of the wire contract.
LIVEHUB_REALTIME = {
    "MAX_FRAME_BYTES": 64 * 1024,
    "COMMANDS_PER_SECOND": 20,
    # Frames refused for flooding before the socket is closed with 4408.
    "FLOOD_STRIKES": 20,
    "REPLAY_LOG_LENGTH": int(os.environ.get("LIVEHUB_REPLAY_LOG_LENGTH", "1000")),
    "PRESENCE_INTERVAL": 1.0,
    # Frames a client may fall behind before it is told to reconnect and replay.
    "SEND_QUEUE_LIMIT": 500,
    # Per process and client; a burst waits for a free connection (Redis answers in well under a
    # millisecond) rather than opening hundreds at once, which timed out under a reconnect storm.
    "REDIS_MAX_CONNECTIONS": int(os.environ.get("LIVEHUB_REDIS_MAX_CONNECTIONS", "100")),
    # On SIGTERM/SIGINT, close every socket with 4000 ("reconnect") before the server stops,
    # so clients move to another process and replay instead of seeing a dropped connection.
    "CLOSE_ON_SIGNAL": True,
    "SHUTDOWN_GRACE": 0.5,
    # A command's stored reply (its `ref` receipt) is kept this long for retries, then forgotten.
    "RECEIPT_HOURS": int(os.environ.get("LIVEHUB_RECEIPT_HOURS", "24")),
}

# Coalesced totals (votes, poll results, reactions): deliveries a second one process spends on
# them per event; a larger audience gets them less often (every 1/3 s at most, every 1 s at least).
LIVEHUB_COALESCED_DELIVERIES_PER_SECOND = int(os.environ.get("LIVEHUB_COALESCED_DELIVERIES_PER_SECOND", "10000"))

# A server process's garbage collector (livehub/collector.py): young collections after this many
# new objects, then CPython's generation thresholds; empty for CPython's defaults (700, 10, 10).
LIVEHUB_GC_THRESHOLDS = env_list("LIVEHUB_GC_THRESHOLDS", "20000,20,10")
if not all(n.isdigit() for n in LIVEHUB_GC_THRESHOLDS) or len(LIVEHUB_GC_THRESHOLDS) > 3:
    raise ImproperlyConfigured(
        f"LIVEHUB_GC_THRESHOLDS: up to three whole numbers such as 20000,20,10, not {LIVEHUB_GC_THRESHOLDS}"
    )
LIVEHUB_GC_THRESHOLDS = tuple(int(n) for n in LIVEHUB_GC_THRESHOLDS)

# Joins (new participants): a token bucket per client address and one per event
# (docs/reliability.md, "Joins"). A hall of 2,000 behind the venue's one address joins within a
# minute (1,000 at once, then 20 a second); a script from one address gets no further than that,
# and all addresses together add at most 5,000 at once, then 100 a second, to one event.
# Webhooks (docs/webhooks.md): sent by `manage.py run_webhooks` from the queue in the database.
LIVEHUB_WEBHOOKS = {
    # Private, loopback, link-local and reserved addresses are refused unless this is true (an
    # organiser's URL must not reach the operator's own network).
    "ALLOW_PRIVATE": env_bool("LIVEHUB_WEBHOOKS_ALLOW_PRIVATE", False),
    # Seconds one request may take in all (connect, send, answer).
    "TIMEOUT": float(os.environ.get("LIVEHUB_WEBHOOKS_TIMEOUT", "10")),
    # HTTPS receivers are verified against the system's trust store, or only against the CA
    # certificates in this PEM file when it is set (a deployment's own CA; the tests' CA).
    "CA_BUNDLE": os.environ.get("LIVEHUB_WEBHOOKS_CA_BUNDLE", ""),
    # Attempts before a delivery is marked failed; waits double from BASE up to CAP seconds
    # (10 attempts: about 2.5 hours in all).
    "ATTEMPTS": int(os.environ.get("LIVEHUB_WEBHOOKS_ATTEMPTS", "10")),
    "BACKOFF_BASE": 10.0,
    "BACKOFF_CAP": 3600.0,
}

LIVEHUB_JOINS_PER_MINUTE = int(os.environ.get("LIVEHUB_JOINS_PER_MINUTE", "1200"))
LIVEHUB_JOINS_BURST = int(os.environ.get("LIVEHUB_JOINS_BURST", "1000"))
LIVEHUB_EVENT_JOINS_PER_MINUTE = int(os.environ.get("LIVEHUB_EVENT_JOINS_PER_MINUTE", "6000"))
LIVEHUB_EVENT_JOINS_BURST = int(os.environ.get("LIVEHUB_EVENT_JOINS_BURST", "5000"))

# /metrics (Prometheus, README "Operator metrics"): a bearer token, an address allow-list
# (addresses or networks, comma-separated), or both, each then required. With neither it is 404.
LIVEHUB_METRICS_TOKEN = os.environ.get("LIVEHUB_METRICS_TOKEN", "")
LIVEHUB_METRICS_ALLOW = [item.strip() for item in os.environ.get("LIVEHUB_METRICS_ALLOW", "").split(",")]
LIVEHUB_METRICS_ALLOW = [item for item in LIVEHUB_METRICS_ALLOW if item]
for _network in LIVEHUB_METRICS_ALLOW:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"LIVEHUB_METRICS_ALLOW: {_network!r} is not an address or a network") from None

# Password sign-ins go through the rule of staff/throttle.py (5 failures an account, 20 an address).
AUTHENTICATION_BACKENDS = ["staff.backends.ThrottledModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The congress's languages (Brussels): the switch on every page offers them in this order.
LANGUAGES = [("en", "English"), ("fr", "Français"), ("nl", "Nederlands")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The switch's choice, remembered per device for a year; read by pages and the live socket.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
# The Vite build (frontend/dist); its manifest tells the templates which bundle each page loads.
LIVEHUB_FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
LIVEHUB_FRONTEND_DIST.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [LIVEHUB_FRONTEND_DIST]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Who may frame the livestream overlay (docs/organising.md): origins, space-separated, sent as
# `frame-ancestors 'self' …`. Empty: any site, since producers' tools may live anywhere; OBS's
# browser source opens the overlay as a page, not in a frame, so the list never concerns it.
LIVEHUB_OVERLAY_FRAME_ANCESTORS = os.environ.get("LIVEHUB_OVERLAY_FRAME_ANCESTORS", "").split()
_ORIGIN = re.compile(r"https?://(\*\.)?([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(:(\d{1,5}|\*))?")
for _origin in LIVEHUB_OVERLAY_FRAME_ANCESTORS:
    if not _ORIGIN.fullmatch(_origin):
        raise ImproperlyConfigured(
            f"LIVEHUB_OVERLAY_FRAME_ANCESTORS: {_origin!r} is not an origin such as https://studio.example.org"
        )
HTTPS = env_bool("HTTPS", False)
if not DEBUG and HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Only the header's `preload` directive; submitting the domain to the list is the operator's call.
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
