"""How often a code may be sent: per phone (``appeal_code_phone``) and per address (``appeal_code_ip``),
counted with the project's throttles (:mod:`siliu.core.ratelimit`) by the page and the API alike."""

import contextlib
from typing import TYPE_CHECKING

from django.http import HttpRequest
from rest_framework.request import Request

from siliu.core.errors import ValidationFailed
from siliu.core.identity import mobile_validate
from siliu.core.ratelimit import RateThrottle

if TYPE_CHECKING:
    from rest_framework.views import APIView


class CodeAddressThrottle(RateThrottle):
    """Codes asked for from one address, whatever the phone."""

    scope = "appeal_code_ip"


class CodePhoneThrottle(RateThrottle):
    """Codes sent to one phone, from wherever asked."""

    scope = "appeal_code_phone"

    def __init__(self, phone: str) -> None:
        super().__init__()
        self.phone = phone

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": f"phone:{self.phone}"}


def code_send_wait(request: HttpRequest | Request, phone: str) -> float | None:
    """Seconds to wait before a code may be sent to ``phone`` from this client, or ``None`` (now).
    Counts the request when it is let through. A phone that is not a mobile number is not counted
    here (the service refuses it)."""
    throttles: list[RateThrottle] = [CodeAddressThrottle()]
    with contextlib.suppress(ValidationFailed):  # refused by the service, with its field error
        throttles.append(CodePhoneThrottle(mobile_validate(phone)))
    waits = [throttle.wait() or 0.0 for throttle in throttles if not throttle.allows(request)]
    return max(waits) if waits else None
