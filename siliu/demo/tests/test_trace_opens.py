"""The demo's trace pages opened through its year: a few per batch, seeded, inside the history."""

import datetime

import pytest

from siliu.commerce.models import TraceBatch
from siliu.commerce.tests.conftest import Shop, shop  # noqa: F401
from siliu.core.events import TRACE_OPENED
from siliu.core.models import Event
from siliu.demo.commerce_history import history_window
from siliu.demo.trace_opens import OPENS_PER_YEAR, demo_trace_opens
from siliu.logistics.tests.conftest import county  # noqa: F401

pytestmark = pytest.mark.django_db

WINDOW = history_window(today=datetime.date(2026, 12, 7))


def _opens() -> list[tuple[str, datetime.datetime]]:
    return list(
        Event.objects.filter(kind=TRACE_OPENED)
        .order_by("occurred_at", "ref")
        .values_list("ref", "occurred_at")
    )


def test_the_same_seed_opens_the_same_pages_at_the_same_moments(shop: Shop) -> None:  # noqa: F811
    """Batches made before the year are opened all year long, a later one from its registration on; the
    same seed gives the same opens, another seed others."""
    for code, created_at in (
        ("OLDBATCH01", WINDOW.start - datetime.timedelta(days=90)),
        ("OLDBATCH02", WINDOW.start - datetime.timedelta(days=10)),
        ("NEWBATCH03", WINDOW.end - datetime.timedelta(days=60)),
    ):
        TraceBatch.objects.create(
            seller=shop.cooperative,
            code=code,
            product_name="徐香猕猴桃",
            place="王家村",
            harvested_on=created_at.date(),
            quantity=100,
            unit="公斤",
            created_at=created_at,
        )
    count = demo_trace_opens(seed=5, window=WINDOW)
    first = _opens()
    assert count == len(first) > 0
    for code, moment in first:
        since = WINDOW.end - datetime.timedelta(days=60) if code == "NEWBATCH03" else WINDOW.start
        assert since <= moment <= WINDOW.end
    per_batch = {
        code: sum(1 for ref, _moment in first if ref == code) for code in ("OLDBATCH01", "OLDBATCH02")
    }
    assert all(OPENS_PER_YEAR[0] <= opens <= OPENS_PER_YEAR[1] for opens in per_batch.values())
    # Two months of the year: a sixth of a year's opens at most.
    assert sum(1 for ref, _moment in first if ref == "NEWBATCH03") <= round(OPENS_PER_YEAR[1] * 61 / 365)

    Event.objects.filter(kind=TRACE_OPENED).delete()
    assert demo_trace_opens(seed=5, window=WINDOW) == count
    assert _opens() == first
    Event.objects.filter(kind=TRACE_OPENED).delete()
    demo_trace_opens(seed=6, window=WINDOW)
    assert _opens() != first
