"""Orders placed per second through ``POST /api/v1/orders`` on PostgreSQL, beside pgbench TPC-B.

Run: ``.venv/bin/python bench/orders_bench.py`` (issue 5: aim ≥ 0.2 × pgbench TPC-B). It stops by
itself in about two minutes once the setup exists (the first run also creates it).

Setup, kept between runs: the database (``--database-url``, default
``postgres://postgres@127.0.0.1:5432/siliu_bench_orders``; created if missing, then migrated), the
demo county (seed 2026), 20 sellers (demo users ``s0001``…) registered with ``seller_register`` and
verified by ``county_manager`` with ``seller_verify``, 5 products each (``product_create``, stock 10⁹),
and 200 buyers (demo users ``c0001``…) whose wallets are funded from ``equity:capital`` with
``transfers_create_batch`` in batches of 100, each with an API token.

Every order holds 1–3 lines from 1–2 sellers (one parcel per seller), is paid from the wallet
(a pending escrow transfer) and carries a unique ``Idempotency-Key``; it goes to a random village
station. Each client process has its own 50 buyers, so no two clients lock the same wallet.

Measurements, in this order, each bounded by ``--seconds`` (default 20):

1. ``pgbench -c 4 -j 2 -T 10`` (TPC-B-like, scale 10) on its own scratch database.
2. ``order_place`` called directly from ``--clients`` processes (default 4), no HTTP.
3. ``POST /api/v1/orders`` from ``--clients`` client processes against gunicorn
   (``--server-processes`` sync workers, default 5, ``SILIU_DEBUG=0``, ``SILIU_CONN_MAX_AGE=60``);
   then, as the floor any request through that server and client loop meets, ``GET /healthz``
   (Django and one ``SELECT 1``, no DRF, no write).
4. pgbench again; the ratio uses the mean of the two pgbench runs.

``--profile`` then counts the SQL statements of one order (direct and through the view) and prints a
cProfile of 200 orders placed through the view in this process. The table is printed and written
between markers into ``docs/benchmarks-orders.md`` (``--no-doc`` to skip).
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import datetime
import http.client
import io
import json
import pstats
import random
import re
import shlex
import shutil
import sys
import time
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Any
from urllib.parse import urlparse

from _support import (
    PROJECT_DIR,
    GunicornServer,
    database_create_if_missing,
    database_drop,
    database_recreate,
    demo_county_ensure,
    django_setup,
    doc_section_write,
    forked_run,
    load_average,
    machine_describe,
    percentile,
    pgbench_init,
    pgbench_tps,
    with_database,
)

DOC = PROJECT_DIR / "docs" / "benchmarks-orders.md"
DOC_TITLE = "# Orders: placing orders beside pgbench (issue 5)"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/siliu_bench_orders"

SELLER_COUNT = 20
PRODUCTS_PER_SELLER = 5
BUYER_COUNT = 200
STOCK = 10**9
WALLET_FEN = 10**11
FUNDING_BATCH = 100
MANAGER_USERNAME = "county_manager"
RATIO_AIM = 0.2
PGBENCH_SECONDS = 10
PROFILE_ORDERS = 200
RECIPIENT = {"name": "李四", "phone": "+8613900000002", "address": "示范县河口村 8 号"}


# --- setup ---------------------------------------------------------------------------------------


def _uscc(number: int) -> str:
    from stdnum.cn import uscc

    body = f"93610199MA7B{number:05d}"
    return body + uscc.calc_check_digit(body)


def _sellers_ensure() -> list[int]:
    """Register, verify and stock the bench sellers through the catalogue services; product ids."""
    from django.contrib.auth.models import User

    from siliu.commerce.catalog.services import product_create, seller_register, seller_verify
    from siliu.commerce.models import Category, Direction, Product, Seller, SellerKind, SellerStatus
    from siliu.network.models import Outlet, OutletKind

    now = datetime.datetime.now(tz=datetime.UTC)
    manager = User.objects.get(username=MANAGER_USERNAME)
    stations = list(
        Outlet.objects.filter(kind=OutletKind.VILLAGE_STATION, is_active=True)
        .select_related("region")
        .order_by("code")
    )
    rng = random.Random(5)
    categories = [Category.FRUIT, Category.VEGETABLE, Category.GRAIN, Category.TEA]
    started = time.monotonic()
    created = 0
    for number in range(1, SELLER_COUNT + 1):
        user = User.objects.get(username=f"s{number:04d}")
        seller = Seller.objects.filter(user=user).first()
        if seller is None:
            station = stations[(number * 7) % len(stations)]
            seller = seller_register(
                user=user,
                kind=SellerKind.COOPERATIVE,
                name=f"示范县第{number}合作社",
                id_number=_uscc(number),
                village=station.region,
                home_outlet=station,
                contact_phone=f"+86137{number:08d}",
                now=now,
            )
            created += 1
        if seller.status != SellerStatus.VERIFIED:
            seller = seller_verify(seller=seller, actor=manager, approve=True, now=now)
        for index in range(PRODUCTS_PER_SELLER - seller.products.count()):
            product_create(
                seller=seller,
                actor=seller.user,
                name=f"第{number}社 农产品 {index + 1}",
                category=rng.choice(categories),
                direction=Direction.UPWARD,
                unit="箱",
                price_fen=rng.randint(990, 9_990),
                stock=STOCK,
                weight_g=rng.randint(500, 3_000),
                now=now,
            )
    # Top up the stock a long series of runs has used, so no order is ever short.
    Product.objects.filter(seller__user__username__startswith="s", stock__lt=STOCK // 2).update(stock=STOCK)
    if created:
        print(f"registered {created} sellers with products in {time.monotonic() - started:.1f} s", flush=True)
    return list(
        Product.objects.filter(seller__user__username__in=[f"s{n:04d}" for n in range(1, SELLER_COUNT + 1)])
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _buyers_ensure() -> list[tuple[int, str]]:
    """Buyers ``c0001``… with a funded wallet (topped up to ``WALLET_FEN``) and a token: (id, token)."""
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token

    from siliu.finance import chart
    from siliu.finance.services import TransferRequest, system_account, transfers_create_batch, wallet_open

    capital = system_account(code=chart.CAPITAL)
    users = list(User.objects.filter(username__in=[f"c{n:04d}" for n in range(1, BUYER_COUNT + 1)]))
    users.sort(key=lambda user: user.username)
    stamp = int(time.time())
    requests = []
    for user in users:
        wallet = wallet_open(user=user)
        missing = WALLET_FEN - wallet.available_fen
        if missing > WALLET_FEN // 2:
            requests.append(
                TransferRequest(
                    id=f"bench-fund-{user.pk}-{stamp}",
                    debit_account=capital.code,
                    credit_account=wallet.code,
                    amount_fen=missing,
                )
            )
    for start in range(0, len(requests), FUNDING_BATCH):
        results = transfers_create_batch(transfers=requests[start : start + FUNDING_BATCH])
        assert all(result.ok for result in results), [r.status for r in results if not r.ok]
    if requests:
        print(f"funded {len(requests)} wallets", flush=True)
    return [(user.pk, str(Token.objects.get_or_create(user=user)[0].key)) for user in users]


def _destinations(product_ids: list[int]) -> list[str]:
    """Village stations that are no bench seller's home."""
    from siliu.commerce.models import Product
    from siliu.network.models import Outlet, OutletKind

    homes = set(
        Product.objects.filter(pk__in=product_ids).values_list("seller__home_outlet__code", flat=True)
    )
    codes = Outlet.objects.filter(kind=OutletKind.VILLAGE_STATION, is_active=True).values_list(
        "code", flat=True
    )
    return sorted(set(codes) - homes)


