"""Domain errors with stable codes.

Services raise these; one handler (:func:`siliu.core.rest.exception_handler`) turns them into HTTP
responses, and management commands print their message. The ``code`` is part of the API contract:
clients switch on it, so it never changes once released.
"""

from typing import ClassVar


class DomainError(Exception):
    """A refused action, explained.

    Parameters
    ----------
    code
        Stable, snake_case machine code (``unknown_outlet``, ``insufficient_funds``).
    message
        Human explanation in the active language.
    field
        The input field at fault, when one is.
    """

    http_status: ClassVar[int] = 400

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"code": self.code, "message": self.message}
        if self.field:
            body["errors"] = {self.field: [self.message]}
        return body


class ValidationFailed(DomainError):
    """Input that can never succeed as given (HTTP 400)."""

    http_status = 400


class PermissionRefused(DomainError):
    """The actor may not do this (HTTP 403)."""

    http_status = 403


class NotFound(DomainError):
    """The thing named does not exist or is not visible to the actor (HTTP 404)."""

    http_status = 404


class Conflict(DomainError):
    """The request clashes with the current state (HTTP 409): already done, out of stock, locked."""

    http_status = 409


class TooManyRequests(DomainError):
    """The actor has done this too often for now (HTTP 429): too many logins, too much cash today."""

    http_status = 429


class TooLarge(DomainError):
    """The request is bigger than the platform reads (HTTP 413): a body over the upload limit."""

    http_status = 413
