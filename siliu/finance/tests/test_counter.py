"""Counter cash at outlets, wallets opened on first use, and the daily close (日结)."""

import datetime
from collections.abc import Callable

import pytest
from django.contrib.auth.models import AbstractUser

from siliu.core.errors import Conflict, PermissionRefused, ValidationFailed
from siliu.core.roles import Role
from siliu.finance import chart
from siliu.finance.models import Account, CashDayClose, Transfer
from siliu.finance.selectors import counter_day_get, wallet_get
from siliu.finance.services import outlet_day_close, wallet_cash_in, wallet_cash_out
from siliu.finance.tests.conftest import Snapshot
from siliu.network.models import Outlet
from siliu.network.tests.factories import OutletFactory

pytestmark = pytest.mark.django_db

# 2026-05-01 10:00 in Asia/Shanghai is 02:00 UTC.
MORNING = datetime.datetime(2026, 5, 1, 2, 0, tzinfo=datetime.UTC)
DAY = datetime.date(2026, 5, 1)


def cash_in(
    outlet: Outlet, actor: AbstractUser, customer: AbstractUser, amount_fen: int, id: str, **kw: object
) -> None:
    wallet_cash_in(outlet=outlet, customer=customer, amount_fen=amount_fen, id=id, actor=actor, **kw)  # type: ignore[arg-type]


def test_cash_in_tops_up_the_wallet_and_the_drawer(
    outlet: Outlet, operator: AbstractUser, villager: AbstractUser
) -> None:
    """¥50.00 in cash: the drawer (asset) and the villager's wallet (liability) both grow by 5,000 fen."""
    assert wallet_get(user=villager).account is None
    cash_in(outlet, operator, villager, 5_000, "ci-1", now=MORNING)
    wallet = wallet_get(user=villager)
    assert (wallet.code, wallet.balance_fen, wallet.available_fen) == (f"wallet:{villager.pk}", 5_000, 5_000)
    drawer = Account.objects.get(code="cash:V00001")
    assert (drawer.balance_fen, drawer.owner_outlet, drawer.type) == (5_000, outlet, "asset")
    transfer = Transfer.objects.get(pk="ci-1")
    assert (transfer.category, transfer.reference, transfer.created_by) == (
        "cash_in",
        "outlet:V00001",
        operator,
    )


def test_cash_out_pays_from_the_wallet(
    outlet: Outlet, operator: AbstractUser, villager: AbstractUser
) -> None:
    """Cash out lowers wallet and drawer alike; more than the wallet holds is ``exceeds_credits``."""
    cash_in(outlet, operator, villager, 5_000, "ci-1", now=MORNING)
    wallet_cash_out(
        outlet=outlet, customer=villager, amount_fen=1_234, id="co-1", actor=operator, now=MORNING
    )
    assert wallet_get(user=villager).balance_fen == 3_766
    with pytest.raises(Conflict) as caught:
        wallet_cash_out(
            outlet=outlet, customer=villager, amount_fen=3_767, id="co-2", actor=operator, now=MORNING
        )
    assert caught.value.code == "exceeds_credits"
    assert Account.objects.get(code="cash:V00001").balance_fen == 3_766


def test_cash_out_cannot_pay_more_than_the_drawer_holds(
    outlet: Outlet,
    operator: AbstractUser,
    villager: AbstractUser,
    fund: Callable[[Account, int], None],
    snapshot: Callable[[], Snapshot],
) -> None:
    """A wallet funded elsewhere cannot draw more cash than this drawer holds: ``exceeds_debits``."""
    cash_in(outlet, operator, villager, 100, "ci-1", now=MORNING)
    fund(wallet_get(user=villager).account, 10_000)  # type: ignore[arg-type]
    before = snapshot()
    with pytest.raises(Conflict) as caught:
        wallet_cash_out(
            outlet=outlet, customer=villager, amount_fen=101, id="co-1", actor=operator, now=MORNING
        )
    assert caught.value.code == "exceeds_debits"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("roles", "is_staff"),
    [
        ((Role.STATION_OPERATOR,), False),
        ((), True),
        ((Role.AUDITOR,), True),
        ((Role.COUNTY_MANAGER,), True),
    ],
)
def test_only_the_outlets_operator_handles_its_cash(
    outlet: Outlet,
    operator: AbstractUser,
    villager: AbstractUser,
    make_user: Callable[..., AbstractUser],
    snapshot: Callable[[], Snapshot],
    roles: tuple[Role, ...],
    is_staff: bool,
) -> None:
    """Another station's operator, staff status, the auditor and the county manager are refused and
    nothing is booked; the outlet's own operator takes the cash."""
    stranger = make_user(*roles, is_staff=is_staff, username="stranger")
    before = snapshot()
    with pytest.raises(PermissionRefused) as caught:
        cash_in(outlet, stranger, villager, 100, "ci-1")
    assert caught.value.code == "not_outlet_operator"
    assert snapshot() == before
    cash_in(outlet, operator, villager, 100, "ci-1")
    assert wallet_get(user=villager).balance_fen == 100


