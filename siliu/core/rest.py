"""REST plumbing shared by every app: the error handler and its schema, pagination, the permission
class of the role matrix. (The throttles are in :mod:`siliu.core.ratelimit`; the JSON parser is in
:mod:`siliu.core.parsers`, which DRF's settings import.)

Every error body has the same shape::

    {"code": "unknown_outlet", "message": "…", "errors": {"field": ["…"]}}

``errors`` is present when specific input fields are at fault.
"""

from typing import Any, Final

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from siliu.core.errors import DomainError
from siliu.core.parsers import request_refused
from siliu.core.permissions import Permission, user_can

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


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$",
        "example": "08:30:00",
        "description": "当地时间（北京时间）HH:MM:SS，不带时区",
    }
)
class LocalTimeField(serializers.TimeField):
    """A time of day on the local clock, ``HH:MM:SS``.

    OpenAPI's ``format: time`` is RFC 3339's *full-time*, which carries a UTC offset; an opening hour
    has none (it is Beijing time, whatever the date), so it is documented as a pattern instead.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%H:%M:%S")
        super().__init__(**kwargs)


class Pagination(PageNumberPagination):
    """``?page=N&page_size=M`` (at most 500) → ``{count, next, previous, results}``."""

    page_size_query_param = "page_size"
    max_page_size = 500


def permission_required(permission: Permission) -> type[BasePermission]:
    """A DRF permission class admitting users who hold ``permission`` somewhere
    (:func:`siliu.core.permissions.user_can`); where it holds is checked on the object, in the
    service or selector."""

    class HoldsPermission(BasePermission):
        message = _("没有权限：%(permission)s") % {"permission": permission.label}

        def has_permission(self, request: Request, view: APIView) -> bool:
            return user_can(request.user, permission)

    HoldsPermission.__name__ = "Holds_" + permission.value.replace(".", "_")
    return HoldsPermission


# --- the error shape in the OpenAPI schema ---------------------------------------------------------

#: The error answers every operation may give, and what they mean.
_ERROR_ANSWERS: Final = {
    400: "请求无效：字段错误、格式错误或业务规则不允许（code 说明原因，errors 指出字段）",
    401: "未登录或令牌无效",
    403: "无权执行此操作",
    404: "不存在，或对当前用户不可见",
    409: "与当前状态冲突：已处理、库存不足、已锁定等",
    429: "请求过于频繁",
}
#: The error answers only an operation with a request body may give.
_BODY_ERROR_ANSWERS: Final = {
    413: "请求体过大（body_too_large）",
    415: "不支持的请求体类型",
}
_HTTP_METHODS: Final = frozenset({"get", "put", "post", "patch", "delete", "head", "options", "trace"})

#: The JSON Schema of every error body (:func:`exception_handler`).
ERROR_SCHEMA: Final = {
    "type": "object",
    "description": "错误：稳定的 code、说明 message，以及出错字段 errors（如有）。",
    "properties": {
        "code": {"type": "string", "description": "稳定的错误代码，如 unknown_outlet"},
        "message": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "出错的字段及其说明；嵌套字段以点连接，如 sender.phone",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["code", "message"],
}


def error_responses_document(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: document the error answers of every operation.

    Adds the ``Error`` component (:data:`ERROR_SCHEMA`) and, to each operation that does not document
    them itself, 400, 401, 403, 404, 409 and 429 — plus 413 and 415 where it takes a request body —
    answering ``application/json`` with that shape. Set in ``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``.
    """
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in _HTTP_METHODS:
                continue
            answers = dict(_ERROR_ANSWERS)
            if "requestBody" in operation:
                answers.update(_BODY_ERROR_ANSWERS)
            responses = operation.setdefault("responses", {})
            for status_code, description in sorted(answers.items()):
                responses.setdefault(
                    str(status_code),
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
    return result
