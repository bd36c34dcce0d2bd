"""Request checks that come before any view: a NUL character anywhere in a request is refused; and
a cache of who may act where, for the length of one request.

PostgreSQL refuses NUL (``\\x00``) in text, so a NUL that reaches a query is a 500 on the database the
platform runs on (and silently stored on SQLite). No honest client sends one; refusing it here, once,
spares every view and service from checking.
"""

from collections.abc import Callable, Iterable

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

from siliu.core.errors import DomainError
from siliu.core.parsers import nul_refused, request_refused
from siliu.core.permissions import places_cached

_NUL = "\x00"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def error_response(request: HttpRequest, error: DomainError) -> HttpResponse:
    """``error`` as the API's JSON error shape under ``/api/``, as the site's plain error page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(error.as_dict(), status=error.http_status)
    if not hasattr(request, "user"):
        # Refused before authentication ran: the page is drawn for nobody rather than by reading a
        # session whose cookie may be the very thing refused.
        request.user = AnonymousUser()
    return render(request, "core/400.html", {"message": error.message}, status=error.http_status)


def _nul_field(items: Iterable[tuple[str, str]]) -> str | None:
    """The first name whose name or value holds a NUL, printable, or ``None``."""
    for name, value in items:
        if _NUL in name or _NUL in value:
            return name.replace(_NUL, "\\x00")
    return None


def _nul_field_in_query(query: QueryDict) -> str | None:
    return _nul_field((key, value) for key, values in query.lists() for value in values)


def _nul_field_in(request: HttpRequest) -> str | None:
    """Where ``request`` carries a NUL: the path, a query parameter, a cookie, a header or a form field.

    JSON bodies are checked by the API's parser (:class:`siliu.core.parsers.JSONParser`); uploaded
    files by whoever reads them.
    """
    if _NUL in request.path_info:
        return "path"
    query_string = request.META.get("QUERY_STRING", "")
    if _NUL in query_string or "%00" in query_string:
        return _nul_field_in_query(request.GET) or "query"
    headers = (
        (key.removeprefix("HTTP_").replace("_", "-").title(), value)
        for key, value in request.META.items()
        if key.startswith("HTTP_") and isinstance(value, str)
    )
    field = _nul_field(request.COOKIES.items()) or _nul_field(headers)
    if field is not None:
        return field
    if request.method == "POST" and request.content_type in _FORM_TYPES:
        return _nul_field_in_query(request.POST)
    return None


class NulCharacterMiddleware:
    """Answer 400 ``nul_character`` to a request with a NUL in its path, query string, cookies,
    headers or form fields, before any view or query sees it.

    Reading the form here is what Django's CSRF check does anyway; a form too large to read is
    answered 413 ``body_too_large`` (400 ``too_many_fields``, ``invalid_body`` for a multipart body
    that cannot be read) in the same shape.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            field = _nul_field_in(request)
        except (SuspiciousOperation, MultiPartParserError) as exc:  # a body Django will not read
            refusal = request_refused(exc)
            if refusal is None:
                raise
            return error_response(request, refusal)
        if field is not None:
            return error_response(request, nul_refused(field))
        return self.get_response(request)


class PlacesCacheMiddleware:
    """Look up each user's places (their county, station, round: :mod:`siliu.core.permissions`) once
    per request, however many checks the request makes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with places_cached():
            return self.get_response(request)