def test_outlet_without_cash_counter_refuses_cash(
    operator: AbstractUser, villager: AbstractUser, snapshot: Callable[[], Snapshot]
) -> None:
    """An outlet with no cash counter refuses counter cash."""
    outlet: Outlet = OutletFactory.create(operator=operator, has_cash_counter=False)
    before = snapshot()
    with pytest.raises(Conflict) as caught:
        cash_in(outlet, operator, villager, 100, "ci-1")
    assert caught.value.code == "outlet_has_no_cash_counter"
    assert snapshot() == before


def test_counter_retry_is_idempotent(outlet: Outlet, operator: AbstractUser, villager: AbstractUser) -> None:
    """The same idempotency key twice tops up once."""
    cash_in(outlet, operator, villager, 700, "ci-1", now=MORNING)
    cash_in(outlet, operator, villager, 700, "ci-1", now=MORNING)
    assert wallet_get(user=villager).balance_fen == 700


def test_counter_day_totals(outlet: Outlet, operator: AbstractUser, villager: AbstractUser) -> None:
    """Today's totals count cash in and out separately; yesterday's movements are not today's."""
    cash_in(outlet, operator, villager, 900, "y-1", now=MORNING - datetime.timedelta(days=1))
    cash_in(outlet, operator, villager, 1_000, "ci-1", now=MORNING)
    cash_in(outlet, operator, villager, 250, "ci-2", now=MORNING)
    wallet_cash_out(outlet=outlet, customer=villager, amount_fen=300, id="co-1", actor=operator, now=MORNING)
    day = counter_day_get(outlet=outlet, business_on=DAY)
    assert (day.cash_in_fen, day.cash_in_count, day.cash_out_fen, day.cash_out_count) == (1_250, 2, 300, 1)
    assert day.expected_cash_fen == 1_850
    assert (
        counter_day_get(outlet=outlet, business_on=DAY - datetime.timedelta(days=1)).expected_cash_fen == 900
    )


def test_day_close_with_exact_cash_books_nothing(
    outlet: Outlet, operator: AbstractUser, villager: AbstractUser
) -> None:
    """Counted equals expected: the close is recorded with no adjustment transfer."""
    cash_in(outlet, operator, villager, 1_000, "ci-1", now=MORNING)
    close = outlet_day_close(
        outlet=outlet, business_on=DAY, counted_cash_fen=1_000, actor=operator, now=MORNING
    )
    assert (close.expected_cash_fen, close.counted_cash_fen, close.difference_fen) == (1_000, 1_000, 0)
    assert close.adjustment_transfer is None


@pytest.mark.parametrize(
    ("counted", "difference", "drawer", "over_short"), [(1_020, 20, 1_020, -20), (990, -10, 990, 10)]
)
def test_day_close_books_the_difference_to_cash_over_short(
    outlet: Outlet,
    operator: AbstractUser,
    villager: AbstractUser,
    counted: int,
    difference: int,
    drawer: int,
    over_short: int,
) -> None:
    """A surplus credits cash over/short, a shortage debits it; the drawer ends at the counted amount."""
    cash_in(outlet, operator, villager, 1_000, "ci-1", now=MORNING)
    close = outlet_day_close(
        outlet=outlet, business_on=DAY, counted_cash_fen=counted, actor=operator, now=MORNING
    )
    assert close.difference_fen == difference
    assert close.adjustment_transfer is not None
    assert close.adjustment_transfer.pk == "close:V00001:2026-05-01"
    assert close.adjustment_transfer.amount_fen == abs(difference)
    assert Account.objects.get(code="cash:V00001").balance_fen == drawer
    assert Account.objects.get(code=chart.CASH_OVER_SHORT).balance_fen == over_short


