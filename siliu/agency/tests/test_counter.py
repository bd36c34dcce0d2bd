"""Payments and pay-outs at the station counter: the fee and its split, the ledger to the fen, the
drawer's gate and the per-person daily limit, retries, reversal; refusals write nothing."""

import datetime
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from siliu.agency.catalogue import AgencyService, AgencyTransaction, PayeeDay, TransactionStatus
from siliu.agency.counter.services import (
    account_normalise,
    agency_transact,
    agency_transaction_reverse,
    fee_split,
)
from siliu.agency.tests.conftest import (
    BANK_CARD,
    MORNING,
    NEXT_MORNING,
    OTHER_BANK_CARD,
    RESIDENT_ID,
    agency_snapshot,
    balance,
)
from siliu.core.errors import Conflict, DomainError, NotFound, PermissionRefused, ValidationFailed
from siliu.core.models import Event
from siliu.core.roles import Role
from siliu.finance import chart
from siliu.finance.models import Transfer
from siliu.finance.selectors import counter_day_get
from siliu.finance.services import outlet_day_close
from siliu.finance.tests.factories import AccountFactory
from siliu.network.models import Outlet, OutletKind
from siliu.network.tests.factories import OutletFactory

pytestmark = pytest.mark.django_db

CASH = chart.outlet_cash_code(outlet_code="VS9001")
STATION = chart.agency_station_code(outlet_code="VS9001")
INCOME = chart.AGENCY_COMMISSION_INCOME


def provider(code: str) -> str:
    return chart.agency_provider_code(provider_code=code)


def pay(
    station: Outlet, operator: User, service: str, account: str, amount_fen: int, **more: object
) -> AgencyTransaction:
    fields: dict[str, object] = {"now": MORNING, **more}
    return agency_transact(
        outlet=station,
        service_code=service,
        account=account,
        amount_fen=amount_fen,
        actor=operator,
        **fields,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("service", "amount_fen", "split"),
    [
        ("electricity", 12_345, (50, 35, 15)),  # ¥0.50 a bill, 70 % to the station
        ("mobile-top-up", 10_000, (150, 90, 60)),  # 1.5 % of ¥100, 60 % to the station
        ("mobile-top-up", 3_333, (50, 30, 20)),  # 1.5 % of ¥33.33 = 49.995 → 50, half up
        ("cash-withdrawal", 5_000, (30, 24, 6)),  # 0.3 % of ¥50 = 15 → the minimum ¥0.30
        ("cash-withdrawal", 50_000, (150, 120, 30)),
        ("cash-withdrawal", 200_000, (300, 240, 60)),  # 0.3 % of ¥2,000 = 600 → the maximum ¥3.00
    ],
)
def test_the_fee_and_its_split_to_the_fen(
    catalogue: dict[str, AgencyService], service: str, amount_fen: int, split: tuple[int, int, int]
) -> None:
    """Fixed part plus rate (half up), held between minimum and maximum; the two shares add up to it."""
    assert fee_split(service=catalogue[service], amount_fen=amount_fen) == split


def test_an_electricity_bill_paid_in_cash_is_booked_to_the_fen(
    station: Outlet, operator: User, catalogue: dict[str, AgencyService]
) -> None:
    """¥123.45 in cash: the drawer takes ¥123.45, the power company is owed ¥123.45 less its ¥0.50
    commission, of which the station earns ¥0.35 and the platform ¥0.15; the day's counter counts it."""
    made = pay(station, operator, "electricity", " 3201 8877 66 ", 12_345, customer_name="张大山")
    assert (made.amount_fen, made.fee_fen, made.customer_fen, made.provider_fen) == (
        12_345,
        50,
        12_345,
        12_295,
    )
    assert (made.station_fee_fen, made.platform_fee_fen, made.account_display) == (35, 15, "3201887766")
    assert (made.business_on, made.status, made.paid_with) == (datetime.date(2026, 5, 4), "done", "cash")
    assert balance(CASH) == 12_345
    assert balance(provider("state-grid")) == 12_295
    assert (balance(STATION), balance(INCOME)) == (35, 15)
    transfers = Transfer.objects.filter(reference=f"agency:{made.number}")
    assert {t.pk.rsplit(":", 1)[1]: (t.category, t.amount_fen) for t in transfers} == {
        "customer": ("agency_payment", 12_345),
        "station": ("agency_fee", 35),
        "platform": ("agency_fee", 15),
    }
    day = counter_day_get(outlet=station, business_on=datetime.date(2026, 5, 4))
    assert {line.category: line.amount_fen for line in day.lines}["agency_payment"] == 12_345
    assert day.expected_cash_fen == 12_345
    assert Event.objects.filter(kind="agency.transacted", ref=made.number).count() == 1


