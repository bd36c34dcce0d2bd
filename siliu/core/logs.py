"""Logging that says what happened in one line where a traceback would tell nothing more."""

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """Drop the traceback from ``django.request``'s record of an answer below 500.

    Django logs a refused request (a 403 from ``PermissionDenied``, a 404, a 400) as a warning with the
    exception attached, so every refusal printed a traceback of Siliu's own permission check. A 4xx is
    the platform working: the line (status, path) is enough. Server errors keep their traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
