"""S10 numbers, quotes, paths, parcel creation and scans."""

import datetime
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from siliu.core.errors import Conflict, NotFound, ValidationFailed
from siliu.finance import chart
from siliu.finance.models import Account, Transfer
from siliu.finance.services import wallet_cash_in, wallet_open
from siliu.logistics.models import Parcel, ParcelEvent, ParcelStatus, PostagePayment, TrackingRange, Zone
from siliu.logistics.parcels.s10 import s10_check_digit, s10_format, s10_parse
from siliu.logistics.parcels.services import ScanInput, parcel_cancel, scans_record, tracking_number_issue
from siliu.logistics.pricing.quotes import QuoteRequest, parcel_quote
from siliu.logistics.tests.conftest import MONDAY_0730, at, journey
from siliu.network.models import Outlet

pytestmark = pytest.mark.django_db


def test_s10_check_digit_matches_the_upu_example() -> None:
    """The S10 example 47312482 has check digit 9 (sum 200, 11 − 2); remainder 0 maps 11 to 5."""
    assert s10_check_digit("47312482") == 9
    assert s10_format(service_indicator="RR", serial=47312482, country_code="CH") == "RR473124829CH"
    assert s10_check_digit("00000000") == 5
    assert str(s10_parse(" ee 123456785 cn")) == "EE123456785CN"


@pytest.mark.parametrize("number", ["EE12345678CN", "EE123456789CN", "E1123456785CN", "", "EE123456785C1"])
def test_s10_parse_refuses_bad_numbers(number: str) -> None:
    """Wrong shape or wrong check digit is refused with a reason naming the field."""
    with pytest.raises(ValidationFailed) as refused:
        s10_parse(number)
    assert refused.value.code == "invalid_tracking_number"
    assert refused.value.field == "tracking_number"


def test_tracking_numbers_are_issued_in_order_and_never_reused(county: dict[str, Outlet]) -> None:
    """Two issues give consecutive serials; an exhausted range is refused."""
    from siliu.logistics.models import Product

    express = Product.objects.get(code="express")
    assert tracking_number_issue(product=express) == s10_format(service_indicator="EA", serial=10_000_000)
    assert tracking_number_issue(product=express) == s10_format(service_indicator="EA", serial=10_000_001)
    TrackingRange.objects.filter(product=express).update(next_serial=99_999_999 + 1)
    with pytest.raises(Conflict):
        tracking_number_issue(product=express)


def test_quote_prices_by_zone_weight_and_options(county: dict[str, Outlet]) -> None:
    """Express VS11→VS21 (same county): ¥10 first kg + 2 steps of ¥3 for 2.5 kg, insurance, COD, discount."""
    quote = parcel_quote(
        request=QuoteRequest(
            product_code="express",
            origin_outlet_code="VS11",
            destination_outlet_code="VS21",
            weight_g=2500,
            declared_value_fen=50_000,
            is_insured=True,
            cod_amount_fen=12_345,
            is_consolidated=True,
        ),
        now=MONDAY_0730,
    )
    assert quote.zone == Zone.SAME_COUNTY
    assert quote.postage_fen == 1000 + 2 * 300
    assert quote.insurance_fee_fen == 500  # 1 % of ¥500
    assert quote.cod_fee_fen == 300  # 1 % of ¥123.45 is ¥1.24, below the ¥3 minimum
    assert quote.discount_fen == 160  # 10 % of ¥16
    assert quote.fee_fen == 1600 + 500 + 300 - 160


def test_quote_uses_volumetric_weight_when_larger(county: dict[str, Outlet]) -> None:
    """A 400×300×200 mm box at 6000 cm³/kg weighs 4 kg by volume, more than its 1 kg."""
    quote = parcel_quote(
        request=QuoteRequest(
            product_code="express",
            origin_outlet_code="VS11",
            destination_outlet_code="VS12",
            weight_g=1000,
            length_mm=400,
            width_mm=300,
            height_mm=200,
        ),
        now=MONDAY_0730,
    )
    assert quote.zone == Zone.SAME_TOWNSHIP
    assert quote.chargeable_weight_g == 4000
    assert quote.postage_fen == 800 + 3 * 200