def test_a_top_up_from_the_wallet_and_a_short_wallet_refused(
    station: Outlet, operator: User, villager: User, catalogue: dict[str, AgencyService]
) -> None:
    """A top-up paid from the villager's wallet leaves the drawer alone; more than the wallet holds is
    ``exceeds_credits`` and writes nothing."""
    wallet = AccountFactory.create(code=chart.wallet_code(user_id=villager.pk))
    capital = chart.CAPITAL
    from siliu.finance.services import system_account, transfer_create

    system_account(code=capital)
    transfer_create(
        id="fund-w", debit_account=capital, credit_account=wallet.code, amount_fen=5_000, now=MORNING
    )
    made = pay(
        station, operator, "mobile-top-up", "138 0013 8000", 3_000, paid_with="wallet", customer=villager
    )
    assert (made.customer_fen, made.provider_fen, made.account_display) == (3_000, 2_955, "13800138000")
    assert (balance(wallet.code), balance(CASH), balance(provider("china-mobile"))) == (2_000, 0, 2_955)
    before = agency_snapshot()
    with pytest.raises(Conflict) as refused:
        pay(station, operator, "mobile-top-up", "13800138000", 2_001, paid_with="wallet", customer=villager)
    assert refused.value.code == "exceeds_credits"
    assert agency_snapshot() == before


def test_a_cash_withdrawal_pays_out_of_the_drawer(
    station: Outlet,
    operator: User,
    catalogue: dict[str, AgencyService],
    stock_drawer: Callable[[Outlet, int], None],
) -> None:
    """¥500 drawn on a bank card: the drawer pays ¥500, the bank owes ¥500 and the ¥1.50 commission;
    the card is shown masked and its day is counted."""
    stock_drawer(station, 60_000)
    made = pay(station, operator, "cash-withdrawal", BANK_CARD, 50_000)
    assert (made.customer_fen, made.provider_fen, made.fee_fen) == (50_000, -50_150, 150)
    assert made.account_display == "621700*********5677"
    assert balance(CASH) == 10_000
    assert balance(provider("psbc")) == -50_150
    assert (balance(STATION), balance(INCOME)) == (120, 30)
    assert PayeeDay.objects.get().paid_fen == 50_000
    assert BANK_CARD not in str(list(AgencyTransaction.objects.values()))


def test_a_pay_out_larger_than_the_drawer_is_refused(
    station: Outlet,
    operator: User,
    catalogue: dict[str, AgencyService],
    stock_drawer: Callable[[Outlet, int], None],
) -> None:
    """The drawer cannot go below nothing: ¥300 asked of a drawer holding ¥299.99 is ``exceeds_debits``,
    nothing written (not even the person's day)."""
    stock_drawer(station, 29_999)
    before = agency_snapshot()
    with pytest.raises(Conflict) as refused:
        pay(station, operator, "pension-payout", RESIDENT_ID, 30_000)
    assert refused.value.code == "exceeds_debits"
    assert agency_snapshot() == before
    assert pay(station, operator, "pension-payout", RESIDENT_ID, 29_999).customer_fen == 29_999


