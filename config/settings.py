"""Settings for 提案办理系统, read from the environment (see README.md, "Configuration").

One module for every deployment: the defaults give an embedded set-up (SQLite
and Celery's filesystem transport under var/) that needs nothing installed;
production sets DATABASE_URL, REDIS_URL, SECRET_KEY, DEBUG=false and
ALLOWED_HOSTS.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

from config import env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.string("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.boolean("DEBUG", True)

_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
SECRET_KEY = env.string("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")

ALLOWED_HOSTS = env.string_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.string_list("CSRF_TRUSTED_ORIGINS", [])
# A refused form gets the site's Chinese page saying what to do next (config/errors.py).
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"
SITE_URL = env.string("SITE_URL", "http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "unfold",
    "unfold.contrib.filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prometheus",
    "accounts",
    "proposals",
    "responses",
    "dashboard",
    "imports",
    "api",
    "ops",
    "documents",
]

MIDDLEWARE = [
    # First and last: request latency by view for the metrics (ops/metrics.py).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Late, so that it sees the view's exception before the rest (only the metrics' timer is after it):
    # a locked database answers a "busy" page.
    "config.busy.DatabaseBusyMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# The portal and dashboard pages are Jinja2 templates under templates/jinja2/ (config/jinja2.py says why); the
# admin, the reply letter and the emails are the Django templates beside them.
TEMPLATE_CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "django.template.context_processors.i18n",
    "proposals.context_processors.portal",
    "ops.context_processors.sign_on",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "config.jinja2.environment",
            "context_processors": TEMPLATE_CONTEXT_PROCESSORS,
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": TEMPLATE_CONTEXT_PROCESSORS,
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL names another.
DATABASE_URL = env.string("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env.integer("DB_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Waits instead of failing when the worker and the web process write at once; WAL lets
    # readers go on while one writes, and commits without waiting for the disk each time.
    # IMMEDIATE: a transaction takes the write lock when it begins, so one that reads and then
    # writes waits its turn (the busy timeout) instead of failing with "database is locked" when
    # another process wrote in between (SQLite cannot upgrade a read lock held by a stale snapshot).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env.integer("SQLITE_BUSY_TIMEOUT", 20),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": env.string("TEST_SQLITE_NAME", "") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Password sign-in (throttled) unless LOCAL_LOGIN_ENABLED=false; single sign-on when OIDC_ENABLED (below).
LOCAL_LOGIN_ENABLED = env.boolean("LOCAL_LOGIN_ENABLED", True)
AUTHENTICATION_BACKENDS = ["accounts.security.ThrottledModelBackend"] if LOCAL_LOGIN_ENABLED else []
# Sign-in throttling (accounts/security.py): failures per account, and per address, within the window.
LOGIN_FAILURE_LIMIT = env.integer("LOGIN_FAILURE_LIMIT", 5)
LOGIN_IP_FAILURE_LIMIT = env.integer("LOGIN_IP_FAILURE_LIMIT", 30)
LOGIN_LOCKOUT_SECONDS = env.integer("LOGIN_LOCKOUT_SECONDS", 900)
# How many reverse proxies in front of the app append to X-Forwarded-For; 0 believes no such header.
TRUSTED_PROXY_COUNT = env.integer("TRUSTED_PROXY_COUNT", 0)
LOGIN_URL = "login"

# Single sign-on through an OpenID Connect provider (ops/oidc.py, README "Single sign-on").
OIDC_ENABLED = env.boolean("OIDC_ENABLED", False)
OIDC_RP_CLIENT_ID = env.string("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env.string("OIDC_RP_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = env.string("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env.string("OIDC_RP_SCOPES", "openid email profile")
OIDC_OP_ISSUER = env.string("OIDC_OP_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.string("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env.string("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env.string("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env.string("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_OP_LOGOUT_ENDPOINT = env.string("OIDC_OP_LOGOUT_ENDPOINT", "")
# How a first sign-in finds the existing account: "username" (the claim below) or "email" (verified).
OIDC_MATCH_ON = env.string("OIDC_MATCH_ON", "username")
OIDC_USERNAME_CLAIM = env.string("OIDC_USERNAME_CLAIM", "preferred_username")
OIDC_REQUIRE_VERIFIED_EMAIL = env.boolean("OIDC_REQUIRE_VERIFIED_EMAIL", True)
OIDC_LEEWAY_SECONDS = env.integer("OIDC_LEEWAY_SECONDS", 30)
# Match the signing key by the token's "kid"; false only for a provider whose keys carry none.
OIDC_VERIFY_KID = env.boolean("OIDC_VERIFY_KID", True)
OIDC_TIMEOUT = env.integer("OIDC_TIMEOUT", 5)
OIDC_CREATE_USER = False
OIDC_STORE_ID_TOKEN = True
OIDC_CALLBACK_CLASS = "ops.oidc.Callback"
OIDC_OP_LOGOUT_URL_METHOD = "ops.oidc.provider_logout_url"
if OIDC_MATCH_ON not in ("username", "email"):
    raise ImproperlyConfigured(f"OIDC_MATCH_ON must be username or email, not {OIDC_MATCH_ON!r}")
if OIDC_ENABLED:
    for _name in (
        "OIDC_RP_CLIENT_ID",
        "OIDC_RP_CLIENT_SECRET",
        "OIDC_OP_ISSUER",
        "OIDC_OP_AUTHORIZATION_ENDPOINT",
        "OIDC_OP_TOKEN_ENDPOINT",
        "OIDC_OP_USER_ENDPOINT",
        "OIDC_OP_JWKS_ENDPOINT",
    ):
        if not globals()[_name]:
            raise ImproperlyConfigured(f"{_name} must be set when OIDC_ENABLED is true")
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "ops.oidc.Backend"]
if not AUTHENTICATION_BACKENDS:
    raise ImproperlyConfigured("LOCAL_LOGIN_ENABLED=false needs OIDC_ENABLED=true: nobody could sign in")
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "login"

# Argon2id (memory-hard) for new and changed passwords; older hashes still verify and are upgraded at sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Ours first; locale_vendor/ holds zh-hans for packages that ship none (django-unfold).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.string("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Attachments live outside any web root; only a permission-checking view serves them.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "private"), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}
MEDIA_ROOT = VAR_DIR / "private"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
ATTACHMENT_MAX_BYTES = env.integer("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)

# Email: printed to the console unless EMAIL_BACKEND says otherwise.
EMAIL_BACKEND = env.string("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env.string("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env.string("EMAIL_HOST", "localhost")
EMAIL_PORT = env.integer("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.string("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.string("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.boolean("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env.boolean("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.integer("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "提案办理系统 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. Secure defaults whenever DEBUG is off; each can be relaxed from the
# environment (for example SECURE_SSL_REDIRECT=false behind a TLS proxy that redirects itself).
SESSION_COOKIE_SECURE = env.boolean("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env.boolean("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.boolean("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env.boolean("SECURE_HSTS_PRELOAD", not DEBUG)
if env.boolean("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Load balancers and monitoring ask over plain HTTP on the private side.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = env.integer("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True

# Celery: Redis when REDIS_URL is set, otherwise the filesystem transport under var/.
REDIS_URL = env.string("REDIS_URL", "")

# The one cache every process shares (dashboard figures, filter options; keys and versions in
# proposals/cache_versions.py). Redis when REDIS_URL is set; short socket timeouts so that a Redis
# that is down or slow costs a page a second at most (the pages then compute what they need without
# the cache). Without Redis (the embedded set-up: one machine) the cache is files under var/cache/,
# which the web processes and the worker share, so a version bumped by one is seen by all.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "tian",
            # Passed to redis-py's ConnectionPool.from_url.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
CELERY_FS_DIR = VAR_DIR / "celery"
# Publishing from a web request must never wait on a broker that is down: one connection attempt
# with a one-second connect timeout and no retry (kombu's "max_retries" here is how often it
# reconnects before giving up, sleeping two seconds before the first retry; 0 means none). The
# reminder sweep publishes again whatever a dead broker refused. Workers reconnect on their own
# terms (broker_connection_max_retries), unaffected by this.
REDIS_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "max_retries": 0,
}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_TRANSPORT_OPTIONS
else:
    for sub in ("queue", "processed", "control"):
        (CELERY_FS_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FS_DIR / "queue"),
        "data_folder_out": str(CELERY_FS_DIR / "queue"),
        "processed_folder": str(CELERY_FS_DIR / "processed"),
        "control_folder": str(CELERY_FS_DIR / "control"),
        "store_processed": False,
        # The transport looks for new messages this often (kombu's default is once a second, which
        # held the embedded set-up to about one task a second).
        "polling_interval": env.number("CELERY_FS_POLLING_INTERVAL", 0.1),
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing gives up at once: no retry loop in a web request; the scan's sweep catches up later.
CELERY_TASK_PUBLISH_RETRY = False
# The scan (and its sweep) has a queue of its own, which every worker also consumes, so a backlog of
# deliveries never makes a scan wait behind it until it expires.
CELERY_TASK_QUEUES = (
    Queue("celery", Exchange("celery"), routing_key="celery"),
    Queue("scheduled", Exchange("scheduled"), routing_key="scheduled"),
)
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "responses.tasks.scan_reminders": {"queue": "scheduled"},
    "documents.tasks.prune_builds": {"queue": "scheduled"},
}
CELERY_TASK_ALWAYS_EAGER = env.boolean("CELERY_TASK_ALWAYS_EAGER", False)

REMINDER_SCAN_CRONTAB = env.string("REMINDER_SCAN_CRONTAB", "* * * * *")
# Seconds between scans instead of the crontab (tests and busy sites); 0 uses the crontab.
REMINDER_SCAN_INTERVAL = env.integer("REMINDER_SCAN_INTERVAL", 0)
# Unsent reminders queued longer ago than this are queued again (a dead worker or a lost publish).
REMINDER_REQUEUE_SECONDS = env.integer("REMINDER_REQUEUE_SECONDS", 300)
# A delivery holds its reminder this long (claim to sent mark); longer than a slow SMTP exchange,
# so that no second worker takes a row whose message is still going out.
REMINDER_LEASE_SECONDS = env.integer("REMINDER_LEASE_SECONDS", max(60, 6 * EMAIL_TIMEOUT))
# Retries after a failed send wait 2, 4, 8 ... minutes, never more than this: no final give-up.
REMINDER_RETRY_MAX_SECONDS = env.integer("REMINDER_RETRY_MAX_SECONDS", 1800)
# Mail failing for this long shows a banner to committee staff and makes /healthz report "degraded".
REMINDER_MAIL_ALERT_SECONDS = env.integer("REMINDER_MAIL_ALERT_SECONDS", 3600)
# Reminders handed to one delivery task (sent one by one over one SMTP connection).
REMINDER_BATCH_SIZE = env.integer("REMINDER_BATCH_SIZE", 20)
if REMINDER_LEASE_SECONDS <= EMAIL_TIMEOUT:
    raise ImproperlyConfigured("REMINDER_LEASE_SECONDS must be longer than EMAIL_TIMEOUT")
try:
    _minute, _hour, _dom, _month, _dow = REMINDER_SCAN_CRONTAB.split()
except ValueError as exc:
    raise ImproperlyConfigured(f"REMINDER_SCAN_CRONTAB must have five fields, not {REMINDER_SCAN_CRONTAB!r}") from exc
if REMINDER_SCAN_INTERVAL > 0:
    _scan_schedule = float(REMINDER_SCAN_INTERVAL)
    _scan_expires = max(1.0, REMINDER_SCAN_INTERVAL * 0.9)
else:
    _scan_schedule = crontab(minute=_minute, hour=_hour, day_of_month=_dom, month_of_year=_month, day_of_week=_dow)
    _scan_expires = 55.0
CELERY_BEAT_SCHEDULE = {
    "scan-reminders": {
        "task": "responses.tasks.scan_reminders",
        "schedule": _scan_schedule,
        # A scan not started before the next one is due is dropped: the next one covers it.
        "options": {"expires": _scan_expires},
    },
    "prune-document-builds": {
        "task": "documents.tasks.prune_builds",
        "schedule": crontab(minute=40, hour=3),
        "options": {"expires": 3600},
    },
}
# Built compilations (documents.DocumentBuild) and their files are deleted this many days after they
# were finished; they can be built again at any time.
DOCUMENT_BUILDS_KEEP_DAYS = env.integer("DOCUMENT_BUILDS_KEEP_DAYS", 30)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Each worker writes a heartbeat this often; /healthz calls the workers degraded when the newest is older.
WORKER_HEARTBEAT_SECONDS = env.integer("WORKER_HEARTBEAT_SECONDS", 30)
WORKER_HEARTBEAT_STALE_SECONDS = env.integer("WORKER_HEARTBEAT_STALE_SECONDS", 120)

# Metrics (ops/metrics.py): answered only to these client networks (others get 404). The client
# address is read behind TRUSTED_PROXY_COUNT proxies, like the sign-in throttle's.
METRICS_ALLOWED_NETWORKS = env.networks("METRICS_ALLOWED_NETWORKS", ["127.0.0.1/32", "::1/128"])
PROMETHEUS_EXPORT_MIGRATIONS = False

# `manage.py upgrade_check` (make upgrade) warns about migrations that lock tables of at least this many rows.
UPGRADE_BIG_TABLE_ROWS = env.integer("UPGRADE_BIG_TABLE_ROWS", 100_000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Sign-ins, failed sign-ins and permission refusals, with user, address and time.
        "security": {"level": "INFO"},
    },
}

UNFOLD = {
    "SITE_TITLE": _("Proposal handling system"),
    "SITE_HEADER": _("Proposal handling system"),
    "SITE_SYMBOL": "description",
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "DASHBOARD_CALLBACK": "dashboard.admin_home.dashboard_callback",
    # From the site's mark in the sidebar: the statistics and the portal, the other faces of the system.
    "SITE_DROPDOWN": [
        {"icon": "bar_chart", "title": _("Statistics"), "link": reverse_lazy("dashboard:index")},
        {"icon": "home", "title": _("Portal home"), "link": reverse_lazy("portal:home")},
    ],
    # Names for the search fields select2 draws without a label (static/js/admin-a11y.js).
    "SCRIPTS": [lambda request: static("js/admin-a11y.js")],
    # One visual identity: unfold's primary colour is the site's red (static/css/site.css --red = 600),
    # not unfold's purple. 600 carries white text at 6.6:1.
    "COLORS": {
        "primary": {
            "50": "#fdf3f3",
            "100": "#fbe5e5",
            "200": "#f6cccc",
            "300": "#eea5a5",
            "400": "#e06f6f",
            "500": "#cf3b3b",
            "600": "#b71c1c",
            "700": "#a31515",
            "800": "#8e1414",
            "900": "#761616",
            "950": "#400808",
        },
    },
}

DEMO_PASSWORD = env.string("DEMO_PASSWORD", "tian-an-2026")

# The API (api/): session or per-user token, signed-in users only, errors as problem+json, the lists'
# keyset pages, throttled per token (per user for the session, per address otherwise).
API_RATE = env.string("API_RATE", "600/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First: an anonymous call is told how to authenticate (401 with WWW-Authenticate: Bearer).
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.KeysetPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": API_RATE},
    "EXCEPTION_HANDLER": "api.problems.problem_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "提案办理系统 API",
    "DESCRIPTION": _(
        "Read proposals, assignments and replies as the pages show them, and take the workflow steps other "
        "systems take. Authenticate with the browser's session or with a token that committee staff create "
        "in the admin: Authorization: Bearer ta_…"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProposalStatusEnum": "proposals.choices.ProposalStatus",
        "ProposalKindEnum": "proposals.choices.ProposalKind",
        "ProposerRoleEnum": "proposals.choices.ProposerRole",
        "ProposerStatusEnum": "proposals.choices.ProposerStatus",
        "AssignmentRoleEnum": "responses.choices.AssignmentRole",
        "AssignmentStatusEnum": "responses.choices.AssignmentStatus",
        "ReplyStatusEnum": "responses.choices.ReplyStatus",
        "SatisfactionEnum": "responses.choices.Satisfaction",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_problem_responses",
    ],
}
# Import of earlier sessions (imports/): the largest workbook the admin accepts, and where an uploaded
# workbook waits between its preview and the clerk's confirmation.
IMPORT_MAX_BYTES = env.integer("IMPORT_MAX_BYTES", 50 * 1024 * 1024)
IMPORT_UPLOAD_DIR = VAR_DIR / "imports"
