"""Gongkai settings: one module, configured only from environment variables.

Nothing here is production-only: the same settings serve development, tests and production,
and environment variables switch behaviour (HTTPS, debug, database).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("GONGKAI_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("GONGKAI_DEBUG")
TESTING = env_bool("GONGKAI_TESTING") or "pytest" in sys.modules
HTTPS = env_bool("GONGKAI_HTTPS")

_INSECURE_DEV_KEY = "gongkai-insecure-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("GONGKAI_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = _INSECURE_DEV_KEY
    else:
        raise ImproperlyConfigured(
            "GONGKAI_SECRET_KEY 未设置。请设置一个长随机字符串（make demo 会自动生成）。"
        )

# Key for personal data at rest (SM4-GCM, gongkai/disclosure/crypto.py): 32 hex digits from the
# environment, never in the database or the repository. Old keys stay readable until
# ``gongkai disclosure rotate-key`` has re-encrypted every row with the current one.
_DEV_FIELD_KEY = "6764656d6f2d6669656c642d6b657921"  # development and tests only
GONGKAI_FIELD_KEY = os.environ.get("GONGKAI_FIELD_KEY", "").strip()
GONGKAI_FIELD_OLD_KEYS = env_list("GONGKAI_FIELD_OLD_KEYS")
GONGKAI_FIELD_KEY_IS_DEV = not GONGKAI_FIELD_KEY
if not GONGKAI_FIELD_KEY:
    if DEBUG or TESTING:
        GONGKAI_FIELD_KEY = _DEV_FIELD_KEY
    else:
        raise ImproperlyConfigured(
            "GONGKAI_FIELD_KEY 未设置。请设置32位十六进制的个人信息加密密钥（make demo 会自动生成）。"
        )

ALLOWED_HOSTS = env_list("GONGKAI_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("GONGKAI_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "gongkai.core",
    "gongkai.accounts",
    "gongkai.workcalendar",
    "gongkai.policies",
    "gongkai.disclosure",
    "gongkai.portal",
    "gongkai.api",
    "gongkai.notifications",
    "gongkai.enterprise",
    "gongkai.statistics",
    "gongkai.annual_reports",
    "gongkai.push",
    "gongkai.things",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gongkai.core.middleware.ExplicitLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "gongkai.accounts.middleware.SessionTimeoutMiddleware",
    "gongkai.accounts.middleware.StaffVerificationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gongkai.urls"
WSGI_APPLICATION = "gongkai.wsgi.application"

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
                "csp.context_processors.nonce",
                "gongkai.core.context_processors.site",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'gongkai.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=0)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + IMMEDIATE: measured 200/200 concurrent writers succeed with gapless numbers
    # (reliability.md §4); DEFERRED upgrades fail with "database is locked".
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000;"
            "PRAGMA foreign_keys=ON"
        ),
    }
    # A file (not :memory:) so the live server thread of browser tests shares it; one per process
    # so parallel runs never collide.
    _db["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}.sqlite3")}
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db.setdefault("OPTIONS", {})
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
# Shared by every process (throttles, rate limits: gongkai/core/cache.py). The database by default
# (table created by ``gongkai createcachetable``; demo.sh and ``gongkai serve`` run it), Django's
# RedisCache when GONGKAI_CACHE_URL (redis://…) is set (needs the ``redis`` package).
GONGKAI_CACHE_URL = os.environ.get("GONGKAI_CACHE_URL", "").strip()
CACHES: dict[str, dict[str, object]]
if GONGKAI_CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": GONGKAI_CACHE_URL, "KEY_PREFIX": "gongkai"}}
else:
    CACHES = {"default": {"BACKEND": "gongkai.core.cache.AtomicDatabaseCache", "LOCATION": "gongkai_cache",
                          "OPTIONS": {"MAX_ENTRIES": 50_000}}}

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_URL_PATH = "/accounts/login/"
LOGIN_REDIRECT_URL_PATH = "/"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"
# ASVS 6.2.1/6.2.9/6.2.4: length ≥ 12, common-password list; no forced rotation (docs/security.md).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "gongkai.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if TESTING and not env_bool("GONGKAI_REAL_HASHER")
    else ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
)

# Sessions: a new session at login (Django cycles the key), idle and absolute timeouts enforced by
# SessionTimeoutMiddleware; the cookie itself never outlives the absolute limit.
GONGKAI_STAFF_IDLE_TIMEOUT = int(os.environ.get("GONGKAI_STAFF_IDLE_TIMEOUT", 15 * 60))
GONGKAI_PUBLIC_IDLE_TIMEOUT = int(os.environ.get("GONGKAI_PUBLIC_IDLE_TIMEOUT", 60 * 60))
GONGKAI_SESSION_ABSOLUTE_TIMEOUT = int(os.environ.get("GONGKAI_SESSION_ABSOLUTE_TIMEOUT", 10 * 60 * 60))
SESSION_COOKIE_AGE = GONGKAI_SESSION_ABSOLUTE_TIMEOUT
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# django-axes: lock after 5 failures per username+IP for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("GONGKAI_LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = float(os.environ.get("GONGKAI_LOCKOUT_HOURS", 0.5))
# Lock a username after repeated failures from anywhere, and an address that tries many usernames.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True

OTP_TOTP_ISSUER = "Gongkai 公开"

# --- Security headers -------------------------------------------------------------------------
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("GONGKAI_BEHIND_PROXY") else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Site identity (footer, 国办发〔2017〕47号 meta tags) ---------------------------------------
GONGKAI_SITE_SPONSOR = os.environ.get("GONGKAI_SITE_SPONSOR", "")  # 主办单位
GONGKAI_SITE_CONTACT = os.environ.get("GONGKAI_SITE_CONTACT", "")  # 联系方式
GONGKAI_SITE_ID_CODE = os.environ.get("GONGKAI_SITE_ID_CODE", "")  # 网站标识码
GONGKAI_SITE_ICP = os.environ.get("GONGKAI_SITE_ICP", "")  # ICP备案号
GONGKAI_SITE_PSB = os.environ.get("GONGKAI_SITE_PSB", "")  # 公安机关备案号

# --- 订阅与推送 (gongkai/push): SMS / WeChat gateways, disabled while URL or key is empty -------
# Requests are signed with HMAC-SM3 under the key (gongkai/push/gateways.py has the contract).
GONGKAI_SITE_URL = os.environ.get("GONGKAI_SITE_URL", "").strip()  # absolute links in e-mail/SMS
GONGKAI_PUSH_SMS_URL = os.environ.get("GONGKAI_PUSH_SMS_URL", "").strip()
GONGKAI_PUSH_SMS_KEY = os.environ.get("GONGKAI_PUSH_SMS_KEY", "").strip()
GONGKAI_PUSH_WECHAT_URL = os.environ.get("GONGKAI_PUSH_WECHAT_URL", "").strip()
GONGKAI_PUSH_WECHAT_KEY = os.environ.get("GONGKAI_PUSH_WECHAT_KEY", "").strip()
GONGKAI_PUSH_WECHAT_TEMPLATE_ID = os.environ.get("GONGKAI_PUSH_WECHAT_TEMPLATE_ID", "").strip()
GONGKAI_PUSH_GATEWAY_TIMEOUT = float(os.environ.get("GONGKAI_PUSH_GATEWAY_TIMEOUT", 10))
GONGKAI_PUSH_BATCH_SIZE = int(os.environ.get("GONGKAI_PUSH_BATCH_SIZE", 100))
GONGKAI_PUSH_MAX_ATTEMPTS = int(os.environ.get("GONGKAI_PUSH_MAX_ATTEMPTS", 6))
GONGKAI_PUSH_LEASE_SECONDS = int(os.environ.get("GONGKAI_PUSH_LEASE_SECONDS", 300))

# --- I18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request when it is missing
# The site-wide assets (site.css, site.js) live in the project package, which is not an app.
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
# 附件大小上限（字节）; the type is checked by content in policies/services/attachments.py.
GONGKAI_ATTACHMENT_MAX_BYTES = int(os.environ.get("GONGKAI_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))
# tantivy search index (one subdirectory per database); tests point it at a temporary directory.
GONGKAI_SEARCH_INDEX_DIR = Path(os.environ.get("GONGKAI_SEARCH_INDEX_DIR", VAR_DIR / "search-index"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- Background tasks -----------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("GONGKAI_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GONGKAI_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

SILENCED_SYSTEM_CHECKS: list[str] = []