def _sellers_of(product_ids: list[int]) -> dict[int, list[int]]:
    from siliu.commerce.models import Product

    by_seller: dict[int, list[int]] = {}
    for pk, seller_id in Product.objects.filter(pk__in=product_ids).values_list("pk", "seller_id"):
        by_seller.setdefault(seller_id, []).append(pk)
    return by_seller


def _order_input(
    rng: random.Random, by_seller: dict[int, list[int]], destinations: list[str]
) -> tuple[list[tuple[int, int]], str]:
    """1–3 lines from 1–2 sellers, and a destination station."""
    line_count = rng.randint(1, 3)
    sellers = rng.sample(sorted(by_seller), min(line_count, rng.randint(1, 2)))
    pool = [pk for seller in sellers for pk in by_seller[seller]]
    chosen = {by_seller[seller][rng.randrange(PRODUCTS_PER_SELLER)] for seller in sellers}
    while len(chosen) < line_count:
        chosen.add(rng.choice(pool))
    return [(pk, rng.randint(1, 3)) for pk in sorted(chosen)], rng.choice(destinations)


# --- clients -------------------------------------------------------------------------------------


@dataclass
class Tally:
    orders: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    first_error: str = ""
    started: float = 0.0
    finished: float = 0.0


@dataclass
class Run:
    tallies: list[Tally]

    @property
    def orders(self) -> int:
        return sum(t.orders for t in self.tallies)

    @property
    def seconds(self) -> float:
        return max(t.finished for t in self.tallies) - min(t.started for t in self.tallies)

    @property
    def per_second(self) -> float:
        return self.orders / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        return percentile((latency for t in self.tallies for latency in t.latencies_ms), share)

    @property
    def errors(self) -> collections.Counter[str]:
        total: collections.Counter[str] = collections.Counter()
        for tally in self.tallies:
            total.update(tally.errors)
        return total

    def error_text(self) -> str:
        errors = self.errors
        if not errors:
            return "none"
        first = next((t.first_error for t in self.tallies if t.first_error), "")
        return ", ".join(f"{count} × {code}" for code, count in sorted(errors.items())) + (
            f" (first: {first})" if first else ""
        )

    def summary(self) -> str:
        return (
            f"{self.per_second:,.1f} orders/s ({self.orders:,} in {self.seconds:.1f} s), "
            f"p50 {self.percentile(0.5):.1f} ms, p95 {self.percentile(0.95):.1f} ms, "
            f"errors: {self.error_text()}"
        )


