"""Schemathesis over the whole API, in process through the WSGI application.

Every operation of the live schema (``/api/schema/``) is called with generated input — valid and
invalid — as a buyer (a consumer with money on their wallet) and as the administrator, in a small demo
county. A run fails on any 5xx and on any answer the schema does not describe: an undocumented status
code, another content type, or a body that does not match its schema.

``make test`` runs a small, fixed budget (``SILIU_FUZZ_EXAMPLES``, default 5 generated cases per
operation, plus schemathesis's examples phase); ``make fuzz`` runs the same with a much larger budget
and schemathesis's coverage phase. Generated strings and integers are mixed with values that broke
the platform before (:data:`HOSTILE_STRINGS`, :data:`HOSTILE_INTEGERS`). Generation is derandomized
from a fixed seed (``SILIU_FUZZ_SEED`` to try another) and keeps no example database, so the same
code gets the same requests every run.
"""

import datetime
import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from pytest_django import DjangoDbBlocker
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from siliu.demo.commerce_history import commerce_history_generate, history_window
from siliu.demo.generator import ADMIN_USERNAME, demo_county_generate
from siliu.finance import chart
from siliu.finance.services import system_account, transfer_create, wallet_open

SEED = int(os.environ.get("SILIU_FUZZ_SEED", "2026"))
EXAMPLES = int(os.environ.get("SILIU_FUZZ_EXAMPLES", "5"))
#: Schemathesis's coverage phase: every parameter at and past its limits, of the wrong type, missing,
#: and unexpected methods. Thorough and several times slower than the rest: ``make fuzz`` only.
COVERAGE = os.environ.get("SILIU_FUZZ_COVERAGE", "0") == "1"
COUNTY_SEED = 2026
BUYER_USERNAME = "c0001"
BUYER_BALANCE_FEN = 500_000

#: Values that broke the platform before (NUL, numbers beyond a 64-bit column, text longer than its
#: column), mixed into generated strings and integers wherever they appear.
HOSTILE_STRINGS = ["\x00", "a\x00b", "x" * 300, "𠮷" * 70, " "]
HOSTILE_INTEGERS = [2**63, -(2**63) - 1, 2**31, 10**15 + 1, -1, 0]

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "dictionaries": {
            "hostile-strings": {"values": HOSTILE_STRINGS},
            "hostile-integers": {"values": HOSTILE_INTEGERS},
        },
        "generation": {
            "mode": "all",
            "max-examples": EXAMPLES,
            "deterministic": True,
            "database": "none",
            "dictionaries": {
                "string": {"dictionary": "hostile-strings", "probability": 0.25},
                "integer": {"dictionary": "hostile-integers", "probability": 0.25},
            },
        },
        "phases": {
            "examples": {"enabled": True},
            "fuzzing": {"enabled": True},
            "coverage": {"enabled": COVERAGE},
            "stateful": {"enabled": False},
        },
    }
)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=CONFIG)


@pytest.fixture(scope="module", autouse=True)
def _connection_kept() -> Iterator[None]:
    """Keep the test's database connection across requests, as Django's test client does: the WSGI
    handler's signals would close a connection inside a transaction (on PostgreSQL) at every request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def tokens(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[dict[str, str]]:
    """A small demo county with a history of orders, a buyer with money, and the two users' tokens.

    Built once for the module inside a transaction rolled back at its end; each operation's test runs
    in a savepoint within it (pytest-django's ``db``), so no test sees another's writes.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        demo_county_generate(seed=COUNTY_SEED, village_count=4, consumer_count=3, seller_count=3)
        commerce_history_generate(
            seed=COUNTY_SEED, window=history_window(today=datetime.date(2026, 11, 1)), order_count=10
        )
        buyer = User.objects.get(username=BUYER_USERNAME)
        system_account(code=chart.CAPITAL)
        transfer_create(
            id="fuzz:buyer-funds",
            debit_account=chart.CAPITAL,
            credit_account=wallet_open(user=buyer).code,
            amount_fen=BUYER_BALANCE_FEN,
        )
        yield {
            username: Token.objects.get_or_create(user=User.objects.get(username=username))[0].key
            for username in (BUYER_USERNAME, ADMIN_USERNAME)
        }
        transaction.set_rollback(True)


def _sendable(value: object) -> bool:
    """Whether an HTTP client can send ``value`` as a header: latin-1, no control character, no
    surrounding space."""
    text = str(value)
    return text == text.strip() and all(" " <= char <= "~" or "\xa0" <= char <= "\xff" for char in text)


@schema.parametrize()
@settings(
    deadline=None,
    # The county is built once per module on purpose (see ``tokens``): rebuilding it per example would
    # cost more than the run.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_answers_as_documented(case: schemathesis.Case, tokens: dict[str, str], db: None) -> None:
    """No generated request, valid or not, gets a 5xx or an answer its schema does not describe."""
    if case.headers:
        # The hostile strings reach header parameters too (Idempotency-Key); those no HTTP client can
        # send are left out rather than failing the run in the client.
        for name in [name for name, value in case.headers.items() if not _sendable(value)]:
            del case.headers[name]
    for key in tokens.values():
        # Each call starts with a fresh throttle allowance: this tests answers, not the rate limits.
        cache.clear()
        # Schemathesis calls the WSGI application directly and does not undo a gzipped body (the
        # site gzips pages, ADR 0010): ask for the body as it is, as a client that cannot inflate does.
        case.call_and_validate(
            headers={"Authorization": f"Token {key}", "Accept-Encoding": "identity"}, checks=CHECKS
        )
