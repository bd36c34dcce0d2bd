"""The per-process reference snapshot quotes read: what changes reach it, and when."""

import datetime
from decimal import Decimal

import pytest

from siliu.core.errors import NotFound, ValidationFailed
from siliu.logistics.models import Product, Tariff, Zone
from siliu.logistics.pricing import reference as reference_module
from siliu.logistics.pricing.quotes import QuoteRequest, parcel_quote
from siliu.logistics.pricing.reference import reference
from siliu.logistics.tests.conftest import MONDAY_0730, SHANGHAI
from siliu.network.models import Outlet, OutletKind, OutletLink
from siliu.network.services import outlet_link_create


def quote(origin: str = "VS11", destination: str = "VS21", weight_g: int = 2500) -> int:
    request = QuoteRequest(
        product_code="express",
        origin_outlet_code=origin,
        destination_outlet_code=destination,
        weight_g=weight_g,
    )
    return parcel_quote(request=request, now=MONDAY_0730).postage_fen


def test_a_tariff_saved_in_this_process_is_quoted_at_once(county: dict[str, Outlet]) -> None:
    """¥10 + 2 × ¥3 today; a new same-county tariff from today (saved, so the snapshot is dropped)."""
    assert quote() == 1600
    Tariff.objects.create(
        product=Product.objects.get(code="express"),
        zone=Zone.SAME_COUNTY,
        effective_on=MONDAY_0730.date(),
        first_weight_g=1000,
        first_fee_fen=1200,
        step_weight_g=1000,
        step_fee_fen=400,
    )
    assert quote() == 1200 + 2 * 400


def test_a_tariff_for_a_later_day_is_not_quoted_early(county: dict[str, Outlet]) -> None:
    Tariff.objects.create(
        product=Product.objects.get(code="express"),
        zone=Zone.SAME_COUNTY,
        effective_on=MONDAY_0730.date() + datetime.timedelta(days=1),
        first_weight_g=1000,
        first_fee_fen=1200,
        step_weight_g=1000,
        step_fee_fen=400,
    )
    assert quote() == 1600


def test_a_change_made_elsewhere_arrives_after_the_reload_interval(
    county: dict[str, Outlet], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``update()`` sends no signal, as a change in another process would not: the snapshot keeps the
    old price until it is older than RELOAD_SECONDS."""
    assert quote() == 1600
    Tariff.objects.filter(zone=Zone.SAME_COUNTY, product__code="express").update(first_fee_fen=1100)
    assert quote() == 1600
    loaded_at = reference().loaded_at
    monkeypatch.setattr(
        reference_module.time, "monotonic", lambda: loaded_at + reference_module.RELOAD_SECONDS + 1
    )
    assert quote() == 1100 + 2 * 300


def test_an_outlet_added_elsewhere_is_found_by_reloading_once(county: dict[str, Outlet]) -> None:
    """A miss rebuilds the snapshot before the quote is refused as unknown."""
    assert quote() == 1600  # the snapshot is built
    hub = county["TS2"]
    Outlet.objects.bulk_create(  # no signal: like a station opened by another process
        [
            Outlet(
                code="VS22",
                name="新村服务站",
                kind=OutletKind.VILLAGE_STATION,
                region=county["VS21"].region,
                parent_outlet=hub,
                latitude=county["VS21"].latitude,
                longitude=county["VS21"].longitude,
            )
        ]
    )
    new = Outlet.objects.get(code="VS22")
    OutletLink.objects.bulk_create(
        [
            OutletLink(from_outlet=hub, to_outlet=new, distance_km=Decimal(3), transit_minutes=20),
            OutletLink(from_outlet=new, to_outlet=hub, distance_km=Decimal(3), transit_minutes=20),
        ]
    )
    assert quote(destination="VS22") == 1600
    with pytest.raises(NotFound) as unknown:
        quote(destination="VS99")
    assert (unknown.value.code, unknown.value.field) == ("unknown_outlet", "destination_outlet")


def test_a_link_removed_in_this_process_is_not_routed(county: dict[str, Outlet]) -> None:
    """TS2 → VS21 deleted: VS21 cannot be reached any more (the snapshot is dropped on delete)."""
    assert quote() == 1600
    OutletLink.objects.get(from_outlet=county["TS2"], to_outlet=county["VS21"]).delete()
    with pytest.raises(ValidationFailed) as refused:
        quote()
    assert refused.value.code == "no_path"


def test_a_new_link_shortens_the_path_at_once(county: dict[str, Outlet]) -> None:
    """A direct VS11 → VS21 link (service, so the signal fires) replaces the four legs through the hub."""
    request = QuoteRequest(
        product_code="express", origin_outlet_code="VS11", destination_outlet_code="VS21", weight_g=1
    )
    before = parcel_quote(request=request, now=MONDAY_0730).path
    assert [leg.to_code for leg in before] == ["TS1", "HUB", "TS2", "VS21"]
    outlet_link_create(
        from_outlet=county["VS11"], to_outlet=county["VS21"], distance_km=Decimal(9), transit_minutes=25
    )
    after = parcel_quote(request=request, now=MONDAY_0730).path
    assert [(leg.from_code, leg.to_code) for leg in after] == [("VS11", "VS21")]
    # No timetable: it leaves when the parcel is ready, 30 minutes of handling after 07:30.
    assert after[0].departs_at == datetime.datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)
    assert after[0].arrives_at == datetime.datetime(2026, 11, 23, 8, 25, tzinfo=SHANGHAI)
