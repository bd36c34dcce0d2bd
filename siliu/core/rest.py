"""REST plumbing shared by every app: the error handler, pagination, throttles, role permissions.
(The JSON parser is in :mod:`siliu.core.parsers`, which DRF's settings import.)

Every error body has the same shape::

    {"code": "unknown_outlet", "message": "…", "errors": {"field": ["…"]}}

``errors`` is present when specific input fields are at fault.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from siliu.core.errors import DomainError
from siliu.core.parsers import request_refused
from siliu.core.roles import Role, user_is_staff_or_has_role

_DRF_CODES = {
    status.HTTP_400_BAD_REQUEST: "invalid",
    status.HTTP_401_UNAUTHORIZED: "not_authenticated",
    status.HTTP_403_FORBIDDEN: "permission_denied",
    status.HTTP_404_NOT_FOUND: "not_found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
    status.HTTP_406_NOT_ACCEPTABLE: "not_acceptable",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
    status.HTTP_429_TOO_MANY_REQUESTS: "throttled",
}


def _flatten_errors(detail: Any) -> dict[str, list[str]]:
    """DRF's nested error detail as ``{"dotted.field": [messages]}``; the items of a list of objects
    are named by their index (``lines.0.product_id``)."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for field, value in detail.items():
            if isinstance(value, dict) or (
                isinstance(value, list) and any(isinstance(i, dict) for i in value)
            ):
                for sub_field, messages in _flatten_errors(value).items():
                    flat[f"{field}.{sub_field}"] = messages
            else:
                flat[str(field)] = [str(item) for item in (value if isinstance(value, list) else [value])]
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict) for item in detail):
        # A list serializer's errors: one entry per item, empty for the items without fault.
        return _flatten_errors({str(index): item for index, item in enumerate(detail) if item})
    if isinstance(detail, list):
        return {"non_field_errors": [str(item) for item in detail]}
    return {"non_field_errors": [str(detail)]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn :class:`DomainError`, Django's refusals of a body and DRF's own errors into the one error
    shape."""
    exc = request_refused(exc) or exc
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    code = _DRF_CODES.get(response.status_code, "error")
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten_errors(exc.detail)
        first_field, first_messages = next(iter(errors.items()))
        message = (
            first_messages[0] if first_field == "non_field_errors" else f"{first_field}: {first_messages[0]}"
        )
        response.data = {"code": code, "message": message, "errors": errors}
    else:
        response.data = {"code": code, "message": str(exc.detail)}
    return response


class Pagination(PageNumberPagination):
    """``?page=N&page_size=M`` (at most 500) → ``{count, next, previous, results}``."""

    page_size_query_param = "page_size"
    max_page_size = 500


class PublicRateThrottle(AnonRateThrottle):
    """Per-client limit for public pages and endpoints (tracking, trace codes)."""

    scope = "public"


def role_permission(*roles: Role) -> type[BasePermission]:
    """A DRF permission class admitting staff and users holding any of ``roles``."""

    class HasRole(BasePermission):
        message = _("需要以下角色之一：%(roles)s") % {"roles": ", ".join(role.value for role in roles)}

        def has_permission(self, request: Request, view: APIView) -> bool:
            return user_is_staff_or_has_role(request.user, *roles)

    HasRole.__name__ = "HasRole_" + "_".join(role.value for role in roles)
    return HasRole