@dataclass(frozen=True)
class Task:
    client: int
    buyers: list[tuple[int, str]]
    by_seller: dict[int, list[int]]
    destinations: list[str]
    seconds: float
    prefix: str
    port: int = 0


def _loop(task: Task, place: Any, barrier: Barrier, out: Queue[Tally]) -> None:
    """Place orders one after the other until the deadline; ``place`` returns an error code or ''."""
    rng = random.Random(task.client)
    tally = Tally()
    try:
        barrier.wait()
        tally.started = time.monotonic()
        deadline = tally.started + task.seconds
        while time.monotonic() < deadline:
            buyer = task.buyers[tally.orders % len(task.buyers)]
            lines, destination = _order_input(rng, task.by_seller, task.destinations)
            key = f"{task.prefix}-{task.client}-{tally.orders + sum(tally.errors.values())}"
            began = time.monotonic()
            try:
                error = place(buyer, lines, destination, key)
            except Exception as exception:
                error = getattr(exception, "status", type(exception).__name__)
                tally.first_error = tally.first_error or " ".join(str(exception).split())[:200]
            if error:
                tally.errors[error] += 1
            else:
                tally.orders += 1
                tally.latencies_ms.append((time.monotonic() - began) * 1000)
    finally:
        tally.finished = time.monotonic()
        out.put(tally)


