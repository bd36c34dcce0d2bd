"""The information flow on PostgreSQL at about ten times the demo's history (issue #13).

The daily figures rebuilt and folded, the county dashboard and a farmer's profile read, beside pgbench
on the same server.

Run: ``.venv/bin/python bench/insight_bench.py`` (``--help`` for the options). It stops by itself.

The county (built once; ``--keep`` leaves it and ``--reuse`` measures it again without building):

1. A fresh database (``--database-url``, default
   ``postgres://postgres@127.0.0.1:5432/siliu_insightbench``), migrated, with ``siliu demo --villages
   160 --orders 2000 --loans 0 --round-seconds 0`` (``--villages``, ``--orders``): a year of orders,
   parcels, scans, settlements and ledger transfers written through the services.
2. That history multiplied in set-based SQL (``INSERT … SELECT … CROSS JOIN generate_series``) until it
   holds about ``--target-orders`` orders (500,000) and ``--target-parcels`` parcels (1,000,000). Copy
   *k* of a row keeps every column the figures read (postage, weights, direction, status, goods,
   commission, claim kind and amount), puts a village station's rows at the station *k* along (and
   its counter cash in that station's drawer), and moves all its times (placed, accepted, delivered,
   promised, settled, filed, paid, the transfer's and the event's) on by ``(53 k mod 365)`` days and
   ``(131 k mod 1440)`` minutes, or by a year less where the time of the order it belongs with (else
   its own) would pass the demo's end: each copy is the demo's year again, begun on another day at
   other stations, with every related row moved alike. The demo files no claims and opens no trace
   pages: claims on 20 parcels in 10,000 and 0–12 opens a day of each batch's page are added. The
   first copies carry whole orders (order, shipment, parcel, settlement, claims, events); the rest
   only parcels (and their claims and scan events), as parcels handed in at the counter; the ledger's
   transfers are copied with the orders, the outbox's events with their rows, all marked folded. The
   ledger does not balance after this (no entries are copied): the figures never read it. Order lines,
   order and scan history rows are not copied either (no figure reads them). Foreign keys are not
   checked while copying (``session_replication_role = replica``): each copy points at the copy of
   its rows by construction. Then ``VACUUM ANALYZE``.

What is measured, on that county, in one process through Django (``SILIU_DEBUG=0``):

- ``facts_rebuild`` of the whole year, once (the figures of the copies are written by it);
- ``events_fold`` of a burst of ``--burst`` events (1,000) of one day — the outbox's rows of that day
  appended again, unfolded, as the services would append them — ``--bursts`` times on different
  days, each followed by ``facts_check`` of the day (which must find no difference);
- ``county_summary`` (what the dashboard page and ``GET /api/v1/insight/summary`` read) for the last
  30 days and the last 365, for the whole county and for one township, ``--repeats`` times each;
- a farmer's profile for ``--sellers`` sellers (from the busiest to the quietest), ``--repeats``
  times each: ``siliu.insight.profiles.selectors.seller_profile`` when it exists, else the reads a
  profile needs (:func:`profile_read`): the seller's figures by month over twelve months, and its
  distinct and repeat buyers over those months.

Each read is timed from the call to its return (one untimed call first); p50, p95 and max in ms.
``pgbench`` TPC-B-like (scale 10, 2 clients) runs before and after on ``<name>_pgbench`` on the same
server. ``--explain`` prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the three slowest statements of each
read. The results go between markers into ``docs/benchmarks.md`` (``--no-doc``: not). The databases
are dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import math
import shlex
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from _support import (
    PROJECT_DIR,
    database_drop,
    database_recreate,
    django_setup,
    doc_section_write,
    load_average,
    machine_describe,
    percentile,
    pgbench_init,
    pgbench_tps,
    with_database,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/siliu_insightbench"
DOC = PROJECT_DIR / "docs" / "benchmarks.md"
DOC_TITLE = "# Benchmarks"
#: What the database's comment says once the county is built (``--reuse`` looks for it).
MARK = "insight_bench"
#: The aim of issue #13 for every read.
AIM_MS = 300.0
PGBENCH_CLIENTS = 2
#: Tables the figures read, counted in the report.
COUNTED = (
    ("commerce_order", "orders"),
    ("commerce_shipment", "shipments"),
    ("logistics_parcel", "parcels"),
    ("commerce_settlement", "settlements"),
    ("logistics_claim", "claims"),
    ("finance_transfer", "transfers"),
    ("core_event", "events"),
    ("insight_outletday", "outlet figures (OutletDay)"),
    ("insight_sellerday", "seller figures (SellerDay)"),
)


# --- the county ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class County:
    """What was built: the demo's "today", and how many copies of what."""

    today: datetime.date
    demo_orders: int
    order_copies: int
    parcel_copies: int
    build_seconds: float

    def as_json(self) -> str:
        return json.dumps({MARK: {**self.__dict__, "today": self.today.isoformat()}}, separators=(",", ":"))

    @classmethod
    def from_comment(cls, comment: str | None) -> County | None:
        try:
            data = json.loads(comment or "")[MARK]
            return cls(**{**data, "today": datetime.date.fromisoformat(data["today"])})
        except (ValueError, KeyError, TypeError):
            return None