def test_path_follows_timetables_and_promise_adds_the_delivery_time(county: dict[str, Outlet]) -> None:
    """VS11 at 07:30 (+30 min handling) leaves 08:00; each node adds 30 min before the next departure."""
    quote = parcel_quote(
        request=QuoteRequest(
            product_code="express", origin_outlet_code="VS11", destination_outlet_code="VS21", weight_g=500
        ),
        now=MONDAY_0730,
    )
    legs = [(leg.from_code, leg.to_code, leg.departs_at, leg.arrives_at) for leg in quote.path]
    assert legs == [
        ("VS11", "TS1", at(8), at(8, 30)),
        ("TS1", "HUB", at(10), at(10, 30)),
        ("HUB", "TS2", at(14), at(14, 30)),
        ("TS2", "VS21", at(16), at(16, 30)),
    ]
    assert quote.promised_at == at(20, 30)  # + 240 minutes for express


def test_out_of_county_parcels_leave_on_the_trunk(county: dict[str, Outlet]) -> None:
    """To Xi'an (same province) the path ends with the hub's 18:00 trunk of 12 hours."""
    quote = parcel_quote(
        request=QuoteRequest(
            product_code="parcel", origin_outlet_code="VS11", destination_region_code="610113", weight_g=3000
        ),
        now=MONDAY_0730,
    )
    assert quote.zone == Zone.SAME_PROVINCE
    assert quote.postage_fen == 900 + 2 * 300
    assert quote.path[-1].from_code == "HUB"
    assert quote.path[-1].departs_at == at(18)
    assert quote.promised_at == at(6, 0, day=24) + datetime.timedelta(minutes=1440)
    other = parcel_quote(
        request=QuoteRequest(
            product_code="parcel", origin_outlet_code="VS11", destination_region_code="110101", weight_g=3000
        ),
        now=MONDAY_0730,
    )
    assert other.zone == Zone.OTHER_PROVINCE


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"product_code": "pigeon"}, "unknown_product", "product"),
        ({"weight_g": 0}, "invalid_weight", "weight_g"),
        ({"weight_g": 50_000}, "invalid_weight", "weight_g"),
        ({"is_insured": True}, "invalid", "declared_value_fen"),
        ({"destination_outlet_code": None}, "invalid", "destination_outlet"),
        (
            {"destination_outlet_code": None, "destination_region_code": "610199"},
            "invalid",
            "destination_outlet",
        ),
        (
            {"destination_outlet_code": None, "destination_region_code": "61"},
            "invalid",
            "destination_region_code",
        ),
    ],
)
def test_quote_refusals(county: dict[str, Outlet], fields: dict[str, object], code: str, field: str) -> None:
    """Bad quote input is refused naming the field."""
    base: dict[str, object] = {
        "product_code": "express",
        "origin_outlet_code": "VS11",
        "destination_outlet_code": "VS21",
        "weight_g": 1000,
    }
    with pytest.raises(ValidationFailed) as refused:
        parcel_quote(request=QuoteRequest(**{**base, **fields}), now=MONDAY_0730)  # type: ignore[arg-type]
    assert (refused.value.code, refused.value.field) == (code, field)


def test_quote_unknown_outlet_is_not_found(county: dict[str, Outlet]) -> None:
    """An unknown origin outlet is a NotFound naming the field."""
    with pytest.raises(NotFound) as refused:
        parcel_quote(
            request=QuoteRequest(
                product_code="express", origin_outlet_code="NOPE", destination_outlet_code="VS21", weight_g=1
            )
        )
    assert refused.value.field == "origin_outlet"


