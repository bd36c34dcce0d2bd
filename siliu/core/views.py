"""Pages every part shares: home, login/logout, health, the elderly-mode switch, error pages."""

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from siliu.core.errors import ValidationFailed
from siliu.core.middleware import error_response
from siliu.core.parsers import request_refused
from siliu.core.preferences import elderly_mode_of_user, elderly_mode_remember, elderly_mode_set
from siliu.core.ratelimit import LoginRateThrottle, page_wait, too_many_requests
from siliu.core.start import start_cards


def home(request: HttpRequest) -> HttpResponse:
    """The start page: for a logged-in user, their work for today as cards whose figures link to the
    lists (each app's, :mod:`siliu.core.start`); for everyone else, the public face (track a parcel,
    find an outlet, the shop)."""
    if isinstance(request.user, User):
        return render(request, "core/start.html", {"cards": start_cards(user=request.user)})
    return render(request, "core/home.html")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and `make run`'s wait."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


class LoginView(auth_views.LoginView):
    """The login page; attempts are limited per address (``SILIU_LOGIN_RATE``) and, per username and
    address, by django-axes's lockout (answered by :func:`siliu.core.lockout.login_locked_response`)."""

    template_name = "core/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wait = page_wait(request, (LoginRateThrottle,))
        if wait is not None:
            return too_many_requests(request, wait)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        """Logs in; the user's stored elderly-mode choice, where they made one, wins over the device's."""
        response = super().form_valid(form)
        stored = elderly_mode_of_user(user=form.get_user())
        if stored is not None:
            elderly_mode_remember(response, enabled=stored)
        return response


def safe_next(request: HttpRequest, default: str = "/") -> str:
    """The ``next`` field of a POST if it is a path on this site, else ``default``."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_POST
def elderly_mode(request: HttpRequest) -> HttpResponseRedirect:
    """The top bar's 长辈模式 switch, a form without JavaScript: ``enabled=1`` or ``0``; remembered by the
    device (cookie) and, when logged in, by the user; back to ``next`` if it is on this site."""
    enabled = request.POST.get("enabled") == "1"
    elderly_mode_set(user=request.user, enabled=enabled)
    response = HttpResponseRedirect(safe_next(request, reverse("core:home")))
    elderly_mode_remember(response, enabled=enabled)
    return response


class LogoutView(auth_views.LogoutView):
    pass


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403 in the site's own page (Chinese and English, for a phone), saying why when the check said."""
    message = str(exception) if exception.args else ""
    return render(
        request, "core/403.html", {"message": message, "back_url": same_site_referer(request)}, status=403
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 in the site's layout; API paths get the API's JSON error shape."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "message": str(_("未找到"))}, status=404)
    return render(request, "core/404.html", {"back_url": same_site_referer(request)}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500 (``handler500``): a static page in the site's look, rendered without the request's context,
    whose processors may need what has just failed (the database, the session)."""
    return HttpResponse(loader.get_template("core/500.html").render(), status=500)


def same_site_referer(request: HttpRequest) -> str:
    """The page the visitor came from, if it is on this site (for an error page's way back), else ``""``."""
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 for a request Django refuses outside any view (``handler400``): the API's JSON error shape
    under ``/api/``, the site's plain page elsewhere; a body over the upload limit is 413."""
    refusal = request_refused(exception) or ValidationFailed("bad_request", _("请求无效"))
    return error_response(request, refusal)