def _admin(url: str) -> Any:
    import psycopg

    return psycopg.connect(with_database(url, "postgres"), autocommit=True)


def county_built(url: str) -> County | None:
    """The county already in the database of ``url``, as its comment describes it, or None."""
    name = urlparse(url).path.lstrip("/")
    with _admin(url) as connection:
        row = connection.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
    return County.from_comment(row[0]) if row else None


def _mark(url: str, county: County) -> None:
    name = urlparse(url).path.lstrip("/")
    with _admin(url) as connection:
        connection.execute(f"COMMENT ON DATABASE \"{name}\" IS '{county.as_json()}'")


def _columns(table: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        return [column.name for column in connection.introspection.get_table_description(cursor, table)]


#: How far copy ``k`` is moved on in time: whole days and minutes, the same for every time of a row
#: and of the rows it belongs with (an order's shipments, parcels, settlements, claims and events).
SHIFT = "(((k * 53) % 365) * interval '1 day' + ((k * 131) % 1440) * interval '1 minute')"


def _copy(
    table: str,
    *,
    copies: tuple[int, int],
    overrides: dict[str, str],
    times: tuple[str, ...] = (),
    anchor: str = "src.created_at",
    joins: str = "",
    where: str = "",
    end: str = "",
) -> int:
    """Insert copies ``copies[0]``…``copies[1]`` of the rows of ``table`` (``where``): each column as it
    is, or the SQL expression of ``overrides`` (over ``src``, ``k`` and ``joins``), ``times`` moved on
    by :data:`SHIFT`, or by a year less when ``anchor`` (the time of the row the copy belongs with)
    would be moved past ``end``: each copy is the year again, begun on another day. The number of
    rows inserted."""
    from django.db import connection

    first, last = copies
    if first > last:
        return 0
    expressions = []
    for column in (columns := _columns(table)):
        if column in overrides:
            expressions.append(overrides[column])
        elif column in times:
            expressions.append(f"src.{column} + moved.by")
        else:
            expressions.append(f"src.{column}")
    moved = (
        f"CROSS JOIN LATERAL (SELECT CASE WHEN {anchor} + {SHIFT} > '{end}'::timestamptz "
        f"THEN {SHIFT} - interval '365 days' ELSE {SHIFT} END AS by) AS moved"
    )
    with connection.cursor() as cursor, _indexes_set_aside(table):
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(expressions)} "
            f"FROM {table} src CROSS JOIN generate_series({first}, {last}) AS k {joins} {moved} "
            f"{f'WHERE {where}' if where else ''}"
        )
        return cursor.rowcount


def _maps_create(copies: int) -> None:
    """``bench_station_map``: which village station copy ``k`` of a row of station ``old`` is at
    (``k`` stations further along, so the copies spread over every station), and
    ``bench_cash_map``: the same for the stations' cash accounts."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE TEMP TABLE bench_station_map AS
            WITH stations AS (
                SELECT id, row_number() OVER (ORDER BY id) - 1 AS n, count(*) OVER () AS total
                FROM network_outlet WHERE kind = 'village_station')
            SELECT k AS nth, s.id AS old, t.id AS new
            FROM stations s CROSS JOIN generate_series(1, {copies}) AS k
            JOIN stations t ON t.n = (s.n + k) % s.total
            """
        )
        cursor.execute("CREATE UNIQUE INDEX ON bench_station_map (nth, old)")
        cursor.execute(
            f"""
            CREATE TEMP TABLE bench_cash_map AS
            SELECT m.nth, a.id AS old, b.id AS new FROM bench_station_map m
            JOIN finance_account a ON a.owner_outlet_id = m.old AND a.code LIKE '{OUTLET_CASH}%'
            JOIN finance_account b ON b.owner_outlet_id = m.new AND b.code LIKE '{OUTLET_CASH}%'
            """
        )
        cursor.execute("CREATE UNIQUE INDEX ON bench_cash_map (nth, old)")
        cursor.execute("ANALYZE bench_station_map")
        cursor.execute("ANALYZE bench_cash_map")


