"""What a client locked out of logging in is told (django-axes's ``AXES_LOCKOUT_CALLABLE``).

After ``AXES_FAILURE_LIMIT`` failed logins for one username from one address (:func:`client_address
<siliu.core.ratelimit.client_address>`), django-axes refuses that pair — the right password too — for
``AXES_COOLOFF_TIME``; a successful login resets the count. The API gets the one error shape with code
``login_locked``; the login page says the same in the layout. Both answer 429.
"""

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from siliu.core.errors import TooManyRequests


def login_locked_error() -> TooManyRequests:
    """The refusal of a locked-out login, naming the cool-off in minutes."""
    cool_off: datetime.timedelta = settings.AXES_COOLOFF_TIME
    minutes = max(1, round(cool_off.total_seconds() / 60))
    return TooManyRequests(
        "login_locked",
        _("登录失败次数过多，该账号已在此地址暂时锁定，请 %(minutes)d 分钟后再试。") % {"minutes": minutes},
    )


def login_locked_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The 429 answer django-axes's middleware gives a locked-out login: JSON under ``/api/``, else the
    login page with the message."""
    error = login_locked_error()
    if request.path.startswith("/api/"):
        return JsonResponse(error.as_dict(), status=error.http_status)
    context = {
        # Unbound: a bound form would authenticate again when the page reads its errors.
        "form": AuthenticationForm(request, initial={"username": request.POST.get("username", "")}),
        "refusal": error.message,
        "next": request.POST.get("next", ""),
    }
    return render(request, "core/login.html", context, status=error.http_status)