def test_the_per_person_daily_limit_holds_across_stations_and_resets_the_next_day(
    station: Outlet,
    operator: User,
    make_user: Callable[..., User],
    catalogue: dict[str, AgencyService],
    stock_drawer: Callable[[Outlet, int], None],
) -> None:
    """助农取款 is ¥2,000 a card a day: ¥1,500 then ¥500.01 at another station is refused with what is
    left (¥500.00); another card, or the same card the next day, is served."""
    other_operator = make_user(Role.STATION_OPERATOR, username="op2")
    other: Outlet = OutletFactory.create(
        code="VS9002",
        kind=OutletKind.VILLAGE_STATION,
        operator=other_operator,
        has_cash_counter=True,
        offers_agency_services=True,
    )
    from siliu.demo.agency import demo_agency_catalogue_create

    demo_agency_catalogue_create()
    stock_drawer(station, 500_000)
    stock_drawer(other, 500_000)
    pay(station, operator, "cash-withdrawal", BANK_CARD, 150_000)
    before = agency_snapshot()
    with pytest.raises(Conflict) as refused:
        pay(other, other_operator, "cash-withdrawal", BANK_CARD, 50_001)
    assert (refused.value.code, refused.value.field) == ("exceeds_person_daily_limit", "amount_fen")
    assert "¥500.00" in refused.value.message
    assert agency_snapshot() == before
    pay(other, other_operator, "cash-withdrawal", BANK_CARD, 50_000)
    pay(other, other_operator, "cash-withdrawal", OTHER_BANK_CARD, 200_000)
    pay(station, operator, "cash-withdrawal", BANK_CARD, 200_000, now=NEXT_MORNING)
    assert sorted(PayeeDay.objects.values_list("paid_fen", flat=True)) == [200_000, 200_000, 200_000]