OUTLET_CASH = "cash:"


def _station(column: str, alias: str) -> tuple[str, str]:
    """The join and the expression that put ``src.column`` (an outlet) at copy ``k``'s station."""
    return (
        f"LEFT JOIN bench_station_map {alias} ON {alias}.nth = k AND {alias}.old = src.{column}",
        f"COALESCE({alias}.new, src.{column})",
    )


def _cash(column: str, alias: str) -> tuple[str, str]:
    return (
        f"LEFT JOIN bench_cash_map {alias} ON {alias}.nth = k AND {alias}.old = src.{column}",
        f"COALESCE({alias}.new, src.{column})",
    )


#: The order a parcel (``parcel``) was sent for, if any: its copies move with the order.
PARCEL_ORDER = (
    "LEFT JOIN commerce_shipment rs ON rs.parcel_id = {parcel} "
    "LEFT JOIN commerce_order ro ON ro.id = rs.order_id"
)


@contextmanager
def _indexes_set_aside(table: str) -> Iterator[None]:
    """Drop the indexes of ``table`` that back no constraint, and build them again after: one sort
    per index instead of a million insertions into each."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = %s::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _name, definition in indexes:
                cursor.execute(definition)


def _scalar(sql: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return int(cursor.fetchone()[0] or 0)


def history_multiply(*, target_orders: int, target_parcels: int) -> tuple[int, int]:
    """Copy the demo's year until it holds about ``target_orders`` orders and ``target_parcels``
    parcels (see the module's docstring); the number of order copies and of parcel copies."""
    from django.db import connection

    claims_add()
    orders = _scalar("SELECT count(*) FROM commerce_order")
    parcels = _scalar("SELECT count(*) FROM logistics_parcel")
    order_copies = max(0, math.ceil(target_orders / orders) - 1)
    parcel_copies = max(order_copies, math.ceil(target_parcels / parcels) - 1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(created_at) FROM commerce_order")
        end = cursor.fetchone()[0].isoformat()
    # Copy k of a row with id i gets id i + k × stride: unique, and the same for its related rows.
    stride = {
        table: _scalar(f"SELECT max(id) FROM {table}") + 1
        for table in (
            "commerce_order",
            "commerce_shipment",
            "logistics_parcel",
            "commerce_settlement",
            "logistics_claim",
            "core_event",
        )
    }
    o, s, p = stride["commerce_order"], stride["commerce_shipment"], stride["logistics_parcel"]
    settlement, claim, event = stride["commerce_settlement"], stride["logistics_claim"], stride["core_event"]
    with_orders, all_parcels = (1, order_copies), (1, parcel_copies)
    _maps_create(parcel_copies)
    origin, destination, last = (
        _station("origin_outlet_id", "mo"),
        _station("destination_outlet_id", "md"),
        _station("last_outlet_id", "ml"),
    )
    debit, credit = _cash("debit_account_id", "cd"), _cash("credit_account_id", "cc")
    parcel_anchor = "COALESCE(ro.created_at, src.created_at)"
    claim_joins = "JOIN logistics_parcel rp ON rp.id = src.parcel_id " + PARCEL_ORDER.format(parcel="rp.id")
    claim_anchor = "COALESCE(ro.created_at, rp.created_at)"
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        steps: list[tuple[str, Callable[[], int]]] = [
            (
                "parcels",
                functools.partial(
                    _copy,
                    "logistics_parcel",
                    copies=all_parcels,
                    overrides={
                        "id": f"src.id + k * {p}",
                        "tracking_number": f"'XB' || (src.id + k * {p}) || 'CN'",
                        "idempotency_key": "''",
                        "partner_tracking_number": "CASE WHEN src.partner_id IS NULL THEN "
                        "src.partner_tracking_number ELSE src.partner_tracking_number || '~' || k END",
                        "origin_outlet_id": origin[1],
                        "destination_outlet_id": destination[1],
                        "last_outlet_id": last[1],
                    },
                    times=(
                        "created_at",
                        "accepted_at",
                        "delivered_at",
                        "last_event_at",
                        "promised_at",
                        "exception_flagged_at",
                        "cod_collected_at",
                        "cod_remitted_at",
                    ),
                    joins=" ".join(
                        (PARCEL_ORDER.format(parcel="src.id"), origin[0], destination[0], last[0])
                    ),
                    anchor=parcel_anchor,
                    end=end,
                ),
            ),
            (
                "orders",
                functools.partial(
                    _copy,
                    "commerce_order",
                    copies=with_orders,
                    overrides={
                        "id": f"src.id + k * {o}",
                        "number": f"'X' || (src.id + k * {o})",
                        "idempotency_key": "''",
                        "destination_outlet_id": destination[1],
                    },
                    times=("created_at", "paid_at", "delivered_at", "completed_at"),
                    joins=destination[0],
                    end=end,
                ),
            ),
            (
                "shipments",
                functools.partial(
                    _copy,
                    "commerce_shipment",
                    copies=with_orders,
                    overrides={
                        "id": f"src.id + k * {s}",
                        "order_id": f"src.order_id + k * {o}",
                        "parcel_id": f"src.parcel_id + k * {p}",
                    },
                    anchor="now()",
                    end=end,
                ),
            ),
            (
                "settlements",
                functools.partial(
                    _copy,
                    "commerce_settlement",
                    copies=with_orders,
                    overrides={"id": f"src.id + k * {settlement}", "order_id": f"src.order_id + k * {o}"},
                    times=("settled_at",),
                    joins="JOIN commerce_order ro ON ro.id = src.order_id",
                    anchor="ro.created_at",
                    end=end,
                ),
            ),
            (
                "claims",
                functools.partial(
                    _copy,
                    "logistics_claim",
                    copies=all_parcels,
                    overrides={"id": f"src.id + k * {claim}", "parcel_id": f"src.parcel_id + k * {p}"},
                    times=("created_at", "decided_at", "paid_at"),
                    joins=claim_joins,
                    anchor=claim_anchor,
                    end=end,
                ),
            ),
            (
                "transfers",
                functools.partial(
                    _copy,
                    "finance_transfer",
                    copies=with_orders,
                    overrides={
                        "id": "src.id || ':x' || k",
                        "pending_transfer_id": "src.pending_transfer_id || ':x' || k",
                        "debit_account_id": debit[1],
                        "credit_account_id": credit[1],
                    },
                    times=("created_at", "expires_at", "resolved_at"),
                    joins=f"{debit[0]} {credit[0]}",
                    end=end,
                ),
            ),
        ]
        # The outbox: each event with the copies of the row it names, folded (the rebuild counts them).
        for family, copies, ref, joins, anchor in (
            (
                "order",
                with_orders,
                f"(src.ref::bigint + k * {o})::text",
                "JOIN commerce_order ro ON ro.id::text = src.ref",
                "ro.created_at",
            ),
            (
                "parcel",
                all_parcels,
                f"(src.ref::bigint + k * {p})::text",
                "JOIN logistics_parcel rp ON rp.id::text = src.ref " + PARCEL_ORDER.format(parcel="rp.id"),
                claim_anchor,
            ),
            (
                "claim",
                all_parcels,
                f"(src.ref::bigint + k * {claim})::text",
                "JOIN logistics_claim rc ON rc.id::text = src.ref "
                "JOIN logistics_parcel rp ON rp.id = rc.parcel_id " + PARCEL_ORDER.format(parcel="rp.id"),
                claim_anchor,
            ),
            (
                "cash",
                with_orders,
                "src.ref || ':x' || k",
                "JOIN finance_transfer rt ON rt.id = src.ref",
                "rt.created_at",
            ),
        ):
            steps.append(
                (
                    f"{family} events",
                    functools.partial(
                        _copy,
                        "core_event",
                        copies=copies,
                        overrides={
                            "id": f"src.id + k * {event}",
                            "ref": ref,
                            "folded_at": "src.occurred_at + moved.by",
                        },
                        times=("occurred_at",),
                        joins=joins,
                        anchor=anchor,
                        where=f"src.kind LIKE '{family}.%'",
                        end=end,
                    ),
                )
            )
        for name, step in steps:
            started = time.perf_counter()
            count = step()
            print(f"    {name}: {count:,} rows copied in {time.perf_counter() - started:.1f} s", flush=True)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
    with connection.cursor() as cursor:
        for table in stride:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    opens = trace_opens_add()
    print(f"    trace page opens: {opens:,} events", flush=True)
    return order_copies, parcel_copies


#: One parcel in this many gets a claim (the demo files none): 20 per 10,000 parcels.
CLAIM_EVERY = 500


def claims_add() -> int:
    """Claims on one parcel in :data:`CLAIM_EVERY` of those accepted over a month before the end: loss,
    damage or delay in turn, filed three days after acceptance; half paid (three times the postage,
    five days after filing), the rest approved, rejected or waiting; one outbox event each."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO logistics_claim (parcel_id, kind, status, claimant_id, claimed_loss_fen,
                damage_share_bp, description, evidence, compensation_fen, decided_by_id, decided_at,
                decision_note, paid_at, created_at)
            SELECT p.id, (ARRAY['loss', 'damage', 'delay'])[1 + (p.id / {CLAIM_EVERY}) % 3], s.status,
                s.claimant, p.postage_fen * 3, 10000, '', '[]',
                CASE WHEN s.status IN ('approved', 'paid') THEN p.postage_fen * 3 ELSE 0 END,
                CASE WHEN s.status <> 'submitted' THEN s.claimant END,
                CASE WHEN s.status <> 'submitted' THEN p.accepted_at + interval '5 days' END, '',
                CASE WHEN s.status = 'paid' THEN p.accepted_at + interval '8 days' END,
                p.accepted_at + interval '3 days'
            FROM logistics_parcel p
            CROSS JOIN LATERAL (
                SELECT (ARRAY['paid', 'paid', 'paid', 'paid', 'paid', 'approved', 'approved', 'rejected',
                              'rejected', 'submitted'])[1 + (p.id / {CLAIM_EVERY} / 3) % 10] AS status,
                       COALESCE(p.sender_user_id, p.created_by_id, (SELECT min(id) FROM auth_user))
                           AS claimant
            ) s
            WHERE p.id % {CLAIM_EVERY} = 0 AND p.accepted_at < (SELECT max(accepted_at) FROM
                logistics_parcel) - interval '30 days'
            """
        )
        added = cursor.rowcount
        cursor.execute(
            "INSERT INTO core_event (kind, ref, occurred_at, folded_at) "
            "SELECT 'claim.' || status, id::text, created_at, created_at FROM logistics_claim"
        )
    return added


#: Trace pages opened per batch and day, at most (the demo records none).
TRACE_OPENS_PER_DAY = 12


def trace_opens_add() -> int:
    """Opens of each trace batch's public page on every day from its registration to the end, 0 to
    :data:`TRACE_OPENS_PER_DAY` a day (folded)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO core_event (kind, ref, occurred_at, folded_at)
            SELECT 'trace.opened', b.code, d + n * interval '37 minutes', d + n * interval '37 minutes'
            FROM commerce_tracebatch b
            CROSS JOIN LATERAL generate_series(
                b.created_at, (SELECT max(created_at) FROM commerce_order) - interval '1 day',
                interval '1 day') AS d
            CROSS JOIN LATERAL generate_series(1, (b.id * 7 + extract(doy FROM d)::int)
                % ({TRACE_OPENS_PER_DAY} + 1)) AS n
            """
        )
        return cursor.rowcount


