"""Django settings for Siliu, driven by the environment.

Variables
---------
SILIU_DEBUG : "1" (default) or "0".
SILIU_SECRET_KEY : required when SILIU_DEBUG is "0".
DATABASE_URL : e.g. ``postgres://postgres@127.0.0.1:5432/siliu``; default an SQLite file in ``var/``.
SILIU_ALLOWED_HOSTS : comma-separated host names.
SILIU_DATA_DIR : where the SQLite database lives (default ``<project>/var``).
SILIU_HTTPS : "1" (default when SILIU_DEBUG is "0"): served over HTTPS through a proxy; see the block below.
SILIU_PDF_FONT : the TrueType font embedded in labels and route sheets (Debian's fonts-wqy-microhei).
SILIU_CONN_MAX_AGE : seconds a database connection is kept for the next request (default 0: one each).
"""

import datetime
import ipaddress
import os
from pathlib import Path
from typing import Any

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
    "csp",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from here: /api/docs/ works offline
    "django_tasks",
    "django_tasks_db",
    "axes",
    "siliu.core",
    "siliu.network",
    "siliu.finance",
    "siliu.logistics",
    "siliu.commerce",
    "siliu.lending",
    "siliu.agency",
    "siliu.appeals",
    "siliu.outreach",
    "siliu.insight",
    "siliu.demo",
    "siliu.apps.WiringConfig",  # last: registers the hooks between the apps above
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Pages gzipped when the browser accepts it; BREACH is weighed in ADR 0010.
    "django.middleware.gzip.GZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "siliu.core.middleware.NulCharacterMiddleware",  # before anything reads the database
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "siliu.core.middleware.PlacesCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # turns a login lockout into its 429 answer
    "siliu.core.reconnect.DatabaseOutageMiddleware",  # last: a dropped connection answers 503, not 500
]

#: Static files served as collected into STATIC_ROOT: hashed names, gzip and Brotli beside each file, and
#: cached for good, by WhiteNoise from the web workers. Always in production (`siliu collectstatic` once
#: per release); in development under `siliu serve` (`make run`), which collects them first and sets
#: SILIU_STATIC_COLLECTED=1 for its web server. Tests and a bare `siliu runserver` serve the source files
#: as they are, with nothing to collect. See ADR 0010.
SILIU_STATIC_COLLECTED = not DEBUG or os.environ.get("SILIU_STATIC_COLLECTED") == "1"
if SILIU_STATIC_COLLECTED:
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
    # The collected files alone, as in production, also under DEBUG (where WhiteNoise would otherwise
    # look through the apps' folders on every request and serve unhashed names).
    WHITENOISE_AUTOREFRESH = False
    WHITENOISE_USE_FINDERS = False

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
                "siliu.core.context_processors.preferences",
                "siliu.commerce.orders.context_processors.cart",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'siliu.sqlite3'}",
        conn_max_age=int(os.environ.get("SILIU_CONN_MAX_AGE", "0")),
        # A persistent connection killed between requests is found at the next request and replaced.
        conn_health_checks=True,
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
        # Round planning runs solver time on its own queue and worker, so it cannot starve the periodic
        # tasks of the default queue (siliu serve starts one worker for each).
        "QUEUES": ["default", "rounds"],
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
    "DEFAULT_THROTTLE_CLASSES": [
        "siliu.core.ratelimit.PublicRateThrottle",
        "siliu.core.ratelimit.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "public": os.environ.get("SILIU_PUBLIC_RATE", "60/min"),
        "user": os.environ.get("SILIU_USER_RATE", "600/min"),
        "login": os.environ.get("SILIU_LOGIN_RATE", "20/min"),
        "seller_registration": os.environ.get("SILIU_SELLER_REGISTRATION_RATE", "5/hour"),
        "seller_registration_ip": os.environ.get("SILIU_SELLER_REGISTRATION_IP_RATE", "10/hour"),
        "appeal_code_phone": os.environ.get("SILIU_APPEAL_CODE_PHONE_RATE", "5/hour"),
        "appeal_code_ip": os.environ.get("SILIU_APPEAL_CODE_IP_RATE", "20/hour"),
        "exhibition_request": os.environ.get("SILIU_EXHIBITION_REQUEST_RATE", "5/hour"),
    },
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
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TransferKindEnum": "siliu.finance.models.TransferKind",
        "OutletKindEnum": "siliu.network.models.OutletKind",
        "SellerKindEnum": "siliu.commerce.models.SellerKind",
        "LoanApplicationStatusEnum": "siliu.lending.loans.models.ApplicationStatus",
        "LoanStatusEnum": "siliu.lending.loans.models.LoanStatus",
        "CollectionNoteKindEnum": "siliu.lending.loans.models.CollectionNoteKind",
        "AppealCategoryEnum": "siliu.appeals.models.AppealCategory",
        # Named so before a second "category" field came (people's requests), and kept so.
        "CategoryEnum": "siliu.commerce.models.Category",
        # Likewise "direction" (public services came with their own) and "kind" (exhibitions).
        "DirectionEnum": "siliu.commerce.models.Direction",
        "AgencyDirectionEnum": "siliu.agency.catalogue.Direction",
        "ProviderKindEnum": "siliu.agency.catalogue.ProviderKind",
        "ExhibitionKindEnum": "siliu.outreach.models.ExhibitionKind",
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
    "filters": {"client_errors_without_traceback": {"()": "siliu.core.logs.ClientErrorsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SILIU_LOG_LEVEL", "WARNING")},
    # A refused request (403, 404, 400) is logged in one line; a 5xx keeps its traceback.
    "loggers": {"django.request": {"filters": ["client_errors_without_traceback"]}},
}

