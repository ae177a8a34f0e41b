"""Jusha's one settings module.

Everything a deployment changes comes from environment variables, parsed strictly: a value that
cannot be understood stops start-up instead of silently falling back. The defaults are the safe
production ones; `jusha demo` and the test runner switch DEBUG on explicitly.
"""

import base64
import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("JUSHA_DATA_DIR", BASE_DIR.parent / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false, 1/0, yes/no, on/off)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str) -> str | None:
    """A secret from NAME, or from the file that NAME_FILE points at (Docker/systemd credentials)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name) or None


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off")
    SECRET_KEY = "jusha-insecure-development-key-never-use-in-production-0123456789"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "django_tasks_db",
    "jusha.core",
    "jusha.places",
    "jusha.orgs",
    "jusha.accounts",
    "jusha.audit",
    "jusha.web",
    "jusha.calendars",
    "jusha.needs",
    "jusha.resources",
    "jusha.wishes",
    "jusha.points",
    "jusha.livelihood",
    "jusha.volunteers",
    "jusha.activities",
    "jusha.attendance",
    "jusha.projects",
    "jusha.cases",
    "jusha.devices",
    "jusha.open311",
    "jusha.indicators",
    "jusha.command",
    "jusha.notifications",
    "jusha.onboarding",
    "jusha.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jusha.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "jusha.urls"
WSGI_APPLICATION = "jusha.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jusha.web.context_processors.shell",
            ],
        },
    },
]

# SQLite is the embedded default; DATABASE_URL switches to PostgreSQL for production and scale.
DATA_DIR.mkdir(parents=True, exist_ok=True)
_default_db = f"sqlite:///{DATA_DIR / 'jusha.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so two
        # writers queue on busy_timeout instead of failing with "database is locked" mid-transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["jusha.accounts.backends.StaffPasswordBackend", "jusha.accounts.backends.MobileCodeBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after inactivity: every request pushes the expiry forward.
SESSION_COOKIE_AGE = env_int("JUSHA_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("JUSHA_STATIC_ROOT", DATA_DIR / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("JUSHA_MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("JUSHA_BEHIND_TLS_PROXY", False) else None
SECURE_SSL_REDIRECT = env_bool("JUSHA_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("JUSHA_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("JUSHA_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# Preloading is for public hostnames; government intranet hosts cannot be on the browsers' list, so it
# is opt-in and the deploy check's reminder about it is silenced while it is off.
SECURE_HSTS_PRELOAD = env_bool("JUSHA_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("JUSHA_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JUSHA_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Jusha's own settings -------------------------------------------------------------------------
# Map tiles: a deployment points this at its own tile server; empty means the map draws without tiles.
JUSHA_TILE_URL = os.environ.get("JUSHA_TILE_URL", "")
JUSHA_TILE_ATTRIBUTION = os.environ.get("JUSHA_TILE_ATTRIBUTION", "")

# (dotted path, seconds): what `jusha worker` runs on a timer; every job is idempotent.
JUSHA_PERIODIC_JOBS = [
    ("jusha.notifications.services.deliveries_due", 60),
    ("jusha.wishes.services.wishes_lapse_sweep", 600),
    ("jusha.wishes.services.wishes_expire_sweep", 3600),
    ("jusha.needs.services.needs_overdue_sweep", 60),
    ("jusha.needs.services.needs_auto_confirm", 300),
    ("jusha.cases.services.cases_overdue_sweep", 60),
    ("jusha.activities.services.activities_remind_sweep", 300),
    ("jusha.attendance.services.attendance_close_forgotten", 300),
    ("jusha.points.services.points_expire_due", 3600),
    ("jusha.livelihood.services.surveys_close_sweep", 300),
]

# How often a process re-checks the database for a service calendar changed by another process.
JUSHA_CALENDAR_RECHECK_SECONDS = env_int("JUSHA_CALENDAR_RECHECK_SECONDS", 5)
# The largest file an import accepts (bytes); 100,000 residents in .xlsx are about 4 MB.
JUSHA_IMPORT_MAX_BYTES = env_int("JUSHA_IMPORT_MAX_BYTES", 50 * 1024 * 1024)

# How often a process re-checks the database for place boundaries changed by another process.
JUSHA_PLACES_RECHECK_SECONDS = env_int("JUSHA_PLACES_RECHECK_SECONDS", 5)

# One-time codes sent to residents' mobiles.
JUSHA_CODE_TTL_SECONDS = env_int("JUSHA_CODE_TTL_SECONDS", 300)
JUSHA_CODE_MAX_ATTEMPTS = env_int("JUSHA_CODE_MAX_ATTEMPTS", 5)
JUSHA_CODE_PER_MOBILE_PER_HOUR = env_int("JUSHA_CODE_PER_MOBILE_PER_HOUR", 5)
JUSHA_CODE_RESEND_SECONDS = env_int("JUSHA_CODE_RESEND_SECONDS", 60)
JUSHA_CODE_PER_IP_PER_HOUR = env_int("JUSHA_CODE_PER_IP_PER_HOUR", 30)
# "console" logs the message; "webhook" POSTs JSON to JUSHA_SMS_WEBHOOK_URL (an SMS gateway or bridge).
JUSHA_SMS_SENDER = os.environ.get("JUSHA_SMS_SENDER", "console")
JUSHA_SMS_WEBHOOK_URL = os.environ.get("JUSHA_SMS_WEBHOOK_URL", "")
JUSHA_SMS_WEBHOOK_SECRET = env_secret("JUSHA_SMS_WEBHOOK_SECRET") or ""
JUSHA_SMS_WEBHOOK_TIMEOUT = env_int("JUSHA_SMS_WEBHOOK_TIMEOUT", 5)
if JUSHA_SMS_SENDER not in {"console", "webhook"}:
    raise ImproperlyConfigured("JUSHA_SMS_SENDER must be 'console' or 'webhook'")
if JUSHA_SMS_SENDER == "webhook" and not JUSHA_SMS_WEBHOOK_URL:
    raise ImproperlyConfigured("JUSHA_SMS_SENDER=webhook needs JUSHA_SMS_WEBHOOK_URL")

# Notifications (docs/notifications.md). WeChat template messages use the same senders as SMS,
# pointed at the deployment's official-account bridge; e-mail uses Django's default mailer below.
JUSHA_WECHAT_SENDER = os.environ.get("JUSHA_WECHAT_SENDER", "console")
JUSHA_WECHAT_WEBHOOK_URL = os.environ.get("JUSHA_WECHAT_WEBHOOK_URL", "")
JUSHA_WECHAT_WEBHOOK_SECRET = env_secret("JUSHA_WECHAT_WEBHOOK_SECRET") or ""
JUSHA_WECHAT_WEBHOOK_TIMEOUT = env_int("JUSHA_WECHAT_WEBHOOK_TIMEOUT", 5)
if JUSHA_WECHAT_SENDER not in {"console", "webhook"}:
    raise ImproperlyConfigured("JUSHA_WECHAT_SENDER must be 'console' or 'webhook'")
if JUSHA_WECHAT_SENDER == "webhook" and not JUSHA_WECHAT_WEBHOOK_URL:
    raise ImproperlyConfigured("JUSHA_WECHAT_SENDER=webhook needs JUSHA_WECHAT_WEBHOOK_URL")
JUSHA_NOTIFY_MAX_ATTEMPTS = env_int("JUSHA_NOTIFY_MAX_ATTEMPTS", 5)
JUSHA_NOTIFY_RETRY_SECONDS = env_int("JUSHA_NOTIFY_RETRY_SECONDS", 60)  # doubled after each failure
JUSHA_NOTIFY_PER_HOUR = env_int("JUSHA_NOTIFY_PER_HOUR", 5)  # per person and channel; the rest → a digest
JUSHA_NOTIFY_DIGEST_HOUR = env_int("JUSHA_NOTIFY_DIGEST_HOUR", 18)  # local time of the daily digest
if not 0 <= JUSHA_NOTIFY_DIGEST_HOUR <= 23:
    raise ImproperlyConfigured("JUSHA_NOTIFY_DIGEST_HOUR must be 0-23")
JUSHA_BASE_URL = os.environ.get("JUSHA_BASE_URL", "")  # https://jusha.example.gov.cn, for links in e-mails
# E-mail notifications: "off" (the channel is not offered), "console" (written to the log) or "smtp".
JUSHA_EMAIL = os.environ.get("JUSHA_EMAIL", "console" if DEBUG else "off")
if JUSHA_EMAIL not in {"off", "console", "smtp"}:
    raise ImproperlyConfigured("JUSHA_EMAIL must be 'off', 'console' or 'smtp'")
MAILERS = {"default": (
    {"BACKEND": "django.core.mail.backends.console.EmailBackend"} if JUSHA_EMAIL == "console" else
    {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {
        "host": os.environ.get("JUSHA_SMTP_HOST", "localhost"), "port": env_int("JUSHA_SMTP_PORT", 25),
        "username": os.environ.get("JUSHA_SMTP_USER", ""), "password": env_secret("JUSHA_SMTP_PASSWORD") or "",
        "use_tls": env_bool("JUSHA_SMTP_TLS", False), "timeout": 10}}
)}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "jusha@localhost")

# Staff password log-in: this many failures within the window locks the account for the window.
JUSHA_LOGIN_MAX_FAILURES = env_int("JUSHA_LOGIN_MAX_FAILURES", 5)
JUSHA_LOGIN_LOCK_MINUTES = env_int("JUSHA_LOGIN_LOCK_MINUTES", 15)

# Needs (docs/needs.md): photos larger than this, or declaring more pixels, are refused; the same
# resident sending near-identical text within the window gets their existing need back.
JUSHA_PHOTO_MAX_BYTES = env_int("JUSHA_PHOTO_MAX_BYTES", 8 * 1024 * 1024)
JUSHA_PHOTO_MAX_PIXELS = env_int("JUSHA_PHOTO_MAX_PIXELS", 50_000_000)
JUSHA_NEED_DUPLICATE_MINUTES = env_int("JUSHA_NEED_DUPLICATE_MINUTES", 10)
# A completed need the resident neither confirms nor reopens is confirmed (without a rating) after this.
JUSHA_NEED_AUTO_CONFIRM_DAYS = env_int("JUSHA_NEED_AUTO_CONFIRM_DAYS", 7)

# Micro-wishes (docs/wishes.md): a claimer must contact the community within this many days or the
# claim lapses; how many wishes one person / one member unit may hold at once.
JUSHA_WISH_CONTACT_DAYS = env_int("JUSHA_WISH_CONTACT_DAYS", 7)

# Activities: confirmed people are reminded this many hours before their session (once).
JUSHA_ACTIVITY_REMIND_HOURS = env_int("JUSHA_ACTIVITY_REMIND_HOURS", 24)
JUSHA_WISH_MAX_LIVE_CLAIMS_PER_PERSON = env_int("JUSHA_WISH_MAX_LIVE_CLAIMS_PER_PERSON", 3)
JUSHA_WISH_MAX_LIVE_CLAIMS_PER_UNIT = env_int("JUSHA_WISH_MAX_LIVE_CLAIMS_PER_UNIT", 20)
# Points (docs/points.md): points earned in year Y expire at the end of this day ("MM-DD") of year Y+1;
# empty: points never expire.
JUSHA_POINTS_EXPIRE_ON = os.environ.get("JUSHA_POINTS_EXPIRE_ON", "06-30").strip()
if JUSHA_POINTS_EXPIRE_ON:
    try:  # a day every year has (so not 02-29)
        _expire_month, _expire_day = (int(part) for part in JUSHA_POINTS_EXPIRE_ON.split("-"))
        datetime.date(2001, _expire_month, _expire_day)
    except ValueError:
        raise ImproperlyConfigured(f"JUSHA_POINTS_EXPIRE_ON={JUSHA_POINTS_EXPIRE_ON!r} is not a day as MM-DD") from None
# Cases (docs/cases.md): a resident's report of the same category this close (metres) to an open case
# reported within these hours is offered to follow that case; a closed case may be reopened for these days.
JUSHA_CASE_DUPLICATE_METERS = env_int("JUSHA_CASE_DUPLICATE_METERS", 50)
JUSHA_CASE_DUPLICATE_HOURS = env_int("JUSHA_CASE_DUPLICATE_HOURS", 24)
JUSHA_CASE_REOPEN_DAYS = env_int("JUSHA_CASE_REOPEN_DAYS", 7)
# How long a case stage may stay overdue (督办) before the subdistrict's staff are told (escalation).
JUSHA_CASE_ESCALATE_AFTER_MINUTES = env_int("JUSHA_CASE_ESCALATE_AFTER_MINUTES", 120)
# Volunteers (docs/volunteers.md): how identity numbers are kept — "encrypted" (Fernet, with the key
# below, or one derived from SECRET_KEY when it is unset) or "none" (only the last four characters).
JUSHA_VOLUNTEER_ID_STORAGE = os.environ.get("JUSHA_VOLUNTEER_ID_STORAGE", "encrypted").strip() or "encrypted"
if JUSHA_VOLUNTEER_ID_STORAGE not in {"encrypted", "none"}:
    raise ImproperlyConfigured(f"JUSHA_VOLUNTEER_ID_STORAGE={JUSHA_VOLUNTEER_ID_STORAGE!r} is not encrypted or none")
JUSHA_VOLUNTEER_ID_KEY = env_secret("JUSHA_VOLUNTEER_ID_KEY")
if JUSHA_VOLUNTEER_ID_KEY:
    # A wrong key would only fail at the first application; say so at start-up instead.
    try:
        _key_ok = len(base64.urlsafe_b64decode(JUSHA_VOLUNTEER_ID_KEY.encode())) == 32
    except ValueError:
        _key_ok = False
    if not _key_ok:
        raise ImproperlyConfigured("JUSHA_VOLUNTEER_ID_KEY is not a Fernet key (32 url-safe base64-encoded bytes)")
# How many needs one volunteer may hold at once (claimed from the board, or matched and accepted).
JUSHA_VOLUNTEER_MAX_LIVE_CLAIMS = env_int("JUSHA_VOLUNTEER_MAX_LIVE_CLAIMS", 3)

# Open311 GeoReport v2 (docs/open311.md): the jurisdiction_id this endpoint answers to (another one is a
# 404; none is fine), and the contact the discovery document gives to app developers.
JUSHA_OPEN311_JURISDICTION = os.environ.get("JUSHA_OPEN311_JURISDICTION", "jusha")
JUSHA_OPEN311_CONTACT = os.environ.get("JUSHA_OPEN311_CONTACT", "")

# Attendance and service hours (docs/attendance.md).
# How long a check-in or check-out QR code stays valid; the console shows a fresh one before then.
JUSHA_CHECKIN_TOKEN_SECONDS = env_int("JUSHA_CHECKIN_TOKEN_SECONDS", 120)
if JUSHA_CHECKIN_TOKEN_SECONDS < 20:
    raise ImproperlyConfigured("JUSHA_CHECKIN_TOKEN_SECONDS must be at least 20")
# Check-in opens this long before a session starts (people arrive early; the hours count from the start).
JUSHA_CHECKIN_EARLY_MINUTES = env_int("JUSHA_CHECKIN_EARLY_MINUTES", 60)
# A check-out still open this long after the session ended is closed by the periodic job and flagged.
JUSHA_CHECKOUT_GRACE_MINUTES = env_int("JUSHA_CHECKOUT_GRACE_MINUTES", 120)
# Where the job closes a forgotten check-out: "session_end" (the hours count to the end) or
# "check_in" (nothing counts until the organiser fixes it by hand).
JUSHA_CHECKOUT_RULE = os.environ.get("JUSHA_CHECKOUT_RULE", "session_end")
if JUSHA_CHECKOUT_RULE not in {"session_end", "check_in"}:
    raise ImproperlyConfigured("JUSHA_CHECKOUT_RULE must be 'session_end' or 'check_in'")
# Service hours are rounded to this step (15, 30 or 60 minutes), "down" or to the "nearest" step.
JUSHA_SERVICE_HOURS_STEP_MINUTES = env_int("JUSHA_SERVICE_HOURS_STEP_MINUTES", 30)
if JUSHA_SERVICE_HOURS_STEP_MINUTES not in {15, 30, 60}:
    raise ImproperlyConfigured("JUSHA_SERVICE_HOURS_STEP_MINUTES must be 15, 30 or 60")
JUSHA_SERVICE_HOURS_ROUNDING = os.environ.get("JUSHA_SERVICE_HOURS_ROUNDING", "down")
if JUSHA_SERVICE_HOURS_ROUNDING not in {"down", "nearest"}:
    raise ImproperlyConfigured("JUSHA_SERVICE_HOURS_ROUNDING must be 'down' or 'nearest'")
# A TrueType/OpenType font (or collection) with Chinese glyphs for the certificate PDF.
JUSHA_PDF_FONT = os.environ.get("JUSHA_PDF_FONT", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
# Which font of a collection (.ttc): 2 is Noto Sans CJK SC (simplified Chinese) in fonts-noto-cjk.
JUSHA_PDF_FONT_INDEX = env_int("JUSHA_PDF_FONT_INDEX", 2)

JUSHA_SITE_NAME = _("Jusha")