def county_build(url: str, options: argparse.Namespace) -> County:
    """The demo county in the (new) database of ``url``, its history multiplied, vacuumed."""
    from django.core.management import call_command
    from django.utils import timezone

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    print(
        f"  siliu demo --villages {options.villages} --orders {options.orders} --loans 0 "
        f"--round-seconds 0 --today {today}…",
        flush=True,
    )
    call_command(
        "demo",
        villages=options.villages,
        orders=options.orders,
        loans=0,
        round_seconds=0,
        today=today,
        force=True,
        verbosity=0,
        stdout=_Quiet(),
    )
    demo_seconds = time.perf_counter() - started
    demo_orders = _scalar("SELECT count(*) FROM commerce_order")
    print(f"  demo county in {demo_seconds:.0f} s; multiplying its history…", flush=True)
    order_copies, parcel_copies = history_multiply(
        target_orders=options.target_orders, target_parcels=options.target_parcels
    )
    vacuum_started = time.perf_counter()
    _vacuum()
    print(f"  VACUUM ANALYZE in {time.perf_counter() - vacuum_started:.0f} s", flush=True)
    return County(
        today=today,
        demo_orders=demo_orders,
        order_copies=order_copies,
        parcel_copies=parcel_copies,
        build_seconds=round(time.perf_counter() - started, 1),
    )