def _direct_worker(task: Task, barrier: Barrier, out: Queue[Tally]) -> None:
    from django.contrib.auth.models import User
    from django.db import connections

    from siliu.commerce.orders.services import order_place
    from siliu.core.errors import DomainError
    from siliu.logistics.parcels.services import Address

    connections.close_all()  # never share the parent's connection across fork
    users = {user.pk: user for user in User.objects.filter(pk__in=[pk for pk, _token in task.buyers])}
    recipient = Address(**RECIPIENT)

    def place(buyer: tuple[int, str], lines: list[tuple[int, int]], destination: str, key: str) -> str:
        user = users[buyer[0]]
        try:
            order_place(
                buyer=user,
                placed_by=user,
                lines=lines,
                recipient=recipient,
                destination_outlet_code=destination,
                idempotency_key=key,
            )
        except DomainError as error:
            return str(getattr(error, "code", type(error).__name__))
        return ""

    _loop(task, place, barrier, out)
    connections.close_all()


def _request(
    port: int, method: str, path: str, headers: dict[str, str], body: bytes | None, status: int
) -> str:
    """One request on a new connection; raises :class:`_StatusError` unless it answers ``status``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers={"Accept": "application/json", **headers})
        response = connection.getresponse()
        payload = response.read()
    finally:
        connection.close()
    if response.status != status:
        raise _StatusError(f"HTTP {response.status}", f"HTTP {response.status}: {payload[:160]!r}")
    return ""


def _http_worker(task: Task, barrier: Barrier, out: Queue[Tally]) -> None:
    def place(buyer: tuple[int, str], lines: list[tuple[int, int]], destination: str, key: str) -> str:
        body = json.dumps(
            {
                "lines": [{"product_id": pk, "quantity": quantity} for pk, quantity in lines],
                "recipient": RECIPIENT,
                "destination_outlet": destination,
                "payment_method": "wallet",
            }
        ).encode()
        headers = {
            "Authorization": f"Token {buyer[1]}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        }
        return _request(task.port, "POST", "/api/v1/orders", headers, body, 201)

    _loop(task, place, barrier, out)


def _health_worker(task: Task, barrier: Barrier, out: Queue[Tally]) -> None:
    """The floor: ``GET /healthz`` (Django, one ``SELECT 1``) through the same server and client loop."""

    def place(buyer: tuple[int, str], lines: list[tuple[int, int]], destination: str, key: str) -> str:
        return _request(task.port, "GET", "/healthz", {}, None, 200)

    _loop(task, place, barrier, out)


class _StatusError(Exception):
    """A non-201 answer; its class name is replaced by the status in the tally."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status


def _run(target: Any, tasks: list[Task]) -> Run:
    return Run(forked_run(target, [(task,) for task in tasks], timeout=tasks[0].seconds + 120))


# --- profile -------------------------------------------------------------------------------------


