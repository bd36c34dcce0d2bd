"""Cash on delivery: collected into the delivering outlet's cash at EMI, remitted less the fee once final.

The COD parcel: express VS11 → VS21, 1,500 g, paid in cash (¥13.00 at acceptance), COD ¥123.45 whose
fee is the ¥3.00 minimum (1 % would be ¥1.24), taken when the money is remitted.
"""

import datetime
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connections

from siliu.finance import chart
from siliu.finance.models import Account, Transfer
from siliu.finance.services import wallet_cash_in
from siliu.logistics.models import Claim, ClaimKind, ClaimStatus, Parcel
from siliu.logistics.parcels.cod import COD_PAYABLE, cod_remit_due
from siliu.logistics.parcels.services import scans_record
from siliu.logistics.parcels.tasks import cod_remit
from siliu.logistics.tests.conftest import at, journey
from siliu.network.models import Outlet

COD_FEN = 12_345
FEE_FEN = 300


#: A day after the 17:00 delivery: the delivery is final.
FINAL = at(17, day=24)


def balance(code: str) -> int:
    return Account.objects.get(code=code).balance_fen


@pytest.fixture
def seller(make_user: Callable[..., User]) -> User:
    return make_user(username="seller")


@pytest.fixture
def cod_parcel(make_parcel: Callable[..., Parcel], seller: User) -> Callable[..., Parcel]:
    """``cod_parcel(amount_fen, prefix)`` → a delivered COD parcel sent by ``seller``."""

    def make(amount_fen: int = COD_FEN, prefix: str = "c") -> Parcel:
        parcel = make_parcel(sender_user=seller, cod_amount_fen=amount_fen)
        results = scans_record(scans=journey(parcel.tracking_number, prefix), now=at(18))
        assert {result.status for result in results} == {"created"}
        parcel.refresh_from_db()
        return parcel

    return make


@pytest.mark.django_db
def test_delivery_collects_the_cod_into_the_delivering_outlets_cash(
    cod_parcel: Callable[..., Parcel],
) -> None:
    """EMI at VS21: ¥123.45 from the recipient into cash:VS21, owed onwards in cod_payable."""
    parcel = cod_parcel()
    assert (parcel.fee_fen, parcel.cod_fee_fen, parcel.charged_at_acceptance_fen) == (1600, FEE_FEN, 1300)
    assert (parcel.status, parcel.cod_collected_at, parcel.cod_remitted_at) == ("delivered", at(17), None)
    collect = Transfer.objects.get(id=f"parcel:{parcel.tracking_number}:cod-collect")
    assert (
        collect.debit_account.code,
        collect.credit_account.code,
        collect.amount_fen,
        collect.category,
    ) == (
        "cash:VS21",
        COD_PAYABLE,
        COD_FEN,
        "cod",
    )
    payable = Account.objects.get(code=COD_PAYABLE)
    assert (payable.type, payable.allows_negative, payable.balance_fen) == ("liability", False, COD_FEN)
    assert balance("cash:VS21") == COD_FEN
    assert balance("cash:VS11") == 1300  # the postage, at acceptance, without the COD fee


@pytest.mark.django_db
def test_parcels_without_cod_collect_nothing(make_parcel: Callable[..., Parcel]) -> None:
    """A plain parcel's delivery books no COD transfer and opens no payable."""
    parcel = make_parcel()
    scans_record(scans=journey(parcel.tracking_number, "p"), now=at(18))
    assert not Transfer.objects.filter(category="cod").exists()
    assert Parcel.objects.get(pk=parcel.pk).cod_collected_at is None


@pytest.mark.django_db
def test_remittance_after_the_hold_pays_the_sender_less_the_fee(
    cod_parcel: Callable[..., Parcel], seller: User
) -> None:
    """23 h 59 min after delivery nothing moves; at 24 h the seller gets ¥120.45 and the post ¥3.00."""
    parcel = cod_parcel()
    assert cod_remit_due(now=FINAL - datetime.timedelta(minutes=1)).remitted == []
    result = cod_remit_due(now=FINAL)
    assert (result.remitted, result.paid_fen, result.fee_fen, result.refused) == (
        [parcel.tracking_number],
        COD_FEN - FEE_FEN,
        FEE_FEN,
        {},
    )
    number = parcel.tracking_number
    transfers = Transfer.objects.filter(id__in=[f"parcel:{number}:cod-remit", f"parcel:{number}:cod-fee"])
    assert sorted(
        (t.id, t.debit_account.code, t.credit_account.code, t.amount_fen, t.linked) for t in transfers
    ) == [
        (f"parcel:{number}:cod-fee", COD_PAYABLE, chart.POSTAGE_INCOME, FEE_FEN, False),
        (f"parcel:{number}:cod-remit", COD_PAYABLE, f"wallet:{seller.pk}", COD_FEN - FEE_FEN, True),
    ]
    assert balance(f"wallet:{seller.pk}") == 12_045
    assert balance(COD_PAYABLE) == 0
    assert balance(chart.POSTAGE_INCOME) == 1300 + FEE_FEN
    assert Parcel.objects.get(pk=parcel.pk).cod_remitted_at == FINAL