@pytest.mark.parametrize(
    ("service", "account", "amount_fen", "more", "code", "field"),
    [
        ("cash-withdrawal", "6217000010012345678", 10_000, {}, "invalid_account", "account"),
        ("cash-withdrawal", "62170000", 10_000, {}, "invalid_account", "account"),
        ("pension-payout", "110105194912310021", 10_000, {}, "invalid_id_number", "account"),
        ("mobile-top-up", "2380013800", 1_000, {}, "invalid_phone", "account"),
        ("electricity", "12", 1_000, {}, "invalid_account", "account"),
        ("electricity", "32018877", 99, {}, "amount_out_of_range", "amount_fen"),
        ("electricity", "32018877", 500_001, {}, "amount_out_of_range", "amount_fen"),
        ("electricity", "32018877", 0, {}, "invalid_amount", "amount_fen"),
        ("gas", "32018877", 1_000, {}, "unknown_service", "service"),
        ("cash-withdrawal", BANK_CARD, 1_000, {"paid_with": "wallet"}, "payout_in_cash_only", "paid_with"),
        ("electricity", "32018877", 1_000, {"paid_with": "wallet"}, "wallet_needs_customer", "customer"),
        ("electricity", "32018877", 1_000, {"paid_with": "card"}, "invalid_paid_with", "paid_with"),
        ("electricity", "32018877", 1_000, {"number": "X1"}, "invalid_number", "number"),
        ("electricity", "32018877", 500_001, {"service_max": 1}, "exceeds_transaction_cap", "amount_fen"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_writes_nothing(
    station: Outlet,
    operator: User,
    catalogue: dict[str, AgencyService],
    service: str,
    account: str,
    amount_fen: int,
    more: dict[str, object],
    code: str,
    field: str,
) -> None:
    """Each refusal has its code and field, and leaves the ledger and agency tables as they were."""
    if more.pop("service_max", None):  # a bill above the village station's ¥5,000 a transaction
        catalogue["electricity"].max_amount_fen = 1_000_000
        catalogue["electricity"].save()
    before = agency_snapshot()
    with pytest.raises(DomainError) as refused:
        pay(station, operator, service, account, amount_fen, **more)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert agency_snapshot() == before


def test_only_the_station_s_own_people_and_offered_services(
    station: Outlet, operator: User, make_user: Callable[..., User], catalogue: dict[str, AgencyService]
) -> None:
    """Another station's operator is refused; a service the station does not offer, or a station
    without the agency flag, is ``service_not_offered``; nothing is written."""
    before = agency_snapshot()
    with pytest.raises(PermissionRefused):
        pay(station, make_user(Role.STATION_OPERATOR), "electricity", "32018877", 1_000)
    station.agency_services.filter(service__code="water").update(is_active=False)
    with pytest.raises(Conflict) as refused:
        pay(station, operator, "water", "32018877", 1_000)
    assert (refused.value.code, refused.value.field) == ("service_not_offered", "service")
    station.offers_agency_services = False
    station.save()
    with pytest.raises(Conflict):
        pay(station, operator, "electricity", "32018877", 1_000)
    assert agency_snapshot() == before


def test_a_retry_with_the_same_number_books_once(
    station: Outlet, operator: User, catalogue: dict[str, AgencyService]
) -> None:
    """The same number and request returns the first transaction; the number with another request is
    ``number_taken``."""
    first = pay(station, operator, "electricity", "32018877", 5_000, number="AG2605040000000001")
    again = pay(station, operator, "electricity", "32018877", 5_000, number="AG2605040000000001")
    assert again.pk == first.pk and balance(CASH) == 5_000
    with pytest.raises(Conflict) as refused:
        pay(station, operator, "electricity", "32018877", 5_001, number="AG2605040000000001")
    assert (refused.value.code, refused.value.field) == ("number_taken", "number")
    assert balance(CASH) == 5_000


def test_a_closed_day_takes_no_more_agency_cash(
    station: Outlet, operator: User, catalogue: dict[str, AgencyService]
) -> None:
    """After the day close, a cash payment that day is ``day_closed``."""
    pay(station, operator, "water", "32018877", 5_000)
    outlet_day_close(
        outlet=station,
        business_on=datetime.date(2026, 5, 4),
        counted_cash_fen=5_000,
        actor=operator,
        now=MORNING,
    )
    with pytest.raises(Conflict) as refused:
        pay(station, operator, "water", "32018877", 5_000, now=MORNING + datetime.timedelta(hours=1))
    assert refused.value.code == "day_closed"


def test_a_same_day_reversal_undoes_every_booking(
    station: Outlet,
    operator: User,
    catalogue: dict[str, AgencyService],
    stock_drawer: Callable[[Outlet, int], None],
) -> None:
    """冲正 books each transfer back (every balance as before), marks the transaction, frees the person's
    day; a second reversal, one without a reason and one the next day are refused."""
    stock_drawer(station, 200_000)
    bill = pay(station, operator, "electricity", "32018877", 12_345)
    drawn = pay(station, operator, "cash-withdrawal", BANK_CARD, 150_000)
    with pytest.raises(ValidationFailed):
        agency_transaction_reverse(number=bill.number, actor=operator, reason=" ", now=MORNING)
    agency_transaction_reverse(number=bill.number, actor=operator, reason="户号输错", now=MORNING)
    reversed_drawn = agency_transaction_reverse(
        number=drawn.number, actor=operator, reason="客户取消", now=MORNING
    )
    assert reversed_drawn.status == TransactionStatus.REVERSED
    assert balance(CASH) == 200_000
    assert balance(provider("state-grid")) == balance(provider("psbc")) == 0
    assert balance(STATION) == balance(INCOME) == 0
    assert PayeeDay.objects.get().paid_fen == 0
    with pytest.raises(Conflict) as again:
        agency_transaction_reverse(number=bill.number, actor=operator, reason="再来", now=MORNING)
    assert again.value.code == "already_reversed"
    late = pay(station, operator, "water", "32018877", 5_000)
    before = agency_snapshot()
    with pytest.raises(Conflict) as next_day:
        agency_transaction_reverse(number=late.number, actor=operator, reason="晚了", now=NEXT_MORNING)
    assert next_day.value.code == "not_today"
    assert agency_snapshot() == before
    with pytest.raises(NotFound):
        agency_transaction_reverse(number="AG0", actor=operator, reason="x", now=MORNING)


def test_account_numbers_are_checked_and_kept_canonical() -> None:
    """Spaces go, a resident ID's x becomes X, a meter number is upper-cased; a card fails on Luhn."""
    assert account_normalise(kind="resident_id", value="11010519491231002x") == RESIDENT_ID
    assert account_normalise(kind="meter", value="ab-12 34") == "AB-1234"
    assert account_normalise(kind="bank_card", value="6217 0000 1001 2345 677") == BANK_CARD
    with pytest.raises(ValidationFailed):
        account_normalise(kind="bank_card", value="6217000010012345670")
