"""Migration 0006: the 2025 tariffs and compensation policy v0, and the year they are chosen by.

The county is the one in ``conftest``. An e-commerce parcel of 3.2 kg from VS11 to Beijing (another
province) is one first kilogram and three started steps: ¥11.00 + 3 × ¥5.50 = ¥27.50 in 2025,
¥12.00 + 3 × ¥6.00 = ¥30.00 in 2026.
"""

import datetime
import importlib
from collections.abc import Callable

import pytest
from django.apps import apps
from django.contrib.auth.models import User

from siliu.core.errors import ValidationFailed
from siliu.core.roles import Role
from siliu.logistics.claims.policy import claim_compensation
from siliu.logistics.claims.services import claim_submit
from siliu.logistics.models import (
    ClaimKind,
    CompensationPolicy,
    CompensationRule,
    Parcel,
    Product,
    Tariff,
    Zone,
)
from siliu.logistics.parcels.services import ScanInput, scans_record
from siliu.logistics.pricing.quotes import QuoteRequest, parcel_quote
from siliu.logistics.tests.conftest import SHANGHAI
from siliu.network.models import Outlet

pytestmark = pytest.mark.django_db

migration = importlib.import_module("siliu.logistics.migrations.0006_tariffs_2025")

ON_2025 = datetime.date(2025, 1, 1)
ON_2026 = datetime.date(2026, 1, 1)


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def schedule(effective_on: datetime.date) -> list[tuple[str, str, int, int, int, int]]:
    """(product, zone, first g, first fen, step g, step fen) of every tariff from ``effective_on``."""
    return list(
        Tariff.objects.filter(effective_on=effective_on)
        .order_by("product__code", "zone")
        .values_list(
            "product__code", "zone", "first_weight_g", "first_fee_fen", "step_weight_g", "step_fee_fen"
        )
    )


def rules(version: int) -> list[tuple[int, str, str | None, bool | None, bool | None, str, int]]:
    return list(
        CompensationRule.objects.filter(policy__version=version)
        .order_by("priority")
        .values_list(
            "priority", "claim_kind", "product__code", "is_letter", "is_insured", "basis", "postage_multiple"
        )
    )


def test_the_2025_schedule_is_the_2026_one_less_8_percent_in_whole_jiao() -> None:
    """Sixteen rows from 2025-01-01, one per product and zone of 2026, with its weights and the fees of
    the module's table (e.g. ¥22.00 less 8 % is ¥20.24, printed ¥20.20; 80 fen is 73.6, printed 70)."""
    assert schedule(ON_2025) == [
        ("ecommerce", "other_province", 1000, 1100, 1000, 550),
        ("ecommerce", "same_county", 1000, 550, 1000, 140),
        ("ecommerce", "same_province", 1000, 740, 1000, 280),
        ("ecommerce", "same_township", 1000, 460, 1000, 90),
        ("express", "other_province", 1000, 2020, 1000, 920),
        ("express", "same_county", 1000, 920, 1000, 280),
        ("express", "same_province", 1000, 1380, 1000, 460),
        ("express", "same_township", 1000, 740, 1000, 180),
        ("parcel", "other_province", 1000, 1100, 1000, 550),
        ("parcel", "same_county", 1000, 550, 1000, 140),
        ("parcel", "same_province", 1000, 830, 1000, 280),
        ("parcel", "same_township", 1000, 460, 1000, 90),
        ("registered", "other_province", 20, 390, 20, 110),
        ("registered", "same_county", 20, 350, 20, 70),
        ("registered", "same_province", 20, 390, 20, 110),
        ("registered", "same_township", 20, 350, 20, 70),
    ]
    assert [row[:2] for row in schedule(ON_2026)] == [row[:2] for row in schedule(ON_2025)]
    assert Tariff.objects.count() == 32


def test_policy_v0_is_in_force_in_2025_with_the_rules_of_v1() -> None:
    """v0 from 2025-01-01 and v1 from 2026-01-01: versions rise with the date, the nine rules agree."""
    assert list(
        CompensationPolicy.objects.order_by("effective_on").values_list("version", "effective_on")
    ) == [
        (0, ON_2025),
        (1, ON_2026),
    ]
    assert len(rules(0)) == 9
    assert rules(0) == rules(1)


