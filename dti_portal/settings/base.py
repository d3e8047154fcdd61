"""Settings shared by every environment; `dev`, `test` and `production` adjust them.

Secrets and deployment facts come from the environment (DATABASE_URL, SECRET_KEY,
ALLOWED_HOSTS, MEDIA_ROOT, ...), never from the repository.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    """A yes/no setting read strictly: `SECURE_SSL_REDIRECT=true` is on, a typo stops the start-up."""
    text = os.environ.get(name, "").strip().lower()
    if not text:
        return default
    if text in _TRUE | _FALSE:
        return text in _TRUE
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"{name}={os.environ[name]!r}: write one of {', '.join(sorted(_TRUE | _FALSE))}.")


def env_int(name: str, default: int) -> int:
    """A whole-number setting read strictly: an unreadable value stops the start-up, naming the variable."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name}={os.environ[name]!r}: write a whole number, e.g. {default}.") from None


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "dti_portal.accounts",
    "dti_portal.tenancy",
    "indicators",
    "assessments",
    "rankings",
    "national",
    "dti_portal.audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Resolves /<province>/... to request.province and enters its scope.
    "dti_portal.tenancy.middleware.ProvinceMiddleware",
    # Last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

# A strict Content-Security-Policy on every page (django-csp): scripts, styles, fonts and images from the
# portal itself only, no inline script or style (templates carry none: tests/test_csp.py), no plugins, no
# framing. A view that sets its own policy keeps it (evidence downloads are sandboxed).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

ROOT_URLCONF = "dti_portal.urls"
WSGI_APPLICATION = "dti_portal.wsgi.application"

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
                "dti_portal.tenancy.context_processors.province",
                "dti_portal.accounts.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's worker process writes while runserver reads and writes: WAL lets readers go on
    # during a write, IMMEDIATE takes the write lock at BEGIN (no deadlock on lock upgrade), and
    # a writer waits up to 20 s for the lock instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": 20, "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work (publication, e-mail): django-tasks with its database backend. Rows in the
# database are the queue; `manage.py db_worker` processes them (any number of workers on any
# number of machines against the same PostgreSQL). E-mail outranks publication work.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# A publication whose worker shows no progress for this long may be retried (its worker died).
PUBLICATION_STALE_AFTER = timedelta(minutes=env_int("PUBLICATION_STALE_MINUTES", 10))

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # must come first
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "dti_portal.accounts.validators.VietnameseMinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "platform_home"

# Login throttling: one office shares one public IP, so lock a username *from* an IP,
# never the whole IP.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "dti_portal.accounts.views.locked_out"
# Behind N reverse proxies (AXES_PROXY_COUNT=N) the client address is read from X-Forwarded-For by
# django-ipware, as django-axes expects; without it every client would share the proxy's address.
# python-ipware counts only the proxies listed in the header (the last one is REMOTE_ADDR), hence N - 1;
# a header longer than that chain (a client adding its own) is not trusted: REMOTE_ADDR is used.
_PROXIES = env_int("AXES_PROXY_COUNT", 0)  # not a setting: django-axes deprecates that name
if _PROXIES:
    AXES_IPWARE_PROXY_COUNT = _PROXIES - 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
AXES_VERBOSE = False

# Vietnamese UI, Vietnamese time; dates dd/mm/yyyy and decimal comma (formats/vi).
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["dti_portal.formats"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Evidence is never served from MEDIA_URL: only through permission-checked views.
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Evidence size limit: the same number is given to the browser (data-max-bytes) and checked here.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
# Uploads above this are streamed to a temporary file instead of memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "dti-portal@localhost")

SESSION_COOKIE_AGE = 60 * 60 * 10  # a working day
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