def test_parcel_create_with_wallet_holds_the_fee_and_acceptance_takes_it(
    make_parcel: Callable[..., Parcel], make_user: Callable[..., User], county: dict[str, Outlet]
) -> None:
    """Creating holds the fee on the wallet; the EMA scan posts it to postage income; events record both."""
    sender = make_user()
    wallet_cash_in(
        outlet=county["VS11"],
        customer=sender,
        amount_fen=5000,
        id=f"topup-{sender.pk}",
        actor=make_user(is_superuser=True),
    )
    parcel = make_parcel(postage_payment=PostagePayment.WALLET, sender_user=sender)
    wallet = Account.objects.get(code=wallet_open(user=sender).code)
    assert (parcel.fee_fen, wallet.debits_pending) == (1300, 1300)
    results = scans_record(
        scans=[ScanInput("dev1-1", parcel.tracking_number, "EMA", "VS11", at(7, 45), device_id="dev1")],
        now=at(9),
    )
    assert [(r.status, r.parcel_status) for r in results] == [("created", "accepted")]
    wallet.refresh_from_db()
    assert (wallet.debits_pending, wallet.debits_posted) == (0, 1300)
    assert Account.objects.get(code=chart.POSTAGE_INCOME).credits_posted == 1300
    parcel.refresh_from_db()
    assert (parcel.status, parcel.accepted_at, parcel.last_outlet_id) == (
        "accepted",
        at(7, 45),
        county["VS11"].pk,
    )
    assert list(parcel.events.values_list("code", flat=True)) == ["CRT", "EMA"]


def test_parcel_create_refusals_leave_nothing(
    make_parcel: Callable[..., Parcel], make_user: Callable[..., User]
) -> None:
    """A bad phone, or a wallet that cannot pay, creates no parcel, no number and no transfer."""
    from siliu.logistics.parcels.services import Address, parcel_create

    with pytest.raises(ValidationFailed) as bad_phone:
        parcel_create(
            request=QuoteRequest(
                product_code="express", origin_outlet_code="VS11", destination_outlet_code="VS21", weight_g=1
            ),
            sender=Address("张三", "13800000001", "地址"),
            recipient=Address("李四", "+8613900000002", "地址"),
            postage_payment=PostagePayment.CASH,
        )
    assert bad_phone.value.field == "sender_phone"
    with pytest.raises(Conflict) as broke:
        make_parcel(postage_payment=PostagePayment.WALLET, sender_user=make_user())
    assert broke.value.code == "exceeds_credits"
    assert Parcel.objects.count() == 0
    assert Transfer.objects.count() == 0
    assert TrackingRange.objects.get(service_indicator="EA").next_serial == 10_000_000


def test_scans_out_of_order_with_duplicates_and_a_bad_one(make_parcel: Callable[..., Parcel]) -> None:
    """A shuffled journey lands in order; duplicates are stored once; bad events fail alone."""
    parcel = make_parcel()
    events = journey(parcel.tracking_number)
    batch = [events[5], events[2], events[0], events[0], events[4], events[1], events[3]]
    batch += [
        ScanInput("bad1", "EA123456785CN", "EDD", "HUB", at(11)),
        ScanInput("bad2", "EA10000000XCN", "EDD", "HUB", at(11)),
    ]
    results = scans_record(scans=batch, now=at(18))
    assert [r.status for r in results] == [
        "created",
        "created",
        "created",
        "duplicate",
        "created",
        "created",
        "created",
        "unknown_tracking_number",
        "invalid_tracking_number",
    ]
    parcel.refresh_from_db()
    assert parcel.status == ParcelStatus.DELIVERED
    assert parcel.delivered_at == at(17)
    assert list(parcel.events.values_list("code", flat=True)) == [
        "CRT",
        "EMA",
        "EDD",
        "EDE",
        "EMG",
        "EDG",
        "EMI",
    ]
    again = scans_record(scans=events, now=at(19))
    assert {r.status for r in again} == {"duplicate"}
    assert ParcelEvent.objects.filter(parcel=parcel).count() == 7


