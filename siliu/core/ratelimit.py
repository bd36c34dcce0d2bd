"""Who the client is, and how often it may come: the rate limits of pages and the API.

The client
----------
:func:`client_address` is the one answer to "who is this?" for every limit: the API's throttles, the
pages' checks and django-axes's login lockout (``AXES_CLIENT_IP_CALLABLE``). It is the socket's peer
(``REMOTE_ADDR``) unless that peer is a proxy listed in ``SILIU_TRUSTED_PROXIES``; then it is the
right-most ``X-Forwarded-For`` entry that is not itself a trusted proxy. Entries further left were
written by the client and prove nothing, so a made-up header never buys a fresh allowance.

Rates
-----
Each throttle names a scope; its rate is ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]``, read at
every request (so tests and settings overrides take effect at once), counted in Django's cache
(Redis when ``SILIU_REDIS_URL`` is set, so every web worker shares one count).

===========================  ======================================  =================================
scope                        counted per                             setting (default)
===========================  ======================================  =================================
``public``                   address, requests without a login       ``SILIU_PUBLIC_RATE`` (60/min)
``user``                     user, requests with a token or session  ``SILIU_USER_RATE`` (600/min)
``login``                    address, login attempts (page, token)   ``SILIU_LOGIN_RATE`` (20/min)
``seller_registration``      user, seller registrations              ``SILIU_SELLER_REGISTRATION_RATE``
                                                                     (5/hour)
``seller_registration_ip``   address, seller registrations           ``SILIU_SELLER_REGISTRATION_IP_RATE``
                                                                     (10/hour)
``exhibition_request``       address, requests for a stamp           ``SILIU_EXHIBITION_REQUEST_RATE``
                             exhibition (logged in or not)           (5/hour)
===========================  ======================================  =================================

Every API view gets ``public`` and ``user`` (``DEFAULT_THROTTLE_CLASSES``); public pages check the same
two through :func:`rate_limited_page` (or :func:`page_wait` and :func:`too_many_requests` where the page
says so itself), so switching between a page and its API gains nothing.
"""

import functools
import ipaddress
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

if TYPE_CHECKING:  # DRF imports the throttles while it defines APIView
    from rest_framework.views import APIView

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.cache
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)
    except ValueError as error:
        raise ImproperlyConfigured(f"SILIU_TRUSTED_PROXIES: {error}") from None


def _address(text: str) -> Address | None:
    """The address in ``text``, which some proxies write with a port (``198.51.100.7:4711``,
    ``[2001:db8::1]:4711``); ``None`` when there is none."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_address(request: HttpRequest | Request) -> str:
    """The address this request is counted under: the socket peer, or behind a trusted proxy the client
    that proxy saw.

    Behind proxies listed in ``settings.SILIU_TRUSTED_PROXIES`` (addresses or CIDR networks), the
    ``X-Forwarded-For`` entries are read from the right, skipping trusted proxies; the first other entry
    is the client (the nearest untrusted hop, which a trusted proxy wrote). When every entry is a trusted
    proxy the left-most one is used; when an entry is not an address (a misconfigured proxy) the peer is.

    Parameters
    ----------
    request
        A Django or DRF request.

    Returns
    -------
    str
        The address in its canonical text form (``203.0.113.7``, ``2001:db8::1``); ``""`` when the
        server gave no peer address.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    peer = _address(remote)
    if peer is None:
        return remote
    trusted = _networks(tuple(getattr(settings, "SILIU_TRUSTED_PROXIES", ())))
    if not any(peer in network for network in trusted):
        return str(peer)
    forwarded = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    client = peer
    for entry in reversed(forwarded):
        hop = _address(entry)
        if hop is None:
            return str(peer)
        client = hop
        if not any(hop in network for network in trusted):
            break
    return str(client)


# ---------------------------------------------------------------------------------------------------
# Throttles


