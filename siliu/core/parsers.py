"""How the platform reads a request body: the API's JSON parser, and the refusals of what no view
should see — a NUL character, a body too deep, too large or with too many fields.

Kept apart from :mod:`siliu.core.rest`: DRF imports the parser while its own views module loads, so
this module must not import that one.
"""

from collections.abc import Mapping
from typing import IO, Any, Final

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from rest_framework import parsers

from siliu.core.errors import DomainError, TooLarge, ValidationFailed

#: Deepest nesting of arrays and objects a JSON body may have. Siliu's deepest request nests four (a
#: scan batch: body → events → event → proof); Python's parser gives up near 1,000 with a
#: RecursionError, and everything that walks the data after it would recurse as deep.
MAX_JSON_DEPTH: Final = 32


def nul_refused(field: str) -> ValidationFailed:
    """The refusal of a NUL character (``\\x00``) in ``field``: no database column can hold one
    (PostgreSQL refuses it in text), and no honest client sends one."""
    return ValidationFailed("nul_character", _("不能包含 NUL 字符（\\x00）"), field=field)


def request_refused(exc: Exception) -> DomainError | None:
    """The :class:`DomainError` for Django's own refusals of a request body, or ``None``.

    Django raises these when a body is larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``, has more fields
    or files than allowed (``SuspiciousOperation``: an HTML 400 by default) or is a multipart body it
    cannot read (``MultiPartParserError``: a 500 by default).
    """
    if isinstance(exc, RequestDataTooBig):
        return TooLarge(
            "body_too_large",
            _("请求体过大：最多 %(n)d 字节") % {"n": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
        )
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return ValidationFailed("too_many_fields", _("请求中的字段或文件过多"))
    if isinstance(exc, MultiPartParserError):
        return ValidationFailed("invalid_body", _("无法读取 multipart 请求体：%(error)s") % {"error": exc})
    return None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser that refuses, with 400, bodies nested deeper than :data:`MAX_JSON_DEPTH`
    (``json_too_deep``) and any key or string holding a NUL character (``nul_character``).

    The default parser of the API (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``).
    """

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise _too_deep() from None
        json_check(data)
        return data


def _too_deep() -> ValidationFailed:
    return ValidationFailed("json_too_deep", _("JSON 嵌套过深：最多 %(n)d 层") % {"n": MAX_JSON_DEPTH})


def json_check(data: Any) -> None:
    """Refuse parsed JSON nested deeper than :data:`MAX_JSON_DEPTH` or holding a NUL character.

    Walks the data with a stack, not by recursion, so that no depth can exhaust Python's stack.

    Raises
    ------
    ValidationFailed
        ``json_too_deep``; ``nul_character`` naming the dotted path of the key or string
        (``transfers.0.reference``).
    """
    stack: list[tuple[Any, int, tuple[str, ...]]] = [(data, 1, ())]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, dict):
            if depth > MAX_JSON_DEPTH:
                raise _too_deep()
            for key, item in value.items():
                if "\x00" in key:
                    raise nul_refused(".".join((*path, key.replace("\x00", "\\x00"))))
                stack.append((item, depth + 1, (*path, key)))
        elif isinstance(value, list):
            if depth > MAX_JSON_DEPTH:
                raise _too_deep()
            stack.extend((item, depth + 1, (*path, str(index))) for index, item in enumerate(value))
        elif isinstance(value, str) and "\x00" in value:
            raise nul_refused(".".join(path) or "body")
