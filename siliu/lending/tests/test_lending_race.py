"""On PostgreSQL, three collections race for the same due installment: the sales sweep, the nightly
wallet debit and cash at the borrower's station. Each could pay it alone; it is paid exactly once.

Real threads, each with its own connection, released together by a barrier, against committed data
(``transaction=True``; ``serialized_rollback`` restores the migrations' data for the tests after).
"""

import datetime
import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connections, transaction
from django.db.models import Sum

from siliu.commerce.orders.services import seller_payable_open
from siliu.commerce.tests.conftest import Shop
from siliu.core.errors import DomainError
from siliu.finance import chart
from siliu.finance.models import Account
from siliu.finance.selectors import trial_balance
from siliu.finance.services import system_account, transfer_create
from siliu.lending.loans.models import Loan, LoanInstallment, LoanRepayment, RepaymentSource
from siliu.lending.loans.nightly import lending_night
from siliu.lending.loans.services import loan_repay_at_counter, loan_sweep_settlements
from siliu.lending.models import RepaymentMethod
from siliu.logistics.tests.conftest import SHANGHAI, operator_at  # noqa: F401
from siliu.network.models import Outlet

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROUNDS = 5
GOODS_FEN = 300_000  # 30 % of it (the sweep share) is more than an installment


def balance(code: str) -> int:
    account = Account.objects.filter(code=code).first()
    return account.balance_fen if account else 0


def race(*work: Callable[[], Any]) -> list[Any]:
    """Run each of ``work`` in its own thread and connection, all released at once; what each returned,
    or the code of the DomainError it raised (any other exception is returned as itself)."""
    barrier = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work[index]()
        except DomainError as error:
            results[index] = error.code
        except Exception as error:  # a deadlock or anything else fails the test below
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_the_sweep_the_nightly_debit_and_the_counter_pay_an_installment_once(
    lend: Callable[..., Loan],
    shop: Shop,
    operator_at: Callable[[str], User],  # noqa: F811
) -> None:
    """Five due dates in a row, each raced by the three collections: the installment is paid exactly
    what it owed, no repayment takes more, the losers take nothing (or what was left), the wallet,
    drawer and payable move by exactly the repayments, the trial balance balances, no deadlock."""
    loan = lend(RepaymentMethod.EQUAL_INSTALLMENT, amount_fen=1_000_000, term_months=12)
    operator = operator_at(loan.outlet.code)
    station = Outlet.objects.get(pk=loan.outlet_id)
    seller = shop.cooperative
    payable = seller_payable_open(seller=seller)
    system_account(code=chart.CAPITAL)
    wallet = chart.wallet_code(user_id=loan.borrower_id)
    drawer = chart.outlet_cash_code(outlet_code=station.code)
    wallet_before = balance(wallet)
    for n in range(1, ROUNDS + 1):
        row = LoanInstallment.objects.get(loan=loan, n=n)
        owed = row.principal_fen + row.interest_fen
        day = row.due_on
        now = datetime.datetime.combine(day, datetime.time(20), tzinfo=SHANGHAI)

        def sweep(n: int = n, now: datetime.datetime = now) -> str:
            with transaction.atomic():
                # What the order's settlement books before its hook: the goods money to the seller.
                transfer_create(
                    id=f"test:race:goods:{n}",
                    debit_account=chart.CAPITAL,
                    credit_account=payable,
                    amount_fen=GOODS_FEN,
                    now=now,
                )
                order = SimpleNamespace(number=f"TR{n:06d}")
                loan_sweep_settlements(
                    [SimpleNamespace(seller=seller, payable_fen=GOODS_FEN, order=order)], now
                )
            return "swept"

        def night(day: datetime.date = day, now: datetime.datetime = now) -> str:
            lending_night(on=day, now=now)
            return "night"

        def counter(owed: int = owed, now: datetime.datetime = now) -> str:
            loan_repay_at_counter(
                number=loan.number, actor=operator, outlet=station, amount_fen=owed, now=now
            )
            return "counter"

        outcomes = race(sweep, night, counter)
        assert outcomes[:2] == ["swept", "night"], outcomes
        assert outcomes[2] in ("counter", "nothing_due"), outcomes
        repayments = list(LoanRepayment.objects.filter(loan=loan, business_on=day))
        assert sum(r.amount_fen for r in repayments) == owed, (n, outcomes, repayments)
        assert all(0 < r.amount_fen <= owed for r in repayments)
        assert {a["n"] for r in repayments for a in r.allocations} == {n}
        assert len({r.source for r in repayments}) == len(repayments)
        assert (outcomes[2] == "counter") == any(r.source == RepaymentSource.COUNTER_CASH for r in repayments)
        row.refresh_from_db()
        assert (row.principal_paid_fen, row.interest_paid_fen, row.penalty_fen, row.settled_on) == (
            row.principal_fen,
            row.interest_fen,
            0,
            day,
        )

        def paid_by(source: str) -> int:
            total = LoanRepayment.objects.filter(loan=loan, source=source).aggregate(s=Sum("amount_fen"))["s"]
            return total or 0

        assert balance(wallet) == wallet_before - paid_by(RepaymentSource.AUTO_DEBIT)
        assert balance(drawer) == paid_by(RepaymentSource.COUNTER_CASH)
        assert balance(payable) == n * GOODS_FEN - paid_by(RepaymentSource.SWEEP)
        assert trial_balance().is_balanced
    loan.refresh_from_db()
    principal = LoanInstallment.objects.filter(loan=loan, n__lte=ROUNDS).aggregate(s=Sum("principal_fen"))[
        "s"
    ]
    assert loan.principal_outstanding_fen == 1_000_000 - principal
    assert balance(chart.loan_code(number=loan.number)) == loan.principal_outstanding_fen
