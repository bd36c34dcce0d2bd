"""Elderly mode (长辈模式, 适老化): larger text, higher contrast, bigger controls, fewer items per screen.

Remembered per device in a long-lived cookie, read on every page without the database, and per user in
:class:`~siliu.core.models.UserPreference`, so that it follows the user to another device: switching it
while logged in stores both, and logging in copies the user's stored choice to the device's cookie (the
user's choice wins over the device's). See ``docs/adr/0011-elderly-mode.md``.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest, HttpResponse

from siliu.core.models import UserPreference

#: The device's choice: ``"1"`` on, ``"0"`` off.
ELDERLY_MODE_COOKIE = "siliu_elderly_mode"
#: 400 days, the longest a browser keeps a cookie.
ELDERLY_MODE_COOKIE_MAX_AGE = 400 * 24 * 3600


def elderly_mode_of_request(request: HttpRequest) -> bool:
    """Whether the pages of this request are shown in elderly mode: the device's cookie."""
    return request.COOKIES.get(ELDERLY_MODE_COOKIE) == "1"


def elderly_mode_of_user(*, user: AbstractBaseUser | AnonymousUser) -> bool | None:
    """The user's stored choice, or ``None`` when they never made one (or nobody is logged in)."""
    if not user.is_authenticated:
        return None
    preference = UserPreference.objects.filter(user_id=user.pk).only("elderly_mode").first()
    return None if preference is None else preference.elderly_mode


def elderly_mode_set(*, user: AbstractBaseUser | AnonymousUser, enabled: bool) -> None:
    """Stores a logged-in user's choice (nothing for an anonymous visitor, whose device remembers it)."""
    if user.is_authenticated:
        UserPreference.objects.update_or_create(user_id=user.pk, defaults={"elderly_mode": enabled})


def elderly_mode_remember(response: HttpResponse, *, enabled: bool) -> None:
    """Sets the device's cookie on the response."""
    response.set_cookie(
        ELDERLY_MODE_COOKIE,
        "1" if enabled else "0",
        max_age=ELDERLY_MODE_COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