#: Uploaded files (sellers' product photos, see siliu.core.images) beside the SQLite database. Under DEBUG
#: and under `siliu serve` Django serves them at MEDIA_URL (SILIU_SERVE_MEDIA); in production the web
#: server in front serves MEDIA_ROOT at /media/ (README, "Production").
MEDIA_ROOT = Path(os.environ.get("SILIU_MEDIA_ROOT", DATA_DIR / "media"))
MEDIA_URL = "/media/"
SILIU_SERVE_MEDIA = DEBUG or os.environ.get("SILIU_SERVE_MEDIA") == "1"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "siliu.core.storage.CollectedStaticFilesStorage"
        if SILIU_STATIC_COLLECTED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

#: The address people reach the platform at, printed in QR codes on labels and trace codes.
SILIU_PUBLIC_URL = os.environ.get("SILIU_PUBLIC_URL", "http://127.0.0.1:8000")

#: Delivery rounds without an imported road matrix: great-circle distance × this factor, at this speed.
SILIU_ROAD_FACTOR = float(os.environ.get("SILIU_ROAD_FACTOR", "1.3"))
SILIU_ROUND_SPEED_KMH = float(os.environ.get("SILIU_ROUND_SPEED_KMH", "35"))
# Independent searches a round plan runs at once, the best kept (0: one per CPU available).
SILIU_ROUND_WORKERS = int(os.environ.get("SILIU_ROUND_WORKERS", "0"))
# Whether a round plan's search starts from the outlet's last plan (ADR 0028).
SILIU_ROUND_WARM_START = os.environ.get("SILIU_ROUND_WARM_START", "1") != "0"


def _horizon_days(variable: str, default: str) -> int:
    """A whole number of days, 0 or more."""
    try:
        days = int(os.environ.get(variable, default))
    except ValueError:
        raise ImproperlyConfigured(f"{variable} must be a whole number of days") from None
    if days < 0:
        raise ImproperlyConfigured(f"{variable} must be 0 or more")
    return days


#: Rounds may be planned from yesterday (local date) to this many days after today.
SILIU_ROUND_PLAN_HORIZON_DAYS = _horizon_days("SILIU_ROUND_PLAN_HORIZON_DAYS", "7")
#: After how many days at the station an uncollected parcel is listed for return (待退回).
SILIU_PICKUP_RETURN_DAYS = _horizon_days("SILIU_PICKUP_RETURN_DAYS", "7")
#: The price of a home pickup (上门揽收, fen) in a village that is not on the remote villages' list but whose
#: station offers home pickup; remote villages have their own price (0: free) in the admin.
SILIU_HOME_PICKUP_PRICE_FEN = int(os.environ.get("SILIU_HOME_PICKUP_PRICE_FEN", "500"))