class _Quiet:
    """Where the demo's progress lines go (the bench prints its own)."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def _vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def table_counts() -> dict[str, int]:
    return {table: _scalar(f"SELECT count(*) FROM {table}") for table, _label in COUNTED}


# --- the measurements ----------------------------------------------------------------------------


@dataclass
class Case:
    """One read, timed ``repeats`` times."""

    name: str
    first_ms: float = 0.0
    times_ms: list[float] = field(default_factory=list)

    def p(self, share: float) -> float:
        return percentile(self.times_ms, share)

    @property
    def max_ms(self) -> float:
        return max(self.times_ms) if self.times_ms else float("nan")


class _StatementTimer:
    """Every statement run while it is installed, with its time (``connection.execute_wrapper``)."""

    def __init__(self) -> None:
        self.statements: list[tuple[float, str, Any]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((time.perf_counter() - started, sql, params))


def _explain(read: Callable[[], Any], *, slowest: int = 3) -> str:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of the ``slowest`` statements of one call of ``read``."""
    from django.db import connection

    timer = _StatementTimer()
    with connection.execute_wrapper(timer):
        read()
    total_ms = sum(seconds for seconds, _sql, _params in timer.statements) * 1000
    lines = [f"      {len(timer.statements)} statements, {total_ms:.1f} ms"]
    for seconds, sql, params in sorted(timer.statements, key=lambda item: -item[0])[:slowest]:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = "\n".join(f"        {row[0]}" for row in cursor.fetchall())
        lines.append(f"      {seconds * 1000:.1f} ms: {sql[:300]}\n{plan}")
    return "\n".join(lines)


