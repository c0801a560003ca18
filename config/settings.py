"""Học Số settings: one module, driven by environment variables.

Nothing set but DJANGO_SECRET_KEY → embedded default: SQLite file (WAL), in-memory channel
layer, local-memory cache, DEBUG off (no key refuses to start unless DJANGO_DEBUG=1).
Production sets DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DJANGO_HTTPS=1, DATABASE_URL and
REDIS_URL (README).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(int(default))).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")
# The key signs sessions, live-game player tokens, attendee codes and password-reset links:
# a site running on the public development key lets anyone forge them. Only a development
# site (DJANGO_DEBUG=1, as scripts/serve sets) may fall back to it.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value (for example the "
            "output of `python -c 'import secrets; print(secrets.token_urlsafe(50))'`), "
            "the same for every gunicorn and daphne process; or set DJANGO_DEBUG=1 for a "
            "development site, which then uses a public development key."
        )
    SECRET_KEY = "django-insecure-hocso-development-key-never-use-in-production"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "channels",
    "csp",
    "allauth",
    "allauth.account",
    "accounts",
    "courses",
    "learning",
    "quiz",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before whitenoise, so static files (an .svg opened on its own) carry the policy too.
    "config.headers.ContentSecurityPolicyMiddleware",
    "config.headers.permissions_policy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.VietnameseFirstLocaleMiddleware",
    "accounts.middleware.NulRefusedMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RateLimitedMiddleware",
    "accounts.middleware.ConsentRequiredMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# Where a course and a lesson are read is the reader's address (learning), which the
# content app below it must not know. Django's per-installation hook gives the models their
# get_absolute_url (templates, the admin's "view on site" and preview links) from this top
# floor, which knows both apps; the alternative, learning patching courses' classes in
# AppConfig.ready(), would hide it.
ABSOLUTE_URL_OVERRIDES = {
    "courses.course": lambda course: reverse("learning:course", args=[course.slug]),
    "courses.lesson": lambda lesson: reverse(
        "learning:lesson", args=[lesson.course.slug, lesson.pk]
    ),
}

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
                "accounts.context_processors.roles",
            ],
        },
    },
]

# Forms render through templates/django/forms/ (one field layout for every form, allauth's too).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database: SQLite (WAL) unless DATABASE_URL is set -------------------------------------
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"],
            conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        )
    }
    # Parameters sent apart from the query, and a query prepared the fifth time a connection
    # runs it, so PostgreSQL plans the hot ones (a submission, an answer) once per
    # connection instead of on every request. Needs a direct connection or a pooler in
    # session mode (prepared statements live in the server session); restart the app
    # servers after a migration that changes a table's columns.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # Keep the connection between requests: opening one and running the PRAGMAs
            # below cost about a millisecond per page (bench/lesson.py).
            "CONN_MAX_AGE": int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # WAL lets readers go on while one writer commits; IMMEDIATE takes the write
                # lock at BEGIN so concurrent writers wait (busy_timeout) instead of failing.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channel layer and cache: in-memory unless REDIS_URL is set ---------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# redis-py's pool defaults to 100 connections and raises "Too many connections" beyond
# that; a join burst of players needs more, so the bound is explicit and configurable.
REDIS_MAX_CONNECTIONS = int(os.environ.get("REDIS_MAX_CONNECTIONS", "1000"))
# A Redis restart must cost seconds, not the game: fail fast instead of hanging on a dead
# socket, retry once on a fresh connection (the pooled one died with the old server), and
# ping connections idle for a while before using them (tests/quiz/test_game_faults.py).
REDIS_CONNECTION = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "retry_on_error": [RedisConnectionError, RedisTimeoutError],
    "health_check_interval": 15,
}
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "max_connections": REDIS_MAX_CONNECTIONS,
                        **REDIS_CONNECTION,
                    }
                ],
                "prefix": os.environ.get("REDIS_PREFIX", "hocso"),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "config.cache.SharedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("REDIS_PREFIX", "hocso"),
            "OPTIONS": {"max_connections": REDIS_MAX_CONNECTIONS, **REDIS_CONNECTION},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # LocMemCache keeps 300 entries by default: sessions, users, course pages and every
    # festival short link (two keys each) would push each other out, and scan counts not
    # yet flushed would be lost (bench/festival.py found it). One process, so plenty.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# --- Accounts (allauth, phone-first) ------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Django's and allauth's backends, loading the logged-in user from the cache.
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
# Sessions read from the cache (Redis in production), written through to the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"phone"}
ACCOUNT_SIGNUP_FIELDS = ["phone*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.ProfileSignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
# Notification emails: printed to the log unless an SMTP server is configured.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Học Số <khong-tra-loi@localhost>")
ACCOUNT_PHONE_VERIFICATION_ENABLED = env_bool("PHONE_VERIFICATION", True)
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = True
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_CHANGE = True
# allauth resets passwords by email only; a phone-first resident who forgot the password
# signs in with a code sent by SMS instead.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_FORMS = {
    "login": "accounts.adapter.PhoneLoginForm",
    "reset_password": "accounts.adapter.NeutralResetPasswordForm",
}
# Six digits: typed on a phone's number pad; allauth allows 3 tries per code.
ALLAUTH_USER_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
# allauth's per-IP defaults (3 verification SMS and 20 sign-ups a minute) would stop a
# festival booth: a whole commune signs up through one Wi-Fi router or one carrier NAT
# address. Per-number limits stay strict; per-IP limits fit a busy booth.
ACCOUNT_RATE_LIMITS = {
    "signup": "120/m/ip",
    "login": "120/m/ip",
    "login_failed": "60/m/ip,5/300s/key",
    "verify_phone": "1/30s/key,60/m/ip",
    "request_login_code": "60/m/ip,3/m/key",
    # allauth's default, written out: the email reset, keyed on the address typed.
    "reset_password": "20/m/ip,5/m/key",
}
# Every per-address limit above (and the join page's and the sockets', which ask allauth for
# the address) must see the phone's address, not nginx's: behind nginx every request comes
# from 127.0.0.1 and the whole province would share one count, as it shared one per-account
# count before the phone keyed it. nginx appends the address it saw to X-Forwarded-For and
# allauth takes that last entry, which a client cannot forge. Production (DJANGO_HTTPS=1)
# runs behind one nginx; a site reached directly (daphne on its own) must trust no header.
ALLAUTH_TRUSTED_PROXY_COUNT = int(
    os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "1" if env_bool("DJANGO_HTTPS") else "0")
)
# Live games and leaderboards: sockets one address may hold per game or round (quiz/sockets.py).
# Generous, since a festival hall's phones share one Wi-Fi address; a load test from one
# machine raises it.
SOCKETS_PER_ADDRESS = int(os.environ.get("DJANGO_SOCKETS_PER_ADDRESS", "2000"))
DIRECT_FRAMES = env_bool("HOCSO_DIRECT_FRAMES", True)  # off: Channels' send only (quiz/frames.py)
# The join page, per minute (quiz/games.py): visits per address — each phone makes two (the
# page, then its nickname), so 3,000 lets 1,500 phones behind one address in within a minute —
# and PINs of no open game, which is what a guesser shows and a hall does not.
GAME_JOIN_LIMITS = {
    "visits": (int(os.environ.get("DJANGO_JOIN_VISITS_PER_MINUTE", "3000")), 60),
    "misses": (int(os.environ.get("DJANGO_JOIN_MISSES_PER_MINUTE", "60")), 60),
}
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_LOGOUT_ON_GET = False
# Off on purpose, for sign-up and sign-in by phone: with it on, allauth would accept a sign-up
# for a number that already has an account and text its owner instead, and pretend to send a
# sign-in code to a number without one. Residents who forgot they signed up (and volunteers
# signing people up at a booth) need "this number already has an account" on the spot, each
# of those SMS costs the province money, and that a number uses Học Số is no secret among
# neighbours. What stops harvesting numbers in bulk is the per-address and per-number rate
# limits above. Email is another matter: the password-reset page answers the same for any
# address (accounts.adapter.NeutralResetPasswordForm) and mails nothing to unknown ones.
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"
ACCOUNT_SIGNUP_REDIRECT_URL = "accounts:profile"
LOGOUT_REDIRECT_URL = "home"
# Where SMS go: "console" writes them to the server log; "locmem" keeps them in
# accounts.sms.outbox (tests). A real gateway is one more class in accounts/sms.py.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "console")

# --- Language and time --------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

# --- Static files (whitenoise serves them under daphne and gunicorn alike) ----------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production runs `collectstatic` and sets DJANGO_STATIC_MANIFEST=1 (hashed, compressed
# names, cached forever); otherwise whitenoise serves straight from the source folders.
STATIC_MANIFEST = env_bool("DJANGO_STATIC_MANIFEST")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Files with personal data (report exports): never served as static or media, only
# through a view that checks who asks.
PRIVATE_ROOT = Path(os.environ.get("PRIVATE_ROOT", BASE_DIR / "private"))
# Big exports are built in a thread after the request answers (a sync worker is not held
# for ten seconds); tests run them inline.
EXPORTS_IN_BACKGROUND = env_bool("DJANGO_EXPORTS_IN_BACKGROUND", default=True)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security: DJANGO_HTTPS=1 behind nginx terminating TLS --------------------------------
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp; config/headers.py adds this host's ws:/wss: origin
# to connect-src). Scripts and styles only from our own static files: no inline <script>,
# no on…= handlers, no style="…" (templates use classes; tests/config/test_csp.py checks
# every template, and the browser tests fail on any violation). Lesson images may come
# from any https: address (docs/course-format.md: ![mô tả](https://…)); lessons link to
# videos and never embed them, so no frames at all. Nothing may frame the site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "https:"],
        "connect-src": ["'self'"],
        "frame-src": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features: the camera for the site's own pages (festival check-in scans QR codes
# with jsQR), everything else a page could ask for is off.
PERMISSIONS_POLICY = {
    "camera": ["self"],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
    "serial": [],
    "hid": [],
    "midi": [],
    "accelerometer": [],
    "gyroscope": [],
    "magnetometer": [],
    "display-capture": [],
}
SESSION_COOKIE_HTTPONLY = True
if env_bool("DJANGO_HTTPS"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "hocso": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