#: The TrueType font (Chinese and Latin) embedded in every PDF Siliu prints: see ``siliu.core.pdf``.
SILIU_PDF_FONT = os.environ.get("SILIU_PDF_FONT", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")

# Content-Security-Policy (django-csp): scripts, styles, fonts and requests only from this site; images
# also from any https address, as sellers' product photos are addresses. Development only reports, so
# that Django's debug pages (inline scripts) work; violations still show.
_content_security_policy: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:"],
        # The courier's page registers a service worker from this site (/logistics/rounds/sw.js).
        "worker-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
CONTENT_SECURITY_POLICY = None if DEBUG else _content_security_policy
CONTENT_SECURITY_POLICY_REPORT_ONLY = _content_security_policy if DEBUG else None

# HTTPS in production: a proxy (nginx, a load balancer) ends TLS and forwards with the original Host and
# ``X-Forwarded-Proto: https``, which it must set itself, overwriting any a client sent. SILIU_HTTPS=0
# is for a plain-HTTP network; `siliu check --deploy` then warns, as it should.
SILIU_HTTPS = os.environ.get("SILIU_HTTPS", "0" if DEBUG else "1") == "1"
if SILIU_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP from inside
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SILIU_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("SILIU_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("SILIU_HSTS_PRELOAD", "0") == "1"
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a decision to submit the domain to the browsers' list; the directive alone would
        # let anyone submit it. Off unless asked for, so its warning says nothing.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
# --- Limits: the client's address, login lockout, counter cash caps ----------------------------------

#: Proxies whose X-Forwarded-For is believed (addresses or CIDR networks, comma-separated); none by default,
#: so the client is the socket's peer.
SILIU_TRUSTED_PROXIES = [
    proxy.strip() for proxy in os.environ.get("SILIU_TRUSTED_PROXIES", "").split(",") if proxy.strip()
]
for _proxy in SILIU_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"SILIU_TRUSTED_PROXIES: {_error}") from None

#: django-axes: after SILIU_LOGIN_FAILURE_LIMIT failed logins for one username from one address, that
#: pair is refused (the right password too) for SILIU_LOGIN_COOLOFF_MINUTES; a success resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("SILIU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("SILIU_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "siliu.core.ratelimit.client_address"
AXES_LOCKOUT_CALLABLE = "siliu.core.lockout.login_locked_response"
#: Failures are kept (AccessAttempt, until the cool-off); a row per successful login is not.
AXES_DISABLE_ACCESS_LOG = True


def _counter_caps(variable: str, default: str) -> tuple[int, int]:
    """``"<per transaction>,<per day>"`` in whole yuan → the two caps in fen."""
    try:
        per_transaction, per_day = (int(part) * 100 for part in os.environ.get(variable, default).split(","))
    except ValueError:
        raise ImproperlyConfigured(
            f"{variable} must be two whole yuan amounts: <per transaction>,<per day>"
        ) from None
    if not 0 < per_transaction <= per_day:
        raise ImproperlyConfigured(f"{variable}: 0 < per transaction <= per day")
    return per_transaction, per_day


#: Counter cash-in and cash-out caps per outlet kind, in fen: (per transaction, per business day and
#: direction). A villager's order paid in cash at the counter counts toward the day's cash in, a
#: seller's withdrawal paid in cash toward its cash out.
SILIU_COUNTER_CASH_CAPS_FEN = {
    "village_station": _counter_caps("SILIU_COUNTER_CAP_VILLAGE_STATION", "5000,50000"),
    "township_office": _counter_caps("SILIU_COUNTER_CAP_TOWNSHIP_OFFICE", "20000,200000"),
    "county_hub": _counter_caps("SILIU_COUNTER_CAP_COUNTY_HUB", "100000,1000000"),
}
#: A day close (日结) whose counted cash differs from the book by more than this (fen, either way)
#: waits for a county manager's sign-off before the difference is booked.
SILIU_DAY_CLOSE_SIGNOFF_FEN = int(os.environ.get("SILIU_DAY_CLOSE_SIGNOFF_FEN", "5000"))

# Lending (issue #10, ADR 0021). The automatic approval limit is this share of the applicant's sales
# over the last 12 months (basis points); above SILIU_LENDING_SECOND_APPROVAL_FEN a loan needs a second
# person (a county manager) besides the officer who reviewed it, and is never approved automatically.
SILIU_LENDING_AUTO_LIMIT_SALES_BP = int(os.environ.get("SILIU_LENDING_AUTO_LIMIT_SALES_BP", "3000"))
SILIU_LENDING_SECOND_APPROVAL_FEN = int(os.environ.get("SILIU_LENDING_SECOND_APPROVAL_FEN", "5000000"))
#: Provision per class of the five-category classification, basis points of the principal outstanding
#: (the ratios of the PBOC's 2002 guidance on loan loss provisions: 1 %, 2 %, 25 %, 50 %, 100 %).
SILIU_LENDING_PROVISION_BP = {
    "normal": 100,
    "special_mention": 200,
    "substandard": 2500,
    "doubtful": 5000,
    "loss": 10000,
}

# People's requests (issue #15, ADR 0026). Hours from filing within which a request of each category is
# to be acknowledged and resolved; past either, the escalation sweep hands it to the county manager.
SILIU_APPEAL_DUE_HOURS = {
    "delivery": (24, 5 * 24),
    "pickup": (24, 5 * 24),
    "missing_service": (24, 10 * 24),
    "price": (24, 5 * 24),
    "complaint": (24, 5 * 24),
    "suggestion": (72, 30 * 24),
}

#: How messages to phones leave the outbox (siliu.appeals.messages): "console" prints them, "log" appends
#: them to SILIU_MESSAGE_LOG; a dotted path names a class with ``send(message)`` (a real SMS gateway).
SILIU_MESSAGE_BACKEND = os.environ.get("SILIU_MESSAGE_BACKEND", "console")
SILIU_MESSAGE_LOG = Path(os.environ.get("SILIU_MESSAGE_LOG", DATA_DIR / "messages.log"))