def measure(name: str, read: Callable[[], Any], *, repeats: int, explain: bool) -> Case:
    case = Case(name)
    started = time.perf_counter()
    read()
    case.first_ms = (time.perf_counter() - started) * 1000
    for _ in range(repeats):
        started = time.perf_counter()
        read()
        case.times_ms.append((time.perf_counter() - started) * 1000)
    print(
        f"    {name}: p50 {case.p(0.5):.1f} / p95 {case.p(0.95):.1f} / max {case.max_ms:.1f} ms "
        f"(first {case.first_ms:.1f})",
        flush=True,
    )
    if explain:
        print(_explain(read), flush=True)
    return case


def profile_read(seller_id: int, *, today: datetime.date) -> dict[str, Any]:
    """What a farmer's profile reads when ``siliu.insight.profiles.selectors`` has no
    ``seller_profile``: the seller's figures by month over the twelve months ending ``today``, and
    its buyers over those months (distinct, and those who ordered more than once)."""
    from django.db.models import Count, Sum
    from django.db.models.functions import TruncMonth

    from siliu.commerce.models import Order
    from siliu.insight.facts.compute import GONE, day_bounds
    from siliu.insight.models import SellerDay

    first = (today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)
    months: dict[tuple[datetime.date, str], int] = {
        (row["month"], row["measure"]): row["total"]
        for row in SellerDay.objects.filter(seller_id=seller_id, day__gte=first, day__lte=today)
        .order_by()
        .values("measure", month=TruncMonth("day"))
        .annotate(total=Sum("value"))
    }
    start, end = day_bounds(first, today)
    per_buyer = list(
        Order.objects.filter(shipments__seller_id=seller_id, created_at__gte=start, created_at__lt=end)
        .exclude(status__in=GONE)
        .order_by()
        .values("buyer_id")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    return {
        "months": months,
        "buyers": len(per_buyer),
        "repeat_buyers": sum(1 for n in per_buyer if n > 1),
    }


def profile_reader(today: datetime.date) -> tuple[str, Callable[[int], Any]]:
    """The profile's read: the profile app's selector when it exists, else :func:`profile_read`."""
    import importlib

    try:
        selectors: Any = importlib.import_module("siliu.insight.profiles.selectors")
    except ImportError:
        selectors = None
    found = getattr(selectors, "seller_profile", None)
    if callable(found):
        return "siliu.insight.profiles.selectors.seller_profile", lambda seller_id: _call_profile(
            found, seller_id, today
        )
    return "bench/insight_bench.py:profile_read", lambda seller_id: profile_read(seller_id, today=today)


def _call_profile(selector: Callable[..., Any], seller_id: int, today: datetime.date) -> Any:
    from siliu.commerce.models import Seller

    return selector(seller=Seller.objects.get(pk=seller_id), today=today)


def sellers_spread(count: int) -> list[tuple[int, str, int]]:
    """``count`` sellers from the busiest to the quietest (by shipments): id, name, shipments."""
    from django.db.models import Count

    from siliu.commerce.models import Seller

    ranked = list(
        Seller.objects.annotate(n=Count("shipments"))
        .filter(n__gt=0)
        .order_by("-n", "pk")
        .values_list("pk", "name", "n")
    )
    if len(ranked) <= count:
        return ranked
    step = (len(ranked) - 1) / max(1, count - 1)
    return [ranked[round(index * step)] for index in range(count)]


@dataclass(frozen=True)
class Burst:
    day: datetime.date
    events: int
    fold_seconds: float
    check_seconds: float
    differences: int


def burst_fold(day: datetime.date, *, size: int) -> Burst:
    """Append ``size`` events of ``day`` again (drawn from the outbox's rows of that day), fold them,
    then check the day against a rebuild."""
    from django.db import connection

    from siliu.insight.facts.compute import day_bounds
    from siliu.insight.facts.services import FOLD_BATCH, events_fold, facts_check

    start, end = day_bounds(day, day)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_event (kind, ref, occurred_at, folded_at) "
            "SELECT kind, ref, occurred_at, NULL FROM core_event "
            "WHERE occurred_at >= %s AND occurred_at < %s ORDER BY random() LIMIT %s",
            [start, end, size],
        )
        appended = cursor.rowcount
    started = time.perf_counter()
    folded = 0
    while batch := events_fold(limit=FOLD_BATCH):
        folded += batch
    fold_seconds = time.perf_counter() - started
    assert folded == appended, f"folded {folded} of {appended} events"
    started = time.perf_counter()
    check = facts_check(day, day, repair=False)
    return Burst(day, folded, fold_seconds, time.perf_counter() - started, check.differences)


