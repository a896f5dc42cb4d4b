"""Cadence settings: everything that differs between machines comes from the environment.

See README.md, "Configuration", for the variables and their defaults.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str
from config.logging import logging_config
from config.supervisor import redis_socket_path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CADENCE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

# A development key is only acceptable when DEBUG is on; production must set its own.
_DEV_SECRET_KEY = "django-insecure-cadence-development-only-key-never-use-in-production"
# Without a key, commands that sign nothing (migrate, makemigrations, check) still run;
# the web server and the workers refuse to start (config.startup.require_secret_key).
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "accounts.admin_site.CadenceAdminConfig",  # django.contrib.admin, administrators only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "guardian",
    "axes",  # lock-out after repeated failed sign-ins
    "django_otp",
    "django_otp.plugins.otp_totp",  # authenticator apps
    "django_otp.plugins.otp_static",  # recovery codes
    "accounts",
    "editorial",
    "workspace",
    "notifications",  # who is told what: receivers of the workflow signal
    "reports",  # what went out, approval lead times; CSV and PDF exports
    "calendar_feeds",  # private iCalendar subscriptions to the calendar
    "imports",  # a weekly plan imported from a spreadsheet
    "demo",  # `manage.py seed_demo`: the demo of `make run`
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from our own static files
    "api",  # the REST API and personal tokens (docs/api.md)
]

MIDDLEWARE = [
    # First: every log line of the request carries its id (config/logging.py).
    "config.logging.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files straight after the HTTPS redirect and HSTS: no session, no database.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.ChosenLanguageMiddleware",  # French unless switched
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified()
    "accounts.middleware.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any view: a session too old, or without the second factor it needs, stops here.
    "accounts.sessions.SessionTimeoutMiddleware",
    "accounts.two_factor.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.headers.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: answers a lock-out
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "editorial.context_processors.navigation",
                "editorial.context_processors.crisis",
                "notifications.context_processors.bell",
            ],
        },
    },
]

# Widgets render through the project's templates too (templates/widgets/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'cadence.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, scheduler) share the file: wait for the lock
    # instead of failing at once, and let readers go on while one writes (WAL).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# Celery closes the database connection around every task, so a publishing worker
# would open a new PostgreSQL session per publication: a pool (psycopg-pool) keeps them.
DATABASE_POOL_MAX_SIZE = env_int("DATABASE_POOL_MAX_SIZE", 0, minimum=0)
if DATABASE_POOL_MAX_SIZE and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(2, DATABASE_POOL_MAX_SIZE),
        "max_size": DATABASE_POOL_MAX_SIZE,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses every sign-in of a locked-out username before a password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row, nothing is public by grant
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# A password reset link is good for this long (Django's default is three days).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600, minimum=300)

# Lock-out (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username, that
# username cannot sign in for AXES_COOLOFF_TIME, whatever the address the tries come
# from (a guesser spreads them over many); a success before then starts the count again.
# By username only: behind the reverse proxy every person shares the proxy's address,
# and one typing office must not lock everyone out. Approval accounts also need 2FA.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 warns that a lock-out without the address can be dodged by changing the
# browser's user agent or cookies: true of a lock-out by user agent, not by username.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 200

# Two-factor authentication (accounts/two_factor.py): the roles that approve, sign off,
# pause or administer cannot act on a password alone. TOTP_ISSUER names the account in
# the person's authenticator app.
OTP_TOTP_ISSUER = env_str("TOTP_ISSUER", "Cadence")
# DEBUG only: these usernames skip two-factor authentication, so that a person trying
# `make run` signs in as the demo's director with "demo" alone (the Makefile sets it).
TWO_FACTOR_EXEMPT_USERNAMES = env_list("TWO_FACTOR_EXEMPT_USERNAMES", [])
if TWO_FACTOR_EXEMPT_USERNAMES and not DEBUG:
    raise ImproperlyConfigured("TWO_FACTOR_EXEMPT_USERNAMES is for the local demo (DEBUG) only.")

# Sessions (accounts/sessions.py): everyone is signed out after SESSION_IDLE_MINUTES
# without a request and after SESSION_COOKIE_AGE in all; the approval roles sooner.
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 12, minimum=1) * 3600
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_MINUTES", 120, minimum=1) * 60
PRIVILEGED_SESSION_SECONDS = env_int("PRIVILEGED_SESSION_HOURS", 8, minimum=1) * 3600
PRIVILEGED_SESSION_IDLE_SECONDS = env_int("PRIVILEGED_SESSION_IDLE_MINUTES", 30, minimum=1) * 60

# --- Languages and time ---------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The header's switch remembers a choice of English for a year (see ChosenLanguageMiddleware).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
# English times with their AM/PM always shown (config/formats/en/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/Paris")
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------
STATIC_URL = "static/"
# `manage.py collectstatic` writes here; WhiteNoise serves it (docs/deploy.md).
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Outside DEBUG, file names carry a hash of their content and are stored compressed:
# WhiteNoise then lets browsers keep them for a year, and a deploy changes the names.
# That needs `collectstatic` before the start; DEBUG serves the files as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Our own CSS and scripts, and the few files we use from the npm packages that
# `make setup` installs from package.json (never copied into the repository).
_NODE = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", _NODE / "htmx.org" / "dist"),
    ("vendor/fullcalendar/core", _NODE / "@fullcalendar" / "core"),
    ("vendor/fullcalendar/daygrid", _NODE / "@fullcalendar" / "daygrid"),
    ("vendor/fullcalendar/timegrid", _NODE / "@fullcalendar" / "timegrid"),
    ("vendor/fullcalendar/interaction", _NODE / "@fullcalendar" / "interaction"),
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploaded images (editorial/images.py): refused above this many bytes before being read,
# and above this many pixels from their header, before being decoded (a decompression
# bomb); a 40-megapixel image takes 160 MB of memory while it is written again.
IMAGE_UPLOAD_MAX_BYTES = env_int("IMAGE_UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
IMAGE_UPLOAD_MAX_PIXELS = env_int("IMAGE_UPLOAD_MAX_PIXELS", 40_000_000, minimum=1)

# --- E-mail (invitations, notifications) --------------------------------------------------
# The local run prints e-mails in its terminal (the console backend) instead of trying a
# mail server that is not there; production names its SMTP server.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Cadence <cadence@localhost>")
# Where the application is reached from outside: e-mails link to it.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# A delivery still pending this long after it was written lost its task: sent again.
NOTIFICATION_LEASE_SECONDS = env_int("NOTIFICATION_LEASE_SECONDS", 60, minimum=1)
# Time-based notices (notifications/timed.py), in minutes before a post's time, by
# category ("default" for the rest): a post still awaiting approval reminds its
# approvers, then escalates to the director; once its time has passed unapproved, its
# author and the community managers are told (looked for this far back).
NOTIFICATION_REMINDER_MINUTES = {"default": 120, "hot_news": 30}
NOTIFICATION_ESCALATION_MINUTES = {"default": 60, "hot_news": 15}
NOTIFICATION_MISSED_LOOKBACK_HOURS = env_int("NOTIFICATION_MISSED_LOOKBACK_HOURS", 24, minimum=1)
NOTIFICATION_TIMED_SWEEP_SECONDS = env_int("NOTIFICATION_TIMED_SWEEP_SECONDS", 60, minimum=1)
# The daily digest (notifications/digest.py): at this hour of each person's own day.
NOTIFICATION_DIGEST_HOUR = env_int("NOTIFICATION_DIGEST_HOUR", 8, minimum=0)
NOTIFICATION_DIGEST_SWEEP_SECONDS = env_int("NOTIFICATION_DIGEST_SWEEP_SECONDS", 300, minimum=1)
# Keep each e-mail's subject and text with its delivery, for the page listing sent mail
# (/notifications/sent-mail/, DEBUG only): a local run's mail is read there.
NOTIFICATION_KEEP_SENT_MAIL = env_bool("NOTIFICATION_KEEP_SENT_MAIL", DEBUG)

# --- Broker and tasks -----------------------------------------------------------------
# Without REDIS_URL, the broker is the local run's own Redis on a unix socket under
# var/, which `make run` (config.supervisor) starts: one kind of broker everywhere, and
# one that cannot lose or corrupt a message when a process dies mid-write.
REDIS_URL = env_str("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or f"redis+socket://{redis_socket_path(VAR_DIR)}"
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
# Sweeps are idempotent and find their own work: nothing worth persisting between runs,
# and no schedule file to corrupt when the scheduler is killed.
# Beat's own Scheduler, with a heartbeat and one log line per broker outage.
CELERY_BEAT_SCHEDULER = "config.beat:Scheduler"
OVERDUE_SWEEP_SECONDS = env_int("OVERDUE_SWEEP_SECONDS", 30, minimum=1)
CELERY_TASK_ACKS_LATE = True  # a message is done when its task is, not when received
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# --- Publishing -----------------------------------------------------------------------
PUBLISHING_SWEEP_SECONDS = env_int("PUBLISHING_SWEEP_SECONDS", 1, minimum=1)
PUBLISHING_SWEEP_BATCH = env_int("PUBLISHING_SWEEP_BATCH", 1000, minimum=1)
# A post due longer ago than this (the scheduler was down) is held for a person.
PUBLISHING_GRACE_MINUTES = env_int("PUBLISHING_GRACE_MINUTES", 15, minimum=0)
# How long a queued publication waits for its message before the sweep sends another.
PUBLISHING_LEASE_SECONDS = env_int("PUBLISHING_LEASE_SECONDS", 30, minimum=1)
# How long a worker's hold on the publications of the batch it runs lasts unless renewed
# (its keeper renews it every fifth of that): a killed worker's batch is sent again,
# and its send in flight looked up or marked unknown, this long after it died.
PUBLISHING_HOLD_SECONDS = env_int("PUBLISHING_HOLD_SECONDS", 5, minimum=1)
PUBLISHING_MAX_ATTEMPTS = env_int("PUBLISHING_MAX_ATTEMPTS", 5, minimum=1)
# Publications per publish_batch message: sent one after the other by one worker thread,
# each claimed just before its send (see editorial/publishing/sender.py).
PUBLISHING_TASK_BATCH = env_int("PUBLISHING_TASK_BATCH", 10, minimum=1)
PUBLISHING_RETRY_BASE_SECONDS = env_int("PUBLISHING_RETRY_BASE_SECONDS", 10, minimum=1)
# A publication still "sending" after this long is marked unknown by the reaper.
PUBLISHING_SENDING_TIMEOUT_SECONDS = env_int("PUBLISHING_SENDING_TIMEOUT_SECONDS", 120, minimum=1)
# Keep connect + write + read well under PUBLISHING_SENDING_TIMEOUT_SECONDS.
WEBHOOK_CONNECT_TIMEOUT_SECONDS = env_int("WEBHOOK_CONNECT_TIMEOUT_SECONDS", 3, minimum=1)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
# This site's public address (https://cadence.example.gouv.fr): chat webhooks (Slack,
# Mattermost, Teams) show a post's images from there. Unset: they refuse images.
CADENCE_PUBLIC_URL = env_str("CADENCE_PUBLIC_URL", "")
# Channel credentials at rest (editorial/credentials.py): comma-separated Fernet keys,
# the first encrypts, all decrypt. Unset: a key derived from SECRET_KEY in DEBUG, none
# otherwise (`manage.py check --deploy` says so).
CADENCE_CREDENTIALS_KEYS = env_list("CADENCE_CREDENTIALS_KEYS", [])
# The audit trail's seal (editorial/sealing.py): comma-separated secrets of 32+
# characters, the first seals, all verify. Unset: derived from SECRET_KEY in DEBUG.
CADENCE_AUDIT_KEYS = env_list("CADENCE_AUDIT_KEYS", [])
# Mastodon's API (editorial/channels/mastodon): how long to wait for an uploaded image
# to be processed before giving up on this attempt.
MASTODON_MEDIA_WAIT_SECONDS = env_int("MASTODON_MEDIA_WAIT_SECONDS", 20, minimum=1)
# OAuth 2 (editorial/channels/oauth.py, docs/channels.md "Connecting by OAuth"): the
# application each institution registers with a network, from the environment
# (CADENCE_X_CLIENT_ID, CADENCE_X_CLIENT_SECRET…); the networks' own endpoints are the
# adapters' defaults, which an entry's authorize_url / token_url / api_url replace.
CADENCE_NETWORKS = {
    network: {
        "client_id": env_str(f"CADENCE_{network.upper()}_CLIENT_ID", ""),
        "client_secret": env_str(f"CADENCE_{network.upper()}_CLIENT_SECRET", ""),
    }
    for network in ("x", "facebook", "instagram", "linkedin")
}
OAUTH_TIMEOUT_SECONDS = env_int("OAUTH_TIMEOUT_SECONDS", 10, minimum=1)
# The beat task refreshes, every OAUTH_REFRESH_SWEEP_SECONDS, the tokens that expire
# within OAUTH_REFRESH_MARGIN_MINUTES (X's live two hours; Facebook's and LinkedIn's
# weeks): wide enough that a network down for a while does not let one lapse.
OAUTH_REFRESH_SWEEP_SECONDS = env_int("OAUTH_REFRESH_SWEEP_SECONDS", 300, minimum=10)
OAUTH_REFRESH_MARGIN_MINUTES = env_int("OAUTH_REFRESH_MARGIN_MINUTES", 30, minimum=1)
HEARTBEAT_MAX_AGE_SECONDS = env_int("HEARTBEAT_MAX_AGE_SECONDS", 60, minimum=1)
# Each worker writes its own heartbeat this often (editorial/liveness.py).
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 10, minimum=1)
# /healthz turns unhealthy (503) beyond any of these (editorial/health.py).
# Who sees the checks' details on /healthz: a monitor sending this bearer token (and
# administrators signed in, and anyone in DEBUG); the rest get the verdict alone.
HEALTHZ_TOKEN = env_str("HEALTHZ_TOKEN", "")
HEALTH_MAX_QUEUE_DEPTH = env_int("HEALTH_MAX_QUEUE_DEPTH", 500, minimum=0)
HEALTH_MAX_DUE_LAG_SECONDS = env_int("HEALTH_MAX_DUE_LAG_SECONDS", 60, minimum=1)
HEALTH_MAX_UNKNOWN = env_int("HEALTH_MAX_UNKNOWN", 0, minimum=0)
HEALTH_MAX_HELD = env_int("HEALTH_MAX_HELD", 0, minimum=0)
HEALTH_MAX_RETRYING = env_int("HEALTH_MAX_RETRYING", 100, minimum=0)
HEALTH_MAX_FAILED_PER_DAY = env_int("HEALTH_MAX_FAILED_PER_DAY", 10, minimum=0)

# Pre-flight checks (editorial/publishing/preflight.py): this long before a slot, its
# posts are checked (credentials, approval, pauses, blackout periods), each channel's
# credentials asked at most this often; a post not out this long after its slot alerts.
PREFLIGHT_MINUTES = env_int("PREFLIGHT_MINUTES", 10, minimum=1)
PREFLIGHT_CREDENTIALS_CACHE_SECONDS = env_int("PREFLIGHT_CREDENTIALS_CACHE_SECONDS", 300, minimum=0)
LATE_POST_MINUTES = env_int("LATE_POST_MINUTES", 5, minimum=1)
PREFLIGHT_SWEEP_SECONDS = env_int("PREFLIGHT_SWEEP_SECONDS", 60, minimum=1)

CELERY_BEAT_SCHEDULE = {
    "sweep-publishing": {
        "task": "editorial.sweep_publishing",
        "schedule": PUBLISHING_SWEEP_SECONDS,
    },
    "reap-publications": {"task": "editorial.reap_publications", "schedule": 30},
    "sweep-overdue": {"task": "editorial.sweep_overdue", "schedule": OVERDUE_SWEEP_SECONDS},
    # The chain's head, logged outside the database; and the whole chain checked.
    "publish-audit-head": {"task": "editorial.publish_audit_head", "schedule": 3600},
    "verify-audit": {"task": "editorial.verify_audit", "schedule": 6 * 3600},
    "preflight-checks": {"task": "editorial.preflight_checks", "schedule": PREFLIGHT_SWEEP_SECONDS},
    "sweep-notification-deliveries": {
        "task": "notifications.sweep_deliveries",
        "schedule": NOTIFICATION_LEASE_SECONDS,
    },
    "refresh-channel-tokens": {
        "task": "editorial.refresh_channel_tokens",
        "schedule": OAUTH_REFRESH_SWEEP_SECONDS,
    },
    "notification-reminders": {
        "task": "notifications.remind",
        "schedule": NOTIFICATION_TIMED_SWEEP_SECONDS,
    },
    "notification-digests": {
        "task": "notifications.digests",
        "schedule": NOTIFICATION_DIGEST_SWEEP_SECONDS,
    },
}

# --- Workflow -------------------------------------------------------------------------
# Replies and short reactions by a community manager may go out on their own judgement.
# The REST API (api/, docs/api.md): tokens or the browser's session, JSON only, errors
# as the pages give them (api/errors.py), reads and writes throttled per token.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.PerToken"],
    "DEFAULT_THROTTLE_RATES": {
        "api-read": env_str("API_READ_RATE", "600/min"),
        "api-write": env_str("API_WRITE_RATE", "120/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.handle",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cadence API",
    "DESCRIPTION": "Posts, their actions, comments, weekly plans and channels. See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

CONVERSATION_SKIPS_APPROVAL = env_bool("CONVERSATION_SKIPS_APPROVAL", True)

# --- Security -------------------------------------------------------------------------
# No inline script anywhere, no style attribute: scripts and styles come from our own
# files. FullCalendar injects its <style> tags: they carry the page's nonce, read from
# <meta name="csp-nonce"> (templates/base.html). Data URIs for its icon font and our
# favicon; images only from here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", NONCE],
        "style-src-attr": ["'none'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Trusted only behind a reverse proxy that sets (and overwrites) X-Forwarded-Proto:
# otherwise any client could claim HTTPS. docs/deploy.md.
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Logs (config/logging.py): one JSON object a line in production, for a log shipper;
# readable lines in DEBUG (`make run`). Each line carries its request or task context,
# and no secret.
CADENCE_LOG_FORMAT = env_str("CADENCE_LOG_FORMAT", "plain" if DEBUG else "json")
if CADENCE_LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("CADENCE_LOG_FORMAT is json or plain.")
LOGGING = logging_config(CADENCE_LOG_FORMAT, env_str("LOG_LEVEL", "INFO"))

# Pages bounded by what a person can read (issue 18): posts a calendar day shows before
# its "+N more", rows per inbox group and page, undated items the plan board lists.
CALENDAR_EVENTS_PER_DAY = env_int("CALENDAR_EVENTS_PER_DAY", 12, minimum=1)
INBOX_PAGE_SIZE = env_int("INBOX_PAGE_SIZE", 25, minimum=1)
PLAN_BOARD_UNDATED = env_int("PLAN_BOARD_UNDATED", 20, minimum=1)
