"""Relais settings, read from environment variables (see README, "Configuration").

Defaults run the whole product on one machine with nothing installed but
Python: an SQLite file and a Celery broker kept in a folder. Production sets
DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY and DEBUG=false.
"""

import datetime
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from config import env

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env.string("RELAIS_DATA_DIR", str(BASE_DIR / "var")))

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
DEBUG = env.boolean("DEBUG", True)
SECRET_KEY = env.string("SECRET_KEY", _DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env.string_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.string_list("CSRF_TRUSTED_ORIGINS")
# `make run` serves on RELAIS_PORT (Procfile.dev); links in messages follow it unless
# SITE_URL names the public address.
RELAIS_PORT = env.integer("RELAIS_PORT", 8000)
SITE_URL = env.string("SITE_URL", f"http://127.0.0.1:{RELAIS_PORT}").rstrip("/")

INSTALLED_APPS = [
    "config.apps.RelaisAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "config.apps.RelaisConfig",
    "anymail",
    "phonenumber_field",
    "axes",  # login lock-outs (see "Guessing and flooding" below)
    "csp",  # Content-Security-Policy (see "Headers" below)
    "health_check",  # /health/ for production monitoring (config/health.py)
    "accounts",
    "notifications",
    "requests_center",
    "visitors",
    "workorders",
    "bookings",
    "alerts",
    "privacy",  # after every app: its admin extends theirs, its registry reads their privacy.py
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a login that axes refused into the page saying when to try again.
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.i18n",
                "notifications.context_processors.inbox",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env.string("DATABASE_URL", f"sqlite:///{DATA_DIR / 'relais.sqlite3'}"),
        conn_max_age=env.integer("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # web, workers and beat write to the same file: WAL lets readers and one writer
    # work at once, IMMEDIATE transactions queue writers instead of failing with
    # "database is locked", and the timeout is how long a writer waits its turn.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Guessing and flooding. django-axes counts failed logins, portal and back office
# alike (both go through authenticate()), per account *and* client address: after
# LOGIN_FAILURE_LIMIT failures that account is locked from that address for
# LOGIN_LOCKOUT_MINUTES after the last one, while its owner still logs in from
# elsewhere. Counts live in the database (shared by every web process);
# `manage.py axes_reset` lifts every lock. Password-reset limits: accounts/throttling.py.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked login before checking it
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.integer("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.integer("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.throttling.login_username"
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.throttling.locked_out"
AXES_RESET_ON_SUCCESS = True  # a person who got it right starts again from zero
AXES_DISABLE_ACCESS_LOG = True  # successful logins: last_login says enough
AXES_VERBOSE = False  # no banner at every start-up; failures are still logged
# Other limits (reset links, self check-in) count in Django's cache: per process
# by default, shared by every web process once CACHE_URL names a Redis server.
CACHE_URL = env.string("CACHE_URL")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"CACHE_URL={CACHE_URL!r}: expected a redis:// URL")
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }

# French first, English second; dates shown in each person's own zone.
LANGUAGE_CODE = env.string("LANGUAGE_CODE", "fr")
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.string("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = env.string("PHONENUMBER_DEFAULT_REGION", "FR")

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing one
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads are private: nothing under MEDIA_URL is served; core.files serves each file through
# a view that checks who asks. Behind nginx, name an `internal` location aliased to MEDIA_ROOT
# (e.g. "/private-files/") and nginx sends the bytes once the view says yes (see README).
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.string("MEDIA_ROOT", str(DATA_DIR / "media")))
PRIVATE_FILES_ACCEL_REDIRECT = env.string("PRIVATE_FILES_ACCEL_REDIRECT", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Production behind HTTPS sets these (see README); `check --deploy` is then clean.
SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.boolean("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env.boolean("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.boolean("SECURE_COOKIES", not DEBUG)
# Behind a proxy, every request comes from the proxy's address: the client's own
# (for login lock-outs and rate limits, core/ratelimit.py) is the one the proxy
# added to X-Forwarded-For, trusted only then; TRUSTED_PROXY_COUNT says how many
# proxies in a row add theirs (a load balancer then nginx: 2).
BEHIND_HTTPS_PROXY = env.boolean("BEHIND_HTTPS_PROXY", False)
TRUSTED_PROXY_COUNT = env.integer("TRUSTED_PROXY_COUNT", 1)
if TRUSTED_PROXY_COUNT < 1:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 1 or more.")
if BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Headers. A Content-Security-Policy on every page (django-csp): scripts only from
# our own static files, or inline with the page's nonce
# (`<script nonce="{{ request.csp_nonce }}">`); no page may be framed. Styles
# allow inline: the admin and email previews use style attributes, and an
# injected style cannot run code. Images from https: too, for a manager's email
# logo in the preview. Referrer-Policy, nosniff and X-Frame-Options are Django's.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "https:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = {
    feature: []
    for feature in ["camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"]
}

# Email: Django's mail API. Production names an anymail backend in
# EMAIL_BACKEND and gives its credentials as ANYMAIL_<SETTING> variables,
# e.g. ANYMAIL_BREVO_API_KEY -> ANYMAIL["BREVO_API_KEY"].
EMAIL_BACKEND = env.string("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "Relais <no-reply@relais.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): env.string(name)
    for name in sorted(env.names_with_prefix("ANYMAIL_"))
}
if "REQUESTS_TIMEOUT" in ANYMAIL:  # requests wants seconds as a number, not text
    ANYMAIL["REQUESTS_TIMEOUT"] = env.number("ANYMAIL_REQUESTS_TIMEOUT", None)

# Bookings' payments happen at a provider, which calls back signed with this secret
# (bookings/payments.py). BOOKINGS_FAKE_PAYMENTS shows a page that stands in for it.
BOOKINGS_PAYMENT_SECRET = env.string("BOOKINGS_PAYMENT_SECRET", "") or f"payments:{SECRET_KEY}"
BOOKINGS_FAKE_PAYMENTS = env.boolean("BOOKINGS_FAKE_PAYMENTS", DEBUG)

# Notification channels: kind -> backend class, imported on first use. SMS,
# push and voice print to the worker's log until production names a provider.
RELAIS_CHANNELS = {
    "email": "notifications.channels.email.EmailChannel",
    "inapp": "notifications.channels.inapp.InAppChannel",
    "sms": env.string("SMS_BACKEND", "notifications.channels.sms.ConsoleSMS"),
    "push": env.string("PUSH_BACKEND", "notifications.channels.push.ConsolePush"),
    "voice": env.string("VOICE_BACKEND", "notifications.channels.voice.ConsoleVoice"),
    "telegram": "notifications.channels.telegram.TelegramChannel",
    "whatsapp": env.string("WHATSAPP_BACKEND", "notifications.channels.whatsapp.ConsoleWhatsApp"),
}
TWILIO_ACCOUNT_SID = env.string("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env.string("TWILIO_AUTH_TOKEN", "")
TWILIO_SMS_FROM = env.string("TWILIO_SMS_FROM", "")  # a number in E.164, or a messaging service
TWILIO_VOICE_FROM = env.string("TWILIO_VOICE_FROM", "")
TWILIO_API_URL = env.string("TWILIO_API_URL", "")  # default: Twilio's own
FIREBASE_CREDENTIALS_FILE = env.string("FIREBASE_CREDENTIALS_FILE", "")
TWILIO_WHATSAPP_FROM = env.string("TWILIO_WHATSAPP_FROM", "")  # the WhatsApp sender, E.164
# Telegram (SPEC C-6): the platform's bot, for organisations that connect none of their own.
# The Bot API's address is a setting so development and tests talk to a fake on 127.0.0.1.
TELEGRAM_BOT_TOKEN = env.string("TELEGRAM_BOT_TOKEN", "")
TELEGRAM_BOT_USERNAME = env.string("TELEGRAM_BOT_USERNAME", "")
TELEGRAM_API_BASE = env.string("TELEGRAM_API_BASE", "https://api.telegram.org").rstrip("/")
# Integrations' secrets are encrypted with this Fernet key (default: derived from SECRET_KEY).
RELAIS_ENCRYPTION_KEY = env.string("RELAIS_ENCRYPTION_KEY", "")
# An erased person's email and number are kept hashed with this key, so that their STOP still
# holds (SPEC P-5). Changing it forgets those STOPs: set it once, apart from SECRET_KEY.
RELAIS_ERASURE_KEY = env.string("RELAIS_ERASURE_KEY", "") or f"erasure:{SECRET_KEY}"
# Retention (SPEC P-5): delivery contents older than each organisation's months are redacted,
# this many rows per UPDATE; deliveries of no organisation keep the default.
RELAIS_RETENTION_MONTHS = env.integer("RELAIS_RETENTION_MONTHS", 13)
RELAIS_RETENTION_BATCH = env.integer("RELAIS_RETENTION_BATCH", 1000)

# Celery: three queues so a mass alert (bulk) never delays an urgent message
# (high). Tasks are acknowledged after they run and given back if the worker
# dies, one at a time per process; the database outbox makes replays harmless.
# The host part means nothing to this transport, but kombu warns without one.
CELERY_BROKER_URL = env.string("CELERY_BROKER_URL", "filesystem://localhost/")
CELERY_RESULT_BACKEND = env.string("CELERY_RESULT_BACKEND")
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_QUEUES = [Queue("high"), Queue("default"), Queue("bulk")]
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Beat's periodic tasks. `migrate` installs them in django-celery-beat's tables
# (config/periodic.py), where the admin shows them and may change their pace.
# Each one is frequent and finds its due work in the database, in each person's
# own time zone, rather than one PeriodicTask per person (DESIGN, pitfalls).
RELAIS_PERIODIC_TASKS = {
    "Relais: send due reminders": {
        "task": "notifications.tasks.dispatch_due",
        "every_minutes": 1,
        "queue": "high",
    },
    "Relais: sweep what the broker lost": {
        "task": "notifications.tasks.sweep",
        "every_minutes": 1,
        "queue": "high",
    },
    "Relais: send due recaps": {
        "task": "notifications.tasks.send_due_recaps",
        "every_minutes": 15,
        "queue": "default",
    },
    "Relais: visitors still in at closing time": {
        "task": "visitors.tasks.close_the_day",
        "every_minutes": 15,
        "queue": "default",
    },
    "Relais: bookings nobody checked in to": {
        "task": "bookings.tasks.release_unchecked",
        "every_minutes": 5,
        "queue": "default",
    },
    "Relais: bookings that are over": {
        "task": "bookings.tasks.complete_ended",
        "every_minutes": 15,
        "queue": "default",
    },
    "Relais: waitlist offers whose claim window passed": {
        "task": "bookings.tasks.move_waitlist_holds",
        "every_minutes": 1,
        "queue": "default",
    },
    "Relais: appointments unpaid at their deadline": {
        "task": "bookings.tasks.release_unpaid_appointments",
        "every_minutes": 1,
        "queue": "default",
    },
    "Relais: members' validities expiring": {
        "task": "bookings.tasks.warn_expiring_validities",
        "every_minutes": 60,
        "queue": "default",
    },
    "Relais: redact deliveries past their retention": {
        "task": "notifications.tasks.redact_expired_deliveries",
        "every_minutes": 60,
        "queue": "bulk",
    },
}
CELERY_TIMEZONE = TIME_ZONE
# Celery's Django fixup closes the database connection after every task,
# whatever CONN_MAX_AGE says: a new PostgreSQL connection (and server process)
# per message sent. When persistent connections are asked for, it is told to
# leave them (a reuse limit it never reaches) and config/celery.py applies
# Django's own age limit around each task instead.
if DATABASES["default"]["CONN_MAX_AGE"]:
    CELERY_DB_REUSE_MAX = 2**31
# How often the relay (notifications/relay.py) looks for new events when it found none:
# the most an event waits, on an idle system, before its planning is on the broker.
RELAIS_RELAY_INTERVAL = env.number("RELAIS_RELAY_INTERVAL", 0.1)
# First wait before a failed send is retried, doubled at each retry (capped at 5 min).
RELAIS_RETRY_BASE_SECONDS = env.integer("RELAIS_RETRY_BASE_SECONDS", 10)
# Sending (SPEC N-21): deliveries due together go out in tasks of this many, each task's
# provider calls overlapping on the worker process's pool of this many threads.
RELAIS_SEND_BATCH_SIZE = env.integer("RELAIS_SEND_BATCH_SIZE", 50)
RELAIS_SEND_THREADS = env.integer("RELAIS_SEND_THREADS", 8)
# Pacing (SPEC N-21): what each sender may send per second, shared by every worker, so a
# 100,000-recipient run never overflows the provider's queue (Twilio: 1 SMS/s for a long
# code, more for a messaging service or a short code; calls: the account's CPS).
# Telegram: about 30 messages per second per bot for broadcasts (its Bot API FAQ).
RELAIS_SEND_RATES = {
    "sms": env.number("RELAIS_SMS_PER_SECOND", 10),
    "voice": env.number("RELAIS_CALLS_PER_SECOND", 1),
    "telegram": env.number("RELAIS_TELEGRAM_PER_SECOND", 25),
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _BROKER_DIR = DATA_DIR / "broker"
    for _folder in ("queue", "processed", "control"):
        (_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        "control_folder": str(_BROKER_DIR / "control"),  # broadcast (ping, shutdown) messages
        "store_processed": False,
        "polling_interval": 0.2,
    }
    CELERY_BROKER_TRANSPORT = "config.filesystem_broker:Transport"  # Ctrl-C stops at once

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},  # a failed login and a lock-out, not axes' bookkeeping
    },
}