def test_delivery_before_acceptance_is_refused_and_changes_nothing(
    make_parcel: Callable[..., Parcel],
) -> None:
    """An EMI with no EMA before it is refused with invalid_sequence; the parcel stays as it was."""
    parcel = make_parcel()
    results = scans_record(
        scans=[
            ScanInput("x1", parcel.tracking_number, "EMI", "VS21", at(9), proof_signature_name="李四"),
            ScanInput(
                "x2", parcel.tracking_number, "EMH", "VS21", at(9, 5), reason_code="11", action_code="RETRY"
            ),
            ScanInput(
                "x3", parcel.tracking_number, "EMH", "VS21", at(9, 6), reason_code="99", action_code="RETRY"
            ),
            ScanInput("x4", parcel.tracking_number, "EMI", "VS21", at(9, 7)),
            ScanInput("x5", parcel.tracking_number, "EMA", "VS11", at(23, 59, day=30)),
        ],
        now=at(10),
    )
    assert [r.status for r in results] == [
        "invalid_sequence",
        "invalid_sequence",
        "invalid_reason_code",
        "proof_required",
        "occurred_in_future",
    ]
    parcel.refresh_from_db()
    assert parcel.status == ParcelStatus.CREATED
    assert list(parcel.events.values_list("code", flat=True)) == ["CRT"]


def test_late_acceptance_scan_fills_the_timeline(make_parcel: Callable[..., Parcel]) -> None:
    """A sorting scan arrives first, then the acceptance scan from an offline device: both fit in order."""
    parcel = make_parcel()
    first = scans_record(
        scans=[ScanInput("s2", parcel.tracking_number, "EDD", "HUB", at(10, 35))], now=at(10, 40)
    )
    assert first[0].status == "invalid_sequence"
    scans_record(scans=[ScanInput("s1", parcel.tracking_number, "EMA", "VS11", at(7, 45))], now=at(11))
    second = scans_record(
        scans=[ScanInput("s2", parcel.tracking_number, "EDD", "HUB", at(10, 35))], now=at(11)
    )
    assert second[0].status == "created"
    late = scans_record(scans=[ScanInput("s0", parcel.tracking_number, "EDE", "TS1", at(8, 30))], now=at(12))
    assert late[0].status == "created"
    parcel.refresh_from_db()
    assert list(parcel.events.values_list("code", flat=True)) == ["CRT", "EMA", "EDE", "EDD"]
    assert parcel.last_event_at == at(10, 35)


def test_cash_acceptance_books_postage_from_the_outlet_drawer(make_parcel: Callable[..., Parcel]) -> None:
    """Paid in cash: acceptance debits the accepting outlet's cash account."""
    parcel = make_parcel()
    scans_record(scans=[ScanInput("c1", parcel.tracking_number, "EMA", "VS11", at(7, 45))], now=at(8))
    transfer = Transfer.objects.get(id=f"parcel:{parcel.tracking_number}:postage")
    assert (transfer.debit_account.code, transfer.credit_account.code, transfer.amount_fen) == (
        "cash:VS11",
        chart.POSTAGE_INCOME,
        1300,
    )


def test_cancel_releases_the_hold_and_only_before_acceptance(
    make_parcel: Callable[..., Parcel], make_user: Callable[..., User], county: dict[str, Outlet]
) -> None:
    """Cancelling voids the wallet hold; an accepted parcel cannot be cancelled."""
    sender = make_user()
    wallet_cash_in(
        outlet=county["VS11"],
        customer=sender,
        amount_fen=5000,
        id=f"topup-{sender.pk}",
        actor=make_user(is_superuser=True),
    )
    parcel = make_parcel(postage_payment=PostagePayment.WALLET, sender_user=sender)
    parcel_cancel(parcel=parcel)
    wallet = Account.objects.get(code=wallet_open(user=sender).code)
    assert (wallet.debits_pending, wallet.debits_posted) == (0, 0)
    assert Parcel.objects.get(pk=parcel.pk).status == ParcelStatus.CANCELLED
    other = make_parcel()
    scans_record(scans=[ScanInput("k1", other.tracking_number, "EMA", "VS11", at(7, 45))], now=at(8))
    with pytest.raises(Conflict):
        parcel_cancel(parcel=other)
    assert Parcel.objects.get(pk=other.pk).status == ParcelStatus.ACCEPTED