def _profile(buyer: tuple[int, str], by_seller: dict[int, list[int]], destinations: list[str]) -> str:
    """Statement counts of one order (service, view) and a cProfile of orders through the view."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client

    from siliu.commerce.orders.services import order_place
    from siliu.logistics.parcels.services import Address

    rng = random.Random(99)
    user = User.objects.get(pk=buyer[0])
    client = Client(HTTP_AUTHORIZATION=f"Token {buyer[1]}")
    prefix = f"prof{int(time.time())}"

    def via_view(index: int) -> None:
        lines, destination = _order_input(rng, by_seller, destinations)
        body = {
            "lines": [{"product_id": pk, "quantity": quantity} for pk, quantity in lines],
            "recipient": RECIPIENT,
            "destination_outlet": destination,
        }
        response = client.post(
            "/api/v1/orders", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"{prefix}-{index}"
        )
        assert response.status_code == 201, response.content[:300]

    class Statements(list[str]):
        def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            self.append(sql)
            return execute(sql, params, many, context)

    lines, destination = _order_input(rng, by_seller, destinations)
    service_queries, view_queries = Statements(), Statements()
    with connection.execute_wrapper(service_queries):
        order_place(
            buyer=user,
            placed_by=user,
            lines=lines,
            recipient=Address(**RECIPIENT),
            destination_outlet_code=destination,
            idempotency_key=f"{prefix}-direct",
        )
    via_view(-1)  # warm up
    with connection.execute_wrapper(view_queries):
        via_view(-2)
    tables: collections.Counter[str] = collections.Counter()
    for sql in view_queries:
        verb = sql.split(None, 1)[0].upper() if sql.strip() else "?"
        table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?([a-z_0-9]+)"?', sql)
        tables[f"{verb} {table.group(1) if table else ''}".strip()] += 1
    profiler = cProfile.Profile()
    started = time.monotonic()
    profiler.enable()
    for index in range(PROFILE_ORDERS):
        via_view(index)
    profiler.disable()
    elapsed = time.monotonic() - started
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("cumulative").print_stats(r"siliu/|rest_framework/(views|serializers)|django/test", 40)
    stats.sort_stats("tottime").print_stats(20)
    lines_text = [
        f"one order, {len(lines)} line(s): {len(service_queries)} SQL statements through "
        f"order_place, {len(view_queries)} through the view (Django test client)",
        "statements of the view by kind: " + ", ".join(f"{k} {n}" for k, n in tables.most_common()),
        f"{PROFILE_ORDERS} orders through the view in one process: {elapsed:.1f} s "
        f"({PROFILE_ORDERS / elapsed:.1f}/s, {1000 * elapsed / PROFILE_ORDERS:.1f} ms each)",
        stream.getvalue(),
    ]
    return "\n".join(lines_text)


# --- report --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--seconds", type=float, default=20.0, help="per measurement")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--server-processes", type=int, default=5, help="gunicorn sync workers")
    parser.add_argument("--conn-max-age", type=int, default=60, help="SILIU_CONN_MAX_AGE of the server")
    parser.add_argument("--profile", action="store_true", help="also count statements and run cProfile")
    parser.add_argument("--no-doc", action="store_true", help=f"do not write {DOC.relative_to(PROJECT_DIR)}")
    options = parser.parse_args()
    if not options.database_url.startswith(("postgres://", "postgresql://")):
        print("orders_bench needs a PostgreSQL --database-url (postgres://…).")
        return 1
    if shutil.which("pgbench") is None:
        print("pgbench is not on PATH; install postgresql-client (or contrib).")
        return 1
    command = shlex.join([".venv/bin/python", "bench/orders_bench.py", *sys.argv[1:]])
    load_before = load_average()
    try:
        created = database_create_if_missing(options.database_url)
    except Exception as error:
        print(f"orders_bench: cannot reach PostgreSQL at {options.database_url} ({error}); skipped.")
        return 0
    if created:
        print(f"created database {urlparse(options.database_url).path.lstrip('/')}", flush=True)
    # Each buyer's token places many orders a second: far past its production allowance.
    django_setup(
        database_url=options.database_url,
        bench="orders",
        conn_max_age=options.conn_max_age,
        SILIU_USER_RATE="100000/s",
    )
    from django.core.management import call_command

    machine, postgres = machine_describe()
    print(f"machine: {machine}; load average {load_before}\nPostgreSQL: {postgres}", flush=True)
    call_command("migrate", verbosity=0)
    demo_county_ensure()
    product_ids = _sellers_ensure()
    buyers = _buyers_ensure()
    by_seller = _sellers_of(product_ids)
    destinations = _destinations(product_ids)
    clients, seconds = options.clients, options.seconds
    stamp = f"{int(time.time())}"

    def tasks(kind: str, port: int = 0) -> list[Task]:
        return [
            Task(index, buyers[index::clients], by_seller, destinations, seconds, f"{kind}{stamp}", port)
            for index in range(clients)
        ]

    pgbench_db = f"{urlparse(options.database_url).path.lstrip('/')}_pgbench"
    pgbench_url = with_database(options.database_url, pgbench_db)
    database_recreate(options.database_url, pgbench_db)
    server_text = (
        f"gunicorn, {options.server_processes} sync workers, SILIU_DEBUG=0, "
        f"SILIU_CONN_MAX_AGE={options.conn_max_age}"
    )
    try:
        pgbench_init(pgbench_url)
        tps_before = pgbench_tps(pgbench_url, clients=clients, seconds=PGBENCH_SECONDS)
        print(f"1. pgbench TPC-B-like, -c {clients} -T {PGBENCH_SECONDS}: {tps_before:,.0f} tps", flush=True)
        print(f"2. order_place from {clients} processes, {seconds:.0f} s…", flush=True)
        direct = _run(_direct_worker, tasks("d"))
        print(f"   {direct.summary()}", flush=True)
        server = GunicornServer(workers=options.server_processes)
        try:
            print(
                f"3. POST /api/v1/orders from {clients} clients, {seconds:.0f} s ({server_text})…", flush=True
            )
            over_http = _run(_http_worker, tasks("h", server.port))
            print(f"   {over_http.summary()}", flush=True)
            print(f"   floor: GET /healthz from {clients} clients, {seconds:.0f} s…", flush=True)
            floor = _run(_health_worker, tasks("f", server.port))
            print(f"   {floor.summary().replace('orders/s', 'requests/s')}", flush=True)
        finally:
            server.stop()
        tps_after = pgbench_tps(pgbench_url, clients=clients, seconds=PGBENCH_SECONDS)
        print(f"4. pgbench TPC-B-like, -c {clients} -T {PGBENCH_SECONDS}: {tps_after:,.0f} tps", flush=True)
    finally:
        database_drop(options.database_url, pgbench_db)
    tps = (tps_before + tps_after) / 2

    def row(name: str, run: Run, *, aim: bool = True) -> str:
        ratio = run.per_second / tps
        verdict = ("PASS" if ratio >= RATIO_AIM and not run.errors else "MISS") if aim else "—"
        return (
            f"| {name} | {run.per_second:,.1f} | {run.orders:,} in {run.seconds:.1f} s | "
            f"{run.percentile(0.5):.1f} / {run.percentile(0.95):.1f} | {run.error_text()} | "
            f"{ratio:.3f} | {f'≥ {RATIO_AIM} ×' if aim else '—'} | {verdict} |"
        )

    table = "\n".join(
        [
            "| measurement | orders/s | orders | p50 / p95 ms | errors | × pgbench | aim | verdict |",
            "| --- | ---: | ---: | ---: | --- | ---: | --- | --- |",
            row(f"`POST /api/v1/orders`, {clients} clients over HTTP", over_http),
            row(f"`order_place` direct, {clients} processes (no HTTP)", direct),
            row(f"floor: `GET /healthz` (requests/s), {clients} clients, same server", floor, aim=False),
            f"| pgbench TPC-B-like (scale 10, `-c {clients} -j 2 -T {PGBENCH_SECONDS}`), mean of "
            f"{tps_before:,.0f} before and {tps_after:,.0f} after | {tps:,.0f} tps | — | — | — | 1.000 "
            "| — | — |",
        ]
    )
    section = "\n".join(
        [
            f"Run on {datetime.datetime.now(tz=datetime.UTC):%Y-%m-%d %H:%M} UTC with `{command}`.",
            "",
            f"- Machine: {machine}; load average (1 min) {load_before} before the bench started, "
            f"{load_average()} at its end.",
            f"- PostgreSQL: {postgres}.",
            f"- HTTP server: {server_text}; a new connection per request, the buyer's token.",
            f"- Orders: 1–3 lines from 1–2 of {len(by_seller)} sellers ({len(product_ids)} products), wallet "
            f"payment, a unique Idempotency-Key, {len(buyers)} buyers split between the clients.",
            "",
            table,
        ]
    )
    print()
    print(section)
    if not options.no_doc:
        doc_section_write(DOC, marker="orders_bench", title=DOC_TITLE, section=section)
        print(f"\n(written to {DOC.relative_to(PROJECT_DIR)})")
    if options.profile:
        print()
        print(_profile(buyers[0], by_seller, destinations))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