# --- the report ----------------------------------------------------------------------------------


@contextmanager
def _pgbench_database(url: str) -> Iterator[str]:
    name = f"{urlparse(url).path.lstrip('/')}_pgbench"
    database_recreate(url, name)
    try:
        pgbench_init(with_database(url, name))
        yield with_database(url, name)
    finally:
        database_drop(url, name)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="the bench's own database")
    parser.add_argument("--villages", type=int, default=160, help="siliu demo --villages")
    parser.add_argument("--orders", type=int, default=2000, help="siliu demo --orders")
    parser.add_argument("--target-orders", type=int, default=500_000, help="orders after copying")
    parser.add_argument("--target-parcels", type=int, default=1_000_000, help="parcels after copying")
    parser.add_argument("--repeats", type=int, default=50, help="timed calls of each read")
    parser.add_argument("--sellers", type=int, default=5, help="sellers whose profile is read")
    parser.add_argument("--burst", type=int, default=1000, help="events in one fold")
    parser.add_argument("--bursts", type=int, default=3, help="folds, one day each")
    parser.add_argument("--pgbench-seconds", type=int, default=20, help="split before and after")
    parser.add_argument("--reuse", action="store_true", help="measure the county left by --keep")
    parser.add_argument("--keep", action="store_true", help="leave the databases for --reuse")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each read's slowest SQL")
    parser.add_argument("--no-doc", action="store_true", help=f"do not write {DOC.relative_to(PROJECT_DIR)}")
    options = parser.parse_args()
    url = options.database_url
    if not url.startswith(("postgres://", "postgresql://")):
        print("insight_bench needs a PostgreSQL --database-url (postgres://…).")
        return 1
    if shutil.which("pgbench") is None:
        print("pgbench is not on PATH; install postgresql-client (or contrib).")
        return 1
    command = shlex.join([".venv/bin/python", "bench/insight_bench.py", *sys.argv[1:]])
    load_before = load_average()
    name = urlparse(url).path.lstrip("/")
    county = county_built(url) if options.reuse else None
    if county is None:
        database_recreate(url, name)
    django_setup(database_url=url, bench="insight", conn_max_age=0)
    machine, postgres = machine_describe()
    print(f"machine: {machine}; load average {load_before}\nPostgreSQL: {postgres}", flush=True)
    if county is None:
        print(f"building the county in {name}…", flush=True)
        county = county_build(url, options)
        _mark(url, county)
    else:
        print(f"reusing the county in {name} (built in {county.build_seconds:.0f} s)", flush=True)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # the indexes of a newer checkout
    try:
        return _measure(
            url, county, options, command=command, machine=machine, postgres=postgres, load_before=load_before
        )
    finally:
        from django.db import connections

        connections.close_all()
        if not options.keep:
            database_drop(url, name)