def test_closed_day_refuses_counter_cash(
    outlet: Outlet, operator: AbstractUser, villager: AbstractUser, snapshot: Callable[[], Snapshot]
) -> None:
    """After the close, cash in and out for that business day are refused; the next day is open."""
    cash_in(outlet, operator, villager, 1_000, "ci-1", now=MORNING)
    outlet_day_close(outlet=outlet, business_on=DAY, counted_cash_fen=1_000, actor=operator, now=MORNING)
    before = snapshot()
    evening = MORNING + datetime.timedelta(hours=10)  # 20:00 local, still 1 May
    with pytest.raises(Conflict) as caught_in:
        cash_in(outlet, operator, villager, 100, "ci-2", now=evening)
    with pytest.raises(Conflict) as caught_out:
        wallet_cash_out(
            outlet=outlet, customer=villager, amount_fen=100, id="co-2", actor=operator, now=evening
        )
    assert (caught_in.value.code, caught_out.value.code) == ("day_closed", "day_closed")
    assert snapshot() == before
    # A retry of a transfer made before the close is still answered idempotently.
    cash_in(outlet, operator, villager, 1_000, "ci-1", now=evening)
    # 00:30 on 2 May local is 16:30 UTC on 1 May: a new business day.
    cash_in(
        outlet,
        operator,
        villager,
        100,
        "ci-3",
        now=datetime.datetime(2026, 5, 1, 16, 30, tzinfo=datetime.UTC),
    )
    assert wallet_get(user=villager).balance_fen == 1_100


def test_day_close_refusals_change_nothing(
    outlet: Outlet, operator: AbstractUser, villager: AbstractUser, snapshot: Callable[[], Snapshot]
) -> None:
    """Closing twice, a future day, a negative count, or a day with later movements is refused."""
    cash_in(outlet, operator, villager, 1_000, "ci-1", now=MORNING)
    outlet_day_close(outlet=outlet, business_on=DAY, counted_cash_fen=1_000, actor=operator, now=MORNING)
    next_day = MORNING + datetime.timedelta(days=1)
    cash_in(outlet, operator, villager, 500, "ci-2", now=next_day)
    before = snapshot()
    cases = [
        (DAY, 1_000, Conflict, "day_already_closed"),
        (DAY + datetime.timedelta(days=2), 0, ValidationFailed, "date_in_future"),
        (DAY + datetime.timedelta(days=1), -1, ValidationFailed, "invalid_amount"),
        (DAY - datetime.timedelta(days=1), 0, Conflict, "later_day_closed"),
    ]
    for business_on, counted, error_class, code in cases:
        with pytest.raises(error_class) as caught:
            outlet_day_close(
                outlet=outlet, business_on=business_on, counted_cash_fen=counted, actor=operator, now=next_day
            )
        assert caught.value.code == code
    assert snapshot() == before


def test_day_with_later_cash_movements_cannot_be_closed(
    outlet: Outlet, operator: AbstractUser, villager: AbstractUser, snapshot: Callable[[], Snapshot]
) -> None:
    """Once the next day's cash has moved, yesterday's drawer can no longer be counted."""
    cash_in(outlet, operator, villager, 1_000, "ci-1", now=MORNING)
    cash_in(outlet, operator, villager, 1_000, "ci-2", now=MORNING + datetime.timedelta(days=1))
    before = snapshot()
    with pytest.raises(Conflict) as caught:
        outlet_day_close(
            outlet=outlet,
            business_on=DAY,
            counted_cash_fen=1_000,
            actor=operator,
            now=MORNING + datetime.timedelta(days=1),
        )
    assert caught.value.code == "later_cash_movements"
    assert snapshot() == before
    assert CashDayClose.objects.count() == 0


def test_day_close_needs_the_operator(
    outlet: Outlet, make_user: Callable[..., AbstractUser], snapshot: Callable[[], Snapshot]
) -> None:
    """A user who does not run the outlet cannot close its day."""
    before = snapshot()
    with pytest.raises(PermissionRefused):
        outlet_day_close(outlet=outlet, business_on=DAY, counted_cash_fen=0, actor=make_user(), now=MORNING)
    assert snapshot() == before