def ecommerce_to_beijing(now: datetime.datetime) -> tuple[datetime.date, int]:
    quote = parcel_quote(
        request=QuoteRequest(
            product_code="ecommerce",
            origin_outlet_code="VS11",
            destination_region_code="110101",
            weight_g=3200,
        ),
        now=now,
    )
    assert quote.zone == Zone.OTHER_PROVINCE
    return quote.tariff.effective_on, quote.postage_fen


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (local(2025, 1, 1, 0, 0), (ON_2025, 1100 + 3 * 550)),
        (local(2025, 11, 24, 7, 30), (ON_2025, 1100 + 3 * 550)),
        (local(2025, 12, 31, 23, 59), (ON_2025, 1100 + 3 * 550)),
        # Midnight in Shanghai is 16:00 UTC: the business day, not the UTC day, picks the tariff.
        (local(2026, 1, 1, 0, 0), (ON_2026, 1200 + 3 * 600)),
        (local(2026, 11, 23, 7, 30), (ON_2026, 1200 + 3 * 600)),
    ],
)
def test_a_quote_is_priced_by_the_tariff_of_its_business_day(
    county: dict[str, Outlet], now: datetime.datetime, expected: tuple[datetime.date, int]
) -> None:
    """3.2 kg to Beijing: ¥27.50 on any day of 2025, ¥30.00 (the 2026 tariff, unchanged) from 2026."""
    assert ecommerce_to_beijing(now) == expected


def test_before_2025_there_is_still_no_tariff(county: dict[str, Outlet]) -> None:
    """The schedule goes back to 2025-01-01 and no further."""
    with pytest.raises(ValidationFailed) as refused:
        ecommerce_to_beijing(local(2024, 12, 31, 23, 59))
    assert refused.value.code == "no_tariff"


def test_a_claim_submitted_in_2025_is_decided_by_policy_v0(
    make_parcel: Callable[..., Parcel], make_user: Callable[..., User]
) -> None:
    """An uninsured ordinary parcel VS11 → VS21 of 1.5 kg sent on 2025-11-24 paid ¥5.50 + ¥1.40; lost,
    it is worth at most three times that: ¥20.70 of the ¥50 claimed, by v0's rule 70 (and by v1's
    same rule on a day of 2026)."""
    sender = make_user(Role.CONSUMER)
    parcel = make_parcel(product="parcel", sender_user=sender, now=local(2025, 11, 24, 7, 30))
    assert (parcel.tariff.effective_on, parcel.postage_fen) == (ON_2025, 550 + 140)
    number = parcel.tracking_number
    results = scans_record(
        scans=[ScanInput(f"{number}-1", number, "EMA", "VS11", local(2025, 11, 24, 7, 45))],
        now=local(2025, 11, 24, 8, 0),
    )
    assert [result.status for result in results] == ["created"]
    claim = claim_submit(
        parcel=parcel,
        kind=ClaimKind.LOSS,
        claimant=sender,
        claimed_loss_fen=5000,
        evidence=["photo:receipt.jpg"],
        now=local(2025, 12, 5, 9, 0),
    )
    policy, rule, amount_fen = claim_compensation(claim=claim)
    assert (policy.version, rule.priority, amount_fen) == (0, 70, 3 * 690)
    policy, rule, amount_fen = claim_compensation(claim=claim, on=ON_2026)
    assert (policy.version, rule.priority, amount_fen) == (1, 70, 3 * 690)


def test_reversing_deletes_exactly_what_the_migration_added() -> None:
    """Back to 0005: the 2025 rows and v0 go; 2026's rows, v1 and rows added since (a mid-2025
    express price, a policy v2) stay. Forward again restores the same schedule."""
    added_2025 = schedule(ON_2025)
    express = Product.objects.get(code="express")
    mid_year = Tariff.objects.create(
        product=express,
        zone=Zone.SAME_COUNTY,
        effective_on=datetime.date(2025, 7, 1),
        first_weight_g=1000,
        first_fee_fen=950,
        step_weight_g=1000,
        step_fee_fen=290,
    )
    CompensationPolicy.objects.create(version=2, effective_on=datetime.date(2027, 1, 1))
    rules_v1 = rules(1)
    schedule_2026 = schedule(ON_2026)

    migration.delete_tariffs_and_policy(apps, None)

    assert schedule(ON_2025) == []
    assert schedule(ON_2026) == schedule_2026
    assert list(Tariff.objects.exclude(effective_on=ON_2026)) == [mid_year]
    assert list(CompensationPolicy.objects.order_by("version").values_list("version", flat=True)) == [1, 2]
    assert rules(0) == []
    assert rules(1) == rules_v1

    migration.create_tariffs_and_policy(apps, None)

    assert schedule(ON_2025) == added_2025
    assert rules(0) == rules_v1
