import datetime
from decimal import Decimal

import pytest

from siliu.core.bulk import insert_rows, update_rows
from siliu.network.models import OpeningHours, Outlet
from siliu.network.tests.factories import OutletFactory

pytestmark = pytest.mark.django_db


def test_insert_rows_sets_primary_keys_in_order() -> None:
    """One INSERT writes every row and gives each instance its own key."""
    outlet = OutletFactory.create()
    rows = [
        OpeningHours(outlet=outlet, weekday=day, opens_at=datetime.time(8), closes_at=datetime.time(12, 30))
        for day in range(3)
    ]
    insert_rows(OpeningHours, ["outlet", "weekday", "opens_at", "closes_at"], rows)
    stored = list(OpeningHours.objects.order_by("pk").values_list("pk", "weekday", "closes_at"))
    assert stored == [(row.pk, row.weekday, datetime.time(12, 30)) for row in rows]


def test_update_rows_writes_each_type_exactly() -> None:
    """Decimals, booleans, text, foreign keys and NULL survive the VALUES casts on both databases."""
    parent, first, second = OutletFactory.create(), OutletFactory.create(), OutletFactory.create()
    first.latitude, first.name, first.is_active = Decimal("34.123456"), "甲站", False
    first.parent_outlet = parent
    second.latitude, second.name, second.parent_outlet = Decimal("-1.5"), "乙站", None
    update_rows(Outlet, ["latitude", "name", "is_active", "parent_outlet"], [first, second])
    assert list(
        Outlet.objects.filter(pk__in=[first.pk, second.pk])
        .order_by("pk")
        .values_list("latitude", "name", "is_active", "parent_outlet")
    ) == [(Decimal("34.123456"), "甲站", False, parent.pk), (Decimal("-1.500000"), "乙站", True, None)]