class RateThrottle(SimpleRateThrottle):
    """A DRF throttle counting per :func:`client_address`, with its rate read from settings per request.

    Subclasses set ``scope`` and, when they count per user, override :meth:`get_cache_key`.
    """

    def get_rate(self) -> str | None:
        rates: dict[str, Any] = api_settings.DEFAULT_THROTTLE_RATES
        if self.scope not in rates:
            raise ImproperlyConfigured(f"no rate for throttle scope {self.scope!r} in DEFAULT_THROTTLE_RATES")
        rate: str | None = rates[self.scope]
        return rate

    def get_ident(self, request: Request) -> str:
        return client_address(request)

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allows(self, request: HttpRequest) -> bool:
        """:meth:`allow_request` for a page: the throttles read only ``user`` and ``META``."""
        return self.allow_request(request, None)  # type: ignore[arg-type]


def _is_authenticated(request: HttpRequest | Request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class PublicRateThrottle(RateThrottle):
    """Requests without a login, per address (``public``)."""

    scope = "public"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        if _is_authenticated(request):
            return None
        return super().get_cache_key(request, view)


class UserRateThrottle(RateThrottle):
    """Requests with a token or a session, per user (``user``)."""

    scope = "user"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        if not _is_authenticated(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": f"user:{request.user.pk}"}


class LoginRateThrottle(RateThrottle):
    """Login attempts, per address, whoever they name (``login``): against trying one password on many
    usernames, which the lockout per username and address does not see."""

    scope = "login"


class SellerRegistrationThrottle(UserRateThrottle):
    """Seller registrations, per user (``seller_registration``)."""

    scope = "seller_registration"


class SellerRegistrationAddressThrottle(RateThrottle):
    """Seller registrations, per address (``seller_registration_ip``)."""

    scope = "seller_registration_ip"


class ExhibitionRequestThrottle(RateThrottle):
    """Requests for a stamp exhibition, per address, whoever files them (``exhibition_request``): the
    form takes them without a login."""

    scope = "exhibition_request"


PAGE_THROTTLES: tuple[type[RateThrottle], ...] = (PublicRateThrottle, UserRateThrottle)
SELLER_REGISTRATION_THROTTLES: tuple[type[RateThrottle], ...] = (
    UserRateThrottle,
    SellerRegistrationThrottle,
    SellerRegistrationAddressThrottle,
)
EXHIBITION_REQUEST_THROTTLES: tuple[type[RateThrottle], ...] = (
    PublicRateThrottle,
    UserRateThrottle,
    ExhibitionRequestThrottle,
)


def page_wait(request: HttpRequest, throttles: Sequence[type[RateThrottle]] = PAGE_THROTTLES) -> float | None:
    """Seconds this client should wait before the request is served, or ``None`` when it may be now.

    Every throttle counts the request it allows, as DRF's views do, so a page and its API draw on one
    allowance.
    """
    waits = []
    for throttle_class in throttles:
        throttle = throttle_class()
        if not throttle.allows(request):
            waits.append(throttle.wait() or 0.0)
    return max(waits) if waits else None


def too_many_requests(
    request: HttpRequest,
    wait: float,
    *,
    template: str = "core/429.html",
    context: dict[str, object] | None = None,
) -> HttpResponse:
    """The 429 page (or ``template`` with ``throttled`` set), with ``Retry-After`` in whole seconds."""
    seconds = int(wait) + 1
    context = {**(context or {}), "throttled": True, "wait_seconds": seconds}
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(seconds)
    return response


def rate_limited_page(
    throttles: Sequence[type[RateThrottle]] = PAGE_THROTTLES, *, methods: Sequence[str] = ()
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A page view decorator: past a limit the client gets :func:`too_many_requests` instead.

    Parameters
    ----------
    throttles
        The throttle classes to check (default: ``public`` per address, ``user`` per user).
    methods
        Only requests with these HTTP methods count (default: every request).
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not methods or request.method in methods:
                wait = page_wait(request, throttles)
                if wait is not None:
                    return too_many_requests(request, wait)
            return view(request, *args, **kwargs)

        return limited

    return decorate
