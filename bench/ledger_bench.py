"""Ledger throughput on PostgreSQL, beside pgbench's TPC-B-like default on the same server.

Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/siliu .venv/bin/python bench/ledger_bench.py``

It (re)creates two scratch databases on that server, ``siliu_bench`` (migrated, 10,000 funded wallet
accounts) and ``siliu_pgbench`` (``pgbench -i -s 10``), measures transfers per second through the
service layer (``transfer_create`` / ``transfers_create_batch``) with N client processes, runs
``pgbench -c N -j 2 -T 10`` before and after them, and prints a table with the ratios to the mean.
It stops by itself in about two and a half minutes. Options: ``--clients N`` (default 4),
``--seconds S`` per ledger scenario (default 10), ``--pgbench-seconds S`` (default 20, split
between the two pgbench runs), ``--keep`` to leave the scratch databases behind.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import random
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from _support import database_drop, database_recreate, memory_gib, pgbench_init, pgbench_tps, with_database

PROJECT_DIR = Path(__file__).resolve().parent.parent
BENCH_DB = "siliu_bench"
PGBENCH_DB = "siliu_pgbench"
ACCOUNT_COUNT = 10_000
HOT_COUNT = 10
FUNDING_FEN = 10**12


@dataclass
class Row:
    scenario: str
    clients: int
    transfers: int
    seconds: float
    refused: int

    @property
    def per_second(self) -> float:
        return self.transfers / self.seconds


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    # As in production: with DEBUG on, Django also records every SQL statement it sends.
    os.environ.setdefault("SILIU_DEBUG", "0")
    os.environ.setdefault("SILIU_SECRET_KEY", "ledger-bench-not-a-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siliu.settings")
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()


def _create_accounts() -> list[str]:
    """10,000 wallet-like accounts (may not go negative), each funded from capital in batches of 1,000."""
    from siliu.finance import chart
    from siliu.finance.models import Account, AccountType
    from siliu.finance.services import TransferRequest, system_account, transfers_create_batch

    capital = system_account(code=chart.CAPITAL)
    codes = [f"bench:{number:05d}" for number in range(ACCOUNT_COUNT)]
    Account.objects.bulk_create(
        [Account(code=code, name=code, type=AccountType.LIABILITY, allows_negative=False) for code in codes],
        batch_size=2_000,
    )
    for start in range(0, ACCOUNT_COUNT, 1_000):
        results = transfers_create_batch(
            transfers=[
                TransferRequest(
                    id=f"fund-{code}", debit_account=capital.code, credit_account=code, amount_fen=FUNDING_FEN
                )
                for code in codes[start : start + 1_000]
            ]
        )
        assert all(result.ok for result in results)
    return codes


def _worker(task: tuple[str, int, list[str], float, int]) -> tuple[int, int]:
    """One client process: send transfers (or batches) until the deadline; return (transfers, refused)."""
    from django.db import connections

    from siliu.core.errors import DomainError
    from siliu.finance.services import TransferRequest, transfer_create, transfers_create_batch

    connections.close_all()  # never share the parent's connection across fork
    prefix, batch_size, codes, seconds, seed = task
    rng = random.Random(seed)
    sent = refused = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if batch_size == 1:
            debit, credit = rng.sample(codes, 2)
            try:
                transfer_create(
                    id=f"{prefix}-{sent}",
                    debit_account=debit,
                    credit_account=credit,
                    amount_fen=rng.randint(1, 10_000),
                )
            except DomainError:
                refused += 1
            sent += 1
            continue
        requests = []
        for offset in range(batch_size):
            debit, credit = rng.sample(codes, 2)
            requests.append(
                TransferRequest(f"{prefix}-{sent + offset}", debit, credit, rng.randint(1, 10_000))
            )
        refused += sum(not result.ok for result in transfers_create_batch(transfers=requests))
        sent += batch_size
    connections.close_all()
    return sent, refused


def _run_scenario(
    name: str, *, number: int, clients: int, batch_size: int, codes: list[str], seconds: float
) -> Row:
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    # Ids unique per scenario and client: a clash would be refused (exists_with_different_fields).
    tasks = [
        (f"s{number}c{index}", batch_size, codes, seconds, 1_000 * number + index) for index in range(clients)
    ]
    started = time.monotonic()
    with context.Pool(clients) as pool:
        outcomes = pool.map(_worker, tasks)
    elapsed = time.monotonic() - started
    return Row(name, clients, sum(sent for sent, _refused in outcomes), elapsed, sum(r for _s, r in outcomes))


def _machine(server_url: str) -> str:
    import psycopg

    with psycopg.connect(with_database(server_url, "postgres")) as connection:
        version = connection.execute("SHOW server_version").fetchone()
        fsync = connection.execute("SHOW synchronous_commit").fetchone()
    return (
        f"{os.cpu_count()} CPUs (nproc), {memory_gib():.1f} GiB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, PostgreSQL "
        f"{version[0] if version else '?'} (synchronous_commit={fsync[0] if fsync else '?'}), "
        "client and server on the same machine"
    )


def _load() -> str:
    """The 1, 5 and 15 minute load averages: other work on the machine shows here."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    options = parser.parse_args()

    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        print("ledger_bench needs DATABASE_URL=postgres://… (a PostgreSQL server); skipped.")
        return 0
    if shutil.which("pgbench") is None:
        print("pgbench is not on PATH; install postgresql-client (or contrib).")
        return 1

    print(f"machine: {_machine(server_url)}", flush=True)
    print(f"load average before: {_load()}", flush=True)
    database_recreate(server_url, BENCH_DB)
    database_recreate(server_url, PGBENCH_DB)
    try:
        _setup_django(with_database(server_url, BENCH_DB))
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        started = time.monotonic()
        codes = _create_accounts()
        print(f"set up {len(codes):,} funded accounts in {time.monotonic() - started:.1f} s", flush=True)
        hot = codes[:HOT_COUNT]
        clients, seconds = options.clients, options.seconds
        # pgbench runs before and after the ledger scenarios, half the time each, and the ratio uses
        # the mean: on a machine shared with other work, load that comes and goes hits both sides.
        pgbench_seconds = max(1, options.pgbench_seconds // 2)
        pgbench_init(with_database(server_url, PGBENCH_DB))
        tps_before = pgbench_tps(
            with_database(server_url, PGBENCH_DB), clients=clients, seconds=pgbench_seconds
        )
        print(f"  pgbench TPC-B-like, -T {pgbench_seconds}: {tps_before:,.0f} tps", flush=True)
        scenarios = [
            ("single, 10,000 accounts", clients, 1, codes),
            (f"single, {HOT_COUNT} hot accounts", clients, 1, hot),
            ("batch of 100, 10,000 accounts", 1, 100, codes),
            ("batch of 100, 10,000 accounts", clients, 100, codes),
            ("batch of 1,000, 10,000 accounts", 1, 1_000, codes),
            ("batch of 1,000, 10,000 accounts", clients, 1_000, codes),
            (f"batch of 100, {HOT_COUNT} hot accounts", clients, 100, hot),
        ]
        rows = []
        for number, (name, scenario_clients, batch_size, scenario_codes) in enumerate(scenarios):
            row = _run_scenario(
                name,
                number=number,
                clients=scenario_clients,
                batch_size=batch_size,
                codes=scenario_codes,
                seconds=seconds,
            )
            rows.append(row)
            print(
                f"  {row.scenario:<36} {row.clients} client(s): {row.per_second:>9,.0f} transfers/s",
                flush=True,
            )
        tps_after = pgbench_tps(
            with_database(server_url, PGBENCH_DB), clients=clients, seconds=pgbench_seconds
        )
        print(f"  pgbench TPC-B-like, -T {pgbench_seconds}: {tps_after:,.0f} tps", flush=True)
        tps = (tps_before + tps_after) / 2
    finally:
        if not options.keep:
            database_drop(server_url, BENCH_DB)
            database_drop(server_url, PGBENCH_DB)

    print(f"load average after: {_load()}", flush=True)
    print()
    print("| scenario | clients | transfers | seconds | transfers/s | × pgbench TPC-B | refused |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {row.scenario} | {row.clients} | {row.transfers:,} | {row.seconds:.1f} | "
            f"{row.per_second:,.0f} | {row.per_second / tps:.2f} | {row.refused} |"
        )
    print(
        f"| pgbench TPC-B-like (scale 10), mean of {tps_before:,.0f} before and {tps_after:,.0f} after | "
        f"{clients} | — | {2 * pgbench_seconds} | {tps:,.0f} tps | 1.00 | — |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
