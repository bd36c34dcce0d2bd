"""Django settings for Siliu, driven by the environment.

Variables
---------
SILIU_DEBUG : "1" (default) or "0".
SILIU_SECRET_KEY : required when SILIU_DEBUG is "0".
DATABASE_URL : e.g. ``postgres://postgres@127.0.0.1:5432/siliu``; default an SQLite file in ``var/``.
SILIU_ALLOWED_HOSTS : comma-separated host names.
SILIU_DATA_DIR : where the SQLite database lives (default ``<project>/var``).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
DATA_DIR = Path(os.environ.get("SILIU_DATA_DIR", PROJECT_DIR / "var"))

DEBUG = os.environ.get("SILIU_DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("SILIU_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SILIU_SECRET_KEY must be set when SILIU_DEBUG=0")
    SECRET_KEY = "siliu-development-only-key-not-for-production"

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("SILIU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "siliu.core",
    "siliu.network",
    "siliu.finance",
    "siliu.logistics",
    "siliu.commerce",
    "siliu.demo",
    "siliu.apps.WiringConfig",  # last: registers the hooks between the apps above
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "siliu.core.middleware.NulCharacterMiddleware",  # before anything reads the database
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

if not DEBUG:
    # Production serves static files from the web workers (collectstatic into STATIC_ROOT first).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "siliu.urls"
WSGI_APPLICATION = "siliu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # A part of an app (``siliu/<app>/<part>/``) keeps its pages in its own ``templates/`` folder,
        # which the app loader does not look in; each is named ``<app>/<part>/…`` inside it.
        "DIRS": sorted(BASE_DIR.glob("*/*/templates")),
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "siliu.core.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'siliu.sqlite3'}",
        conn_max_age=int(os.environ.get("SILIU_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the task worker read while the other writes.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"

LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "siliu",
    }
}
if os.environ.get("SILIU_REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["SILIU_REDIS_URL"],
    }

TASKS = {
    "default": {
        "BACKEND": os.environ.get("SILIU_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "siliu.core.rest.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "siliu.core.rest.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"public": os.environ.get("SILIU_PUBLIC_RATE", "60/min")},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # JSON refusing deep nesting and NUL characters (400), forms and uploads as DRF reads them.
    "DEFAULT_PARSER_CLASSES": [
        "siliu.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Siliu (四流) API",
    "DESCRIPTION": _("农村邮政综合便民服务平台：商流、物流、资金流、信息流四流合一。"),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TransferKindEnum": "siliu.finance.models.TransferKind",
        "OutletKindEnum": "siliu.network.models.OutletKind",
    },
    # Every operation documents its error answers in the one error shape.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "siliu.core.rest.error_responses_document",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SILIU_LOG_LEVEL", "WARNING")},
}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

#: The address people reach the platform at, printed in QR codes on labels and trace codes.
SILIU_PUBLIC_URL = os.environ.get("SILIU_PUBLIC_URL", "http://127.0.0.1:8000")

#: Delivery rounds without an imported road matrix: great-circle distance × this factor, at this speed.
SILIU_ROAD_FACTOR = float(os.environ.get("SILIU_ROAD_FACTOR", "1.3"))
SILIU_ROUND_SPEED_KMH = float(os.environ.get("SILIU_ROUND_SPEED_KMH", "35"))
