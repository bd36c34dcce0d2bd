"""Pages every part shares: home, login/logout, health."""

from typing import Any

from django.contrib.auth import views as auth_views
from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from siliu.core.errors import ValidationFailed
from siliu.core.middleware import error_response
from siliu.core.parsers import request_refused
from siliu.core.ratelimit import LoginRateThrottle, page_wait, too_many_requests


def home(request: HttpRequest) -> HttpResponse:
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


class LogoutView(auth_views.LogoutView):
    pass


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403 in the site's own page (Chinese and English, for a phone), saying why when the check said."""
    message = str(exception) if exception.args else ""
    return render(request, "core/403.html", {"message": message}, status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 in the site's layout; API paths get the API's JSON error shape."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "message": str(_("未找到"))}, status=404)
    return render(request, "core/404.html", status=404)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 for a request Django refuses outside any view (``handler400``): the API's JSON error shape
    under ``/api/``, the site's plain page elsewhere; a body over the upload limit is 413."""
    refusal = request_refused(exception) or ValidationFailed("bad_request", _("请求无效"))
    return error_response(request, refusal)
