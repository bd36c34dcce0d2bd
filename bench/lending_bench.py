"""Lending's nightly run on PostgreSQL over N active loans, beside pgbench's TPC-B-like default on the
same server (issue #10).

Run: ``.venv/bin/python bench/lending_bench.py --database-url postgres://postgres@127.0.0.1:5432/siliu``

For each size (``--sizes 10000,30000,100000``) it (re)creates a scratch database ``siliu_bench_lending``
on that server (named after the database of the URL: ``<name>_lending``) from a migrated
template, writes N active loans straight into the tables with ``COPY``
(no service calls: it is the night that is measured, not the loans' making) — every repayment method,
12-month terms started on any day of the last year so that about 1/30 of them fall due on each night,
8 % overdue by 1 to 300 days, the wallets of loans due on a measured night funded, a third of the overdue
ones holding a little — and the ledger accounts that go with them (each loan's receivable, the wallets,
the fund, accrued interest), balanced. Then it runs :func:`~siliu.lending.loans.nightly.lending_night`
for ``--nights`` consecutive business days and times each night and its phases (accrual, wallet debits,
classification; "rest" is the loan lock, the bookings and the night's row). ``pgbench -c 2 -T 10`` runs
before and after, on its own scratch database ``<name>_pgbench``. Options: ``--nights N`` (3),
``--pgbench-seconds S`` (20, split before/after), ``--profile`` prints a cProfile of each night,
``--keep`` leaves the databases behind.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import json
import os
import pstats
import random
import shutil
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from _support import (
    database_drop,
    database_recreate,
    django_setup,
    load_average,
    machine_describe,
    pgbench_init,
    pgbench_tps,
    with_database,
)

#: The first business day measured; the data stand as after the night before it.
RUN_DAY = datetime.date(2026, 6, 15)
METHODS = (
    ("equal_installment", 40),
    ("equal_principal", 20),
    ("interest_only", 15),
    ("seasonal", 10),
    ("credit_line", 15),
)
AMOUNTS_FEN = (200_000, 500_000, 1_000_000, 3_000_000)
OVERDUE_SHARE = 0.08
RATE_BP, PENALTY_BP, GRACE_DAYS = 1200, 1800, 3
FUNDED_FEN = 50_000_000
ID_BASE = 1_000_000


@dataclass
class Night:
    total: float
    phases: dict[str, float]
    debited: int
    debited_fen: int


@dataclass
class SizeResult:
    loans: int
    installments: int
    due: list[int]
    load_seconds: float
    nights: list[Night] = field(default_factory=list)

    def median(self, phase: str | None = None) -> float:
        if phase is None:
            return statistics.median(night.total for night in self.nights)
        return statistics.median(night.phases.get(phase, 0.0) for night in self.nights)


def _copy(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _day_interest(principal: int, rate_bp: int, days: int) -> int:
    from siliu.lending.loans.services import day_interest_fen

    return day_interest_fen(principal_fen=principal, rate_bp=rate_bp, days=max(days, 0))


def _generate(size: int, *, nights: int, seed: int = 2026) -> tuple[int, list[int]]:
    """Write ``size`` active loans with their installments, borrowers, applications and ledger
    accounts; return the number of installments and, per measured night, how many loans fall due."""
    from django.db import connection
    from django.utils import timezone

    from siliu.finance import chart
    from siliu.finance.models import Account
    from siliu.lending.loans.models import Loan
    from siliu.lending.loans.services import installments_build, lending_accounts_open
    from siliu.lending.models import LoanProduct
    from siliu.network.models import Outlet, OutletKind, Region, RegionLevel

    rng = random.Random(seed)
    now = timezone.now()
    lending_accounts_open()
    system_account_codes = (chart.CAPITAL,)
    for code in system_account_codes:
        from siliu.finance.services import system_account

        system_account(code=code)
    region = Region.objects.create(code="990000", name="测试省", level=RegionLevel.PROVINCE)
    outlet = Outlet.objects.create(
        code="BENCH01",
        name="压测站",
        kind=OutletKind.VILLAGE_STATION,
        region=region,
        latitude=34,
        longitude=108,
        has_cash_counter=True,
    )
    products = {
        method: LoanProduct.objects.create(
            code=f"bench-{method}",
            name=f"压测{method}",
            method=method,
            min_amount_fen=100_000,
            max_amount_fen=5_000_000,
            term_months=[12],
            annual_rate_bp=RATE_BP,
            penalty_rate_bp=PENALTY_BP,
            grace_days=GRACE_DAYS,
            sweep_share_bp=3000,
            harvest_months=[9, 10] if method == "seasonal" else [],
        )
        for method, _weight in METHODS
    }
    methods = [method for method, weight in METHODS for _ in range(weight)]
    yesterday = RUN_DAY.toordinal() - 1
    measured = range(RUN_DAY.toordinal(), RUN_DAY.toordinal() + nights)
    templates: dict[tuple[str, int, datetime.date], list[Any]] = {}
    users: list[tuple[Any, ...]] = []
    accounts: list[tuple[Any, ...]] = []
    applications: list[dict[str, Any]] = []
    loans: list[dict[str, Any]] = []
    installments: list[dict[str, Any]] = []
    due_counts = [0] * nights
    receivable_interest = receivable_penalty = wallets_total = outstanding_total = 0
    for index in range(size):
        pk = ID_BASE + index
        method = rng.choice(methods)
        amount = rng.choice(AMOUNTS_FEN)
        start_on = RUN_DAY - datetime.timedelta(days=rng.randint(1, 355))
        number = f"LB{pk:010d}"
        key = (method, amount, start_on)
        if key not in templates:
            loan = Loan(
                number=number,
                method=method,
                amount_fen=amount,
                annual_rate_bp=RATE_BP,
                term_months=12,
                harvest_months=[9, 10] if method == "seasonal" else [],
            )
            templates[key] = installments_build(loan, start_on=start_on)
        rows = templates[key]
        if method == "credit_line":
            drawn = amount * rng.randint(30, 100) // 100
        overdue = rng.random() < OVERDUE_SHARE
        past = [row.n for row in rows if row.due_day <= yesterday]
        first_unpaid = rng.choice(past) if overdue and past else None
        outstanding = 0
        due_on_measured = False
        for row in rows:
            principal, interest = row.principal_fen, row.interest_fen
            values: dict[str, Any] = {
                "loan_id": pk,
                "n": row.n,
                "period_start_on": row.period_start_on,
                "due_on": row.due_on,
                "due_day": row.due_day,
                "period_days": row.period_days,
                "penalty_fen": 0,
                "penalty_through_day": row.due_day,
                "penalty_paid_fen": 0,
                "settled_on": None,
            }
            if method == "credit_line":
                principal = drawn
                interest = _day_interest(drawn, RATE_BP, yesterday - row.period_start_on.toordinal())
                accrued, through = interest, yesterday
                paid = (0, 0)
            elif row.due_day <= yesterday and (first_unpaid is None or row.n < first_unpaid):
                accrued, through, paid = interest, row.due_day, (principal, interest)
                values["settled_on"] = row.due_on
            else:
                elapsed = max(0, min(row.period_days, row.period_days - row.due_day + yesterday))
                accrued, through, paid = interest * elapsed // row.period_days, yesterday, (0, 0)
                if yesterday - row.due_day > GRACE_DAYS:
                    values["penalty_fen"] = _day_interest(principal, PENALTY_BP, yesterday - row.due_day)
                    values["penalty_through_day"] = yesterday
            if values["settled_on"] is None:
                outstanding += principal
                receivable_interest += accrued
                receivable_penalty += values["penalty_fen"]
                due_on_measured = due_on_measured or row.due_day in measured
                if row.due_day in measured:
                    due_counts[row.due_day - measured.start] += 1
            values.update(
                principal_fen=principal,
                interest_fen=interest,
                interest_accrued_fen=accrued,
                accrued_through_day=through,
                principal_paid_fen=paid[0],
                interest_paid_fen=paid[1],
            )
            installments.append(values)
        if due_on_measured:
            wallet = FUNDED_FEN
        elif first_unpaid is not None and rng.random() < 1 / 3:
            wallet = rng.randint(1_000, 50_000)
        else:
            wallet = 0
        wallets_total += wallet
        outstanding_total += outstanding
        users.append((pk, "!", False, f"bench{pk}", "", "", "", False, True, now))
        applications.append(
            {
                "id": pk,
                "number": f"LA{pk:010d}",
                "applicant_id": pk,
                "filed_by_id": pk,
                "outlet_id": outlet.pk,
                "product_id": products[method].pk,
                "amount_fen": amount,
                "term_months": 12,
                "harvest_months": json.dumps([9, 10] if method == "seasonal" else []),
                "purpose": "压测",
                "status": "approved",
                "band": "manual",
                "reasons": "[]",
                "auto_limit_fen": 0,
                "filed_at": now,
                "review_note": "",
                "decided_at": now,
            }
        )
        loans.append(
            {
                "id": pk,
                "number": number,
                "application_id": pk,
                "borrower_id": pk,
                "outlet_id": outlet.pk,
                "product_id": products[method].pk,
                "method": method,
                "amount_fen": amount,
                "annual_rate_bp": RATE_BP,
                "penalty_rate_bp": PENALTY_BP,
                "grace_days": GRACE_DAYS,
                "sweep_share_bp": 3000,
                "term_months": 12,
                "harvest_months": json.dumps([9, 10] if method == "seasonal" else []),
                "status": "active",
                "contracted_at": now,
                "disbursed_at": now,
                "start_on": start_on,
                "maturity_on": rows[-1].due_on,
                "principal_outstanding_fen": outstanding,
                "days_past_due": 0,
                "classification": "normal",
                "provision_fen": 0,
            }
        )
        accounts.append(
            (
                chart.loan_code(number=number),
                "贷款本金",
                "asset",
                None,
                f"loan:{number}",
                False,
                outstanding,
                0,
            )
        )
        accounts.append((chart.wallet_code(user_id=pk), "钱包", "liability", pk, "", False, 0, wallet))

    user_columns = [
        "id",
        "password",
        "is_superuser",
        "username",
        "first_name",
        "last_name",
        "email",
        "is_staff",
        "is_active",
        "date_joined",
    ]
    _copy("auth_user", user_columns, users)
    _copy_dicts("lending_loanapplication", applications)
    _copy_dicts("lending_loan", loans)
    _copy_dicts("lending_loaninstallment", installments)
    _copy(
        "finance_account",
        [
            "code",
            "name",
            "type",
            "owner_user_id",
            "owner_reference",
            "allows_negative",
            "debits_posted",
            "credits_posted",
            "debits_pending",
            "credits_pending",
            "created_at",
        ],
        ((*account, 0, 0, now) for account in accounts),
    )
    # The other side of every balance, so the trial balance holds: the fund lent the principal (and
    # was funded from capital), the bank holds what is in the wallets, accrued interest is income.
    fund = 10**14
    for code, debits, credits in (
        (chart.CAPITAL, 0, fund),
        (chart.LENDING_FUND, fund, outstanding_total),
        (chart.BANK, wallets_total, 0),
        (chart.INTEREST_RECEIVABLE, receivable_interest + receivable_penalty, 0),
        (chart.INTEREST_INCOME, 0, receivable_interest),
        (chart.PENALTY_INCOME, 0, receivable_penalty),
    ):
        Account.objects.filter(code=code).update(debits_posted=debits, credits_posted=credits)
    with connection.cursor() as cursor:
        for table in ("auth_user", "lending_loanapplication", "lending_loan", "lending_loaninstallment"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    return len(installments), due_counts


def _copy_dicts(table: str, rows: list[dict[str, Any]]) -> None:
    columns = list(rows[0])
    _copy(table, columns, ([row[column] for column in columns] for row in rows))


def _vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _timed(module: Any, name: str, phases: dict[str, float]) -> Callable[[], None]:
    original = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            phases[name] = phases.get(name, 0.0) + time.perf_counter() - started

    setattr(module, name, wrapper)
    return lambda: setattr(module, name, original)


def _nights(count: int, *, profile: bool = False) -> list[Night]:
    from siliu.finance.selectors import trial_balance
    from siliu.lending.loans import nightly

    results = []
    for offset in range(count):
        day = RUN_DAY + datetime.timedelta(days=offset)
        phases: dict[str, float] = {}
        undo = [_timed(nightly, name, phases) for name in ("accrue_all", "debit_due", "classify_all")]
        try:
            profiler = cProfile.Profile() if profile else None
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            night = nightly.lending_night(on=day)
            total = time.perf_counter() - started
            if profiler:
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        finally:
            for restore in undo:
                restore()
        phases["rest"] = total - sum(phases.values())
        results.append(Night(total, phases, night.debited_count, night.debited_fen))
        print(
            f"    night {day}: {total:6.1f} s  (accrual {phases['accrue_all']:.1f}, debits "
            f"{phases['debit_due']:.1f} for {night.debited_count:,} loans, classification "
            f"{phases['classify_all']:.1f}, rest {phases['rest']:.1f})",
            flush=True,
        )
    assert trial_balance().is_balanced, "the trial balance does not balance after the nights"
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--sizes", default="10000,30000,100000")
    parser.add_argument("--nights", type=int, default=3)
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of each night")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    options = parser.parse_args()
    server_url = options.database_url
    if not server_url.startswith(("postgres://", "postgresql://")):
        print("lending_bench needs --database-url postgres://… (a PostgreSQL server); skipped.")
        return 0
    if shutil.which("pgbench") is None:
        print("pgbench is not on PATH; install postgresql-client (or contrib).")
        return 1
    sizes = [int(size) for size in options.sizes.split(",")]
    # Scratch databases named after the one given, so that parallel checkouts never share them.
    base = urlparse(server_url).path.lstrip("/") or "siliu"
    bench_db, template_db, pgbench_db = f"{base}_lending", f"{base}_lending_template", f"{base}_pgbench"

    database_recreate(server_url, template_db)
    django_setup(database_url=with_database(server_url, template_db), bench="lending", conn_max_age=0)
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    machine, server = machine_describe()
    print(f"machine: {machine}\nserver: {server}\nload average before: {load_average()}", flush=True)
    connections.close_all()
    database_recreate(server_url, pgbench_db)
    pgbench_init(with_database(server_url, pgbench_db))
    half = max(1, options.pgbench_seconds // 2)
    tps_before = pgbench_tps(with_database(server_url, pgbench_db), clients=2, seconds=half)
    print(f"  pgbench TPC-B-like, -c 2 -T {half}: {tps_before:,.0f} tps", flush=True)
    results: list[SizeResult] = []
    try:
        for size in sizes:
            connections.close_all()
            database_drop(server_url, bench_db)
            import psycopg

            with psycopg.connect(with_database(server_url, "postgres"), autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{bench_db}" TEMPLATE "{template_db}"')
            connections["default"].settings_dict["NAME"] = bench_db
            started = time.perf_counter()
            installment_count, due = _generate(size, nights=options.nights)
            _vacuum()
            load_seconds = time.perf_counter() - started
            print(
                f"  {size:,} loans, {installment_count:,} installments written in {load_seconds:.0f} s; "
                f"due per night: {', '.join(f'{d:,}' for d in due)}",
                flush=True,
            )
            result = SizeResult(size, installment_count, due, load_seconds)
            result.nights = _nights(options.nights, profile=options.profile)
            results.append(result)
        connections.close_all()
        tps_after = pgbench_tps(with_database(server_url, pgbench_db), clients=2, seconds=half)
        print(f"  pgbench TPC-B-like, -c 2 -T {half}: {tps_after:,.0f} tps", flush=True)
    finally:
        connections.close_all()
        if not options.keep:
            for name in (bench_db, template_db, pgbench_db):
                database_drop(server_url, name)
    print(f"load average after: {load_average()}\n")
    print(
        "| active loans | installments | due that night | night (median s) | accrual | debits | "
        "classification | rest | loans debited | × time of the smallest |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    base = results[0].median() if results else 1.0
    for result in results:
        print(
            f"| {result.loans:,} | {result.installments:,} | {statistics.median(result.due):,.0f} | "
            f"{result.median():.1f} | {result.median('accrue_all'):.1f} | {result.median('debit_due'):.1f} | "
            f"{result.median('classify_all'):.1f} | {result.median('rest'):.1f} | "
            f"{statistics.median(night.debited for night in result.nights):,.0f} | "
            f"{result.median() / base:.1f} |"
        )
    print(f"\npgbench TPC-B-like (scale 10, 2 clients): {tps_before:,.0f} tps before, {tps_after:,.0f} after")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
