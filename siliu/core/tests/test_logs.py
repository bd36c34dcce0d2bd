"""A refused request is logged in one line; a server error keeps its traceback."""

import logging
import sys
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from siliu.core.logs import ClientErrorsWithoutTraceback
from siliu.core.roles import Role


@pytest.mark.django_db
def test_a_403_page_logs_one_line_without_traceback(
    client: Client, make_user: Callable[..., User], caplog: pytest.LogCaptureFixture
) -> None:
    """A logged-in consumer opening the trial balance gets 403; django.request logs it with no traceback."""
    client.force_login(make_user(Role.CONSUMER))
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/finance/trial-balance/").status_code == 403
    (record,) = [record for record in caplog.records if record.name == "django.request"]
    assert record.getMessage() == "Forbidden (Permission denied): /finance/trial-balance/"
    assert record.exc_info is None and "Traceback" not in caplog.text


def test_a_server_error_keeps_its_traceback() -> None:
    """The filter leaves a 5xx record's exception alone."""
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), sys.exc_info()
        )
    record.status_code = 500
    assert ClientErrorsWithoutTraceback().filter(record) is True
    assert record.exc_info is not None