def _measure(
    url: str,
    county: County,
    options: argparse.Namespace,
    *,
    command: str,
    machine: str,
    postgres: str,
    load_before: str,
) -> int:
    from django.db import connections

    from siliu.insight.dashboard.selectors import Period, county_summary
    from siliu.insight.facts.services import facts_rebuild, history_days
    from siliu.network.models import Region, RegionLevel

    today = county.today
    repeats, half = options.repeats, max(1, options.pgbench_seconds // 2)
    with _pgbench_database(url) as pgbench_url:
        connections.close_all()
        tps_before = pgbench_tps(pgbench_url, clients=PGBENCH_CLIENTS, seconds=half)
        print(f"1. pgbench TPC-B-like, -c {PGBENCH_CLIENTS} -T {half}: {tps_before:,.0f} tps", flush=True)
        days = history_days()
        assert days is not None
        first_day = days[0]
        started = time.perf_counter()
        figures = facts_rebuild(first_day, today)
        rebuild_seconds = time.perf_counter() - started
        _vacuum()
        print(f"2. facts_rebuild {first_day}…{today}: {figures:,} figures in {rebuild_seconds:.1f} s")
        counts = table_counts()
        print("   " + ", ".join(f"{label} {counts[table]:,}" for table, label in COUNTED), flush=True)
        bursts = []
        for offset in range(options.bursts):
            burst = burst_fold(today - datetime.timedelta(days=2 + 7 * offset), size=options.burst)
            bursts.append(burst)
            print(
                f"3. events_fold of {burst.events:,} events of {burst.day}: {burst.fold_seconds:.2f} s; "
                f"facts_check of the day {burst.check_seconds:.2f} s, {burst.differences} differences",
                flush=True,
            )
        township = Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code").first()
        assert township is not None
        month = Period(today - datetime.timedelta(days=29), today)
        year = Period(today - datetime.timedelta(days=364), today)
        print(f"4. county_summary, {repeats} calls each…", flush=True)
        cases = [
            measure(
                f"`county_summary` {label}, {where}",
                functools.partial(county_summary, period, township=region),
                repeats=repeats,
                explain=options.explain,
            )
            for period, label in ((month, "30 days"), (year, "365 days"))
            for region, where in ((None, "whole county"), (township, f"township {township.name}"))
        ]
        profile_name, profile = profile_reader(today)
        sellers = sellers_spread(options.sellers)
        print(f"5. farmer profile through {profile_name}, {repeats} calls per seller…", flush=True)
        for seller_id, _seller_name, shipments in sellers:
            cases.append(
                measure(
                    f"profile of seller {seller_id} ({shipments:,} shipments)",
                    functools.partial(profile, seller_id),
                    repeats=repeats,
                    explain=options.explain,
                )
            )
        connections.close_all()
        tps_after = pgbench_tps(pgbench_url, clients=PGBENCH_CLIENTS, seconds=half)
        print(f"6. pgbench TPC-B-like, -c {PGBENCH_CLIENTS} -T {half}: {tps_after:,.0f} tps", flush=True)
    load_after = load_average()
    rows = [
        "| read | p50 ms | p95 ms | max ms | first ms | aim p95 < 300 ms |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
        *(
            f"| {case.name} | {case.p(0.5):.1f} | {case.p(0.95):.1f} | {case.max_ms:.1f} | "
            f"{case.first_ms:.1f} | {'✔' if case.p(0.95) < AIM_MS else '✘'} |"
            for case in cases
        ),
    ]
    size = ", ".join(f"{label} {counts[table]:,}" for table, label in COUNTED)
    section = "\n".join(
        [
            f"Run of {datetime.datetime.now(tz=datetime.UTC):%Y-%m-%d %H:%M} UTC: `{command}`.",
            "",
            f"- Machine: {machine}; load average (1 min) {load_before} before, {load_after} after.",
            f"- PostgreSQL: {postgres}; pgbench TPC-B-like (scale 10, `-c {PGBENCH_CLIENTS} -j 2 "
            f"-T {half}`) {tps_before:,.0f} tps before, {tps_after:,.0f} after.",
            f"- County: demo of {options.villages} villages and {county.demo_orders:,} orders "
            f"ending {today}, orders copied {county.order_copies}×, parcels {county.parcel_copies}× "
            f"(built in {county.build_seconds:.0f} s). Rows: {size}.",
            f"- `facts_rebuild` of {first_day}…{today}: {figures:,} figures in {rebuild_seconds:.1f} s.",
            *(
                f"- `events_fold` of {burst.events:,} events of {burst.day}: {burst.fold_seconds:.2f} s; "
                f"`facts_check` of that day {burst.check_seconds:.2f} s, {burst.differences} differences."
                for burst in bursts
            ),
            f"- Reads: {repeats} timed calls each after one untimed; profiles through `{profile_name}`.",
            "",
            *rows,
        ]
    )
    print()
    print(section)
    if not options.no_doc:
        doc_section_write(DOC, marker="insight", title=DOC_TITLE, section=section)
        print(f"\n(written to {DOC.relative_to(PROJECT_DIR)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