@pytest.mark.django_db
def test_remittance_is_idempotent(cod_parcel: Callable[..., Parcel], seller: User) -> None:
    """A second sweep finds nothing; a parcel whose mark was lost is settled by the same transfer ids."""
    parcel = cod_parcel()
    cod_remit_due(now=FINAL)
    assert cod_remit_due(now=FINAL + datetime.timedelta(hours=1)).remitted == []
    Parcel.objects.filter(pk=parcel.pk).update(cod_remitted_at=None)
    replay = cod_remit_due(now=FINAL + datetime.timedelta(hours=2))
    assert replay.remitted == [parcel.tracking_number]
    assert Transfer.objects.filter(category="cod").count() == 3  # collect, remit, fee: once each
    assert balance(f"wallet:{seller.pk}") == 12_045
    assert balance(COD_PAYABLE) == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "remitted"),
    [(ClaimStatus.SUBMITTED, False), (ClaimStatus.APPROVED, False), (ClaimStatus.REJECTED, True)],
)
def test_an_open_claim_holds_the_remittance(
    cod_parcel: Callable[..., Parcel], make_user: Callable[..., User], status: ClaimStatus, remitted: bool
) -> None:
    """A submitted or approved claim keeps the money in cod_payable; a rejected one does not."""
    parcel = cod_parcel()
    Claim.objects.create(
        parcel=parcel, kind=ClaimKind.DAMAGE, status=status, claimant=make_user(), created_at=at(18)
    )
    result = cod_remit_due(now=FINAL)
    assert (result.remitted == [parcel.tracking_number]) is remitted
    assert balance(COD_PAYABLE) == (0 if remitted else COD_FEN)
    assert (Parcel.objects.get(pk=parcel.pk).cod_remitted_at is not None) is remitted


@pytest.mark.django_db
def test_fee_above_a_small_cod_amount_is_completed_from_the_wallet(
    cod_parcel: Callable[..., Parcel], seller: User, county: dict[str, Outlet], make_user: Callable[..., User]
) -> None:
    """COD ¥1.00 under the ¥3.00 fee: all ¥1.00 to the fee and ¥2.00 from the wallet, once it can pay."""
    parcel = cod_parcel(amount_fen=100)
    assert parcel.cod_fee_fen == FEE_FEN
    refused = cod_remit_due(now=FINAL)
    assert (refused.remitted, refused.refused) == ([], {parcel.tracking_number: "exceeds_credits"})
    assert balance(COD_PAYABLE) == 100
    assert not Transfer.objects.filter(id=f"parcel:{parcel.tracking_number}:cod-fee").exists()
    wallet_cash_in(
        outlet=county["VS11"],
        customer=seller,
        amount_fen=500,
        id="top-up",
        actor=make_user(is_superuser=True),
    )
    result = cod_remit_due(now=FINAL + datetime.timedelta(hours=1))
    assert (result.remitted, result.paid_fen, result.fee_fen) == ([parcel.tracking_number], 0, FEE_FEN)
    assert balance(f"wallet:{seller.pk}") == 300
    assert balance(COD_PAYABLE) == 0
    assert not Transfer.objects.filter(id=f"parcel:{parcel.tracking_number}:cod-remit").exists()


@pytest.mark.django_db
def test_task_remits_every_due_parcel_in_batches(cod_parcel: Callable[..., Parcel], seller: User) -> None:
    """Three parcels, batches of two: the task remits all three (3 × ¥120.45) and reports the count."""
    for prefix in "abc":
        cod_parcel(prefix=prefix)
    assert cod_remit.call(batch_size=2) == 3
    assert balance(f"wallet:{seller.pk}") == 3 * 12_045
    assert balance(COD_PAYABLE) == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_sweeps_remit_each_parcel_once(cod_parcel: Callable[..., Parcel], seller: User) -> None:
    """Four sweeps at once over five parcels pay the seller exactly five times ¥120.45."""
    for prefix in "abcde":
        cod_parcel(prefix=prefix)

    def sweep(_number: int) -> Any:
        try:
            return cod_remit_due(now=FINAL)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(sweep, range(4)))
    assert sorted(number for result in results for number in result.remitted) == sorted(
        Parcel.objects.values_list("tracking_number", flat=True)
    )
    assert balance(f"wallet:{seller.pk}") == 5 * 12_045
    assert balance(COD_PAYABLE) == 0
