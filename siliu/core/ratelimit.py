"""Per-client rate limits for public pages, sharing DRF's throttle settings and cache."""

from django.http import HttpRequest
from rest_framework.request import Request

from siliu.core.rest import PublicRateThrottle


def public_page_allowed(request: HttpRequest) -> bool:
    """Whether this client may load another public page now (``SILIU_PUBLIC_RATE`` per client).

    Pages and the public API draw on the same allowance, so switching between them gains nothing.
    """
    throttle = PublicRateThrottle()
    return throttle.allow_request(Request(request), view=None)  # type: ignore[arg-type]
