"""Scan ingestion and tracking lookups on PostgreSQL, against the aims of issue 4.

Run: ``.venv/bin/python bench/logistics_bench.py`` (``make bench``). It stops by itself in about two
minutes once the parcels exist (the first run also creates them, printing how long that takes).

Setup, kept between runs: the database (``--database-url``, default
``postgres://postgres@127.0.0.1:5432/siliu_bench_logistics``; created if missing, then migrated), the
demo county (seed 2026, 160 villages; it has the trunk routes) and ``--parcels`` parcels (default
20,000) between random village stations, made with ``parcel_create`` (postage paid through an order,
so no wallets). Every run first wipes the scans of the previous run, so each starts from the same state.

Measurements, each bounded by ``--seconds`` (default 20):

1. ``scans_record`` called directly from one process.
2. The same from ``--workers`` processes (each with its own connection).
3. ``POST /api/v1/scans`` over HTTP from ``--workers`` client processes, with the courier's token.
4. ``GET /api/v1/parcels/{number}/events`` at a fixed offered rate (open loop, 200/s), alone.
5. The same while one more client posts scan batches as fast as the server takes them.

Every scan batch holds 500 events: 474 new ones (journey steps EMA, EDD, EDE, EMG, EDG, EMI, two steps
each for 237 parcels at three stages of the journey) and 26 (5 %) that the device sends again.
The HTTP server is the Django WSGI app under gunicorn, the production server (``--server-processes``
sync workers, default 6, so a lookup never waits behind a scan batch in the same process), run with
``SILIU_DEBUG=0``, ``SILIU_CONN_MAX_AGE`` (``--conn-max-age``, default 60: a persistent connection per
worker) and a public rate limit high enough never to answer 429.
The table is printed and written between markers into ``docs/benchmarks-logistics.md``.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import multiprocessing
import random
import shlex
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Any
from urllib.parse import urlparse

from _support import (
    PROJECT_DIR,
    GunicornServer,
    database_create_if_missing,
    demo_county_ensure,
    django_setup,
    doc_section_write,
    forked_run,
    load_average,
    machine_describe,
    percentile,
)

DOC = PROJECT_DIR / "docs" / "benchmarks-logistics.md"
DOC_TITLE = "## Logistics: scan ingestion and tracking lookups"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/siliu_bench_logistics"

BATCH_SIZE = 500
DUPLICATE_SHARE = 0.05
JOURNEY = ("EMA", "EDD", "EDE", "EMG", "EDG", "EMI")
#: Journey steps per batch for one parcel, and stages of the journey in flight in one batch.
STEPS_PER_SLICE = 2
STAGES = len(JOURNEY) // STEPS_PER_SLICE
NEW_PER_BATCH = (BATCH_SIZE - round(BATCH_SIZE * DUPLICATE_SHARE)) // STEPS_PER_SLICE * STEPS_PER_SLICE
PRODUCTS = ("express", "ecommerce", "parcel")
CREATE_CHUNK = 500

SCAN_AIM_PER_SECOND = 5_000
LOOKUP_RATE = 200
LOOKUP_P99_AIM_MS = 20.0
LOOKUP_THREADS = 16
#: A per-second window keeps DRF's throttle history (a list of timestamps per client) short; the lookups
#: (one address) and the courier's token (one user) are far past their production allowances.
PUBLIC_RATE = "100000/s"
USER_RATE = "100000/s"
TOKEN_USERNAME = "courier"


# --- setup ---------------------------------------------------------------------------------------


def _parcels_ensure(count: int) -> None:
    """Create parcels between random village stations until there are ``count``."""
    from django.db import transaction

    from siliu.logistics.models import Parcel, PostagePayment
    from siliu.logistics.parcels.services import Address, parcel_create
    from siliu.logistics.pricing.quotes import QuoteRequest
    from siliu.network.models import Outlet, OutletKind

    missing = count - Parcel.objects.count()
    if missing <= 0:
        return
    stations = list(
        Outlet.objects.filter(kind=OutletKind.VILLAGE_STATION, is_active=True)
        .order_by("code")
        .values_list("code", flat=True)
    )
    rng = random.Random(missing)
    sender = Address("张三", "+8613800000001", "示范县王家村 1 号")
    recipient = Address("李四", "+8613900000002", "示范县河口村 8 号")
    print(f"creating {missing:,} parcels with parcel_create, {CREATE_CHUNK} per transaction…", flush=True)
    started = time.monotonic()
    done = 0
    while done < missing:
        size = min(CREATE_CHUNK, missing - done)
        with transaction.atomic():
            for _index in range(size):
                origin, destination = rng.sample(stations, 2)
                parcel_create(
                    request=QuoteRequest(
                        product_code=rng.choice(PRODUCTS),
                        origin_outlet_code=origin,
                        destination_outlet_code=destination,
                        weight_g=rng.randint(100, 5_000),
                    ),
                    sender=sender,
                    recipient=recipient,
                    postage_payment=PostagePayment.ORDER,
                )
        done += size
        elapsed = time.monotonic() - started
        print(f"  {done:,}/{missing:,} parcels, {done / elapsed:,.0f}/s", flush=True)
    print(f"created {missing:,} parcels in {time.monotonic() - started:.1f} s", flush=True)


def _scans_reset() -> None:
    """Back to the state before any scan: only the creation events, every parcel ``created``."""
    from django.db import connection

    from siliu.logistics.models import EventCode, Parcel, ParcelEvent, ParcelStatus

    started = time.monotonic()
    with connection.cursor() as cursor:
        # Raw SQL: the ORM's delete would load every event to cascade to webhooks (there are none here).
        cursor.execute(f"DELETE FROM {ParcelEvent._meta.db_table} WHERE code <> %s", [EventCode.CREATED])
        deleted = cursor.rowcount
    Parcel.objects.exclude(status=ParcelStatus.CREATED).update(
        status=ParcelStatus.CREATED, accepted_at=None, delivered_at=None, last_event_at=None, last_outlet=None
    )
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {ParcelEvent._meta.db_table}")
        cursor.execute(f"VACUUM ANALYZE {Parcel._meta.db_table}")
    print(f"removed {deleted:,} scans of the last run in {time.monotonic() - started:.1f} s", flush=True)


def _courier_token() -> str:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    token, _created = Token.objects.get_or_create(user=get_user_model().objects.get(username=TOKEN_USERNAME))
    return str(token.key)


# --- scan batches --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParcelRef:
    number: str
    origin: str
    destination: str


def _parcel_refs(count: int) -> tuple[list[ParcelRef], str]:
    """The bench parcels (oldest first) and the hub's code."""
    from siliu.logistics.models import Parcel
    from siliu.network.models import Outlet, OutletKind

    rows = Parcel.objects.order_by("pk").values_list(
        "tracking_number", "origin_outlet__code", "destination_outlet__code"
    )[:count]
    hub = Outlet.objects.filter(kind=OutletKind.COUNTY_HUB).order_by("pk").values_list("code", flat=True)
    return [ParcelRef(number, origin, destination) for number, origin, destination in rows], hub[0]


def _event(parcel: ParcelRef, step: int, *, hub: str, start: datetime.datetime) -> dict[str, Any]:
    """Journey step ``step`` of ``parcel`` as a device sends it (``POST /api/v1/scans`` item)."""
    code = JOURNEY[step]
    outlet = parcel.origin if step == 0 else hub if step < 3 else parcel.destination
    occurred_at = start + datetime.timedelta(minutes=75 * step + int(parcel.number[2:10]) % 60)
    event: dict[str, Any] = {
        "event_id": f"{parcel.number}:{code}",
        "tracking_number": parcel.number,
        "code": code,
        "outlet": outlet,
        "occurred_at": occurred_at.isoformat(),
    }
    if code == "EMI":
        event["proof"] = {"signature_name": "李四"}
    return event


def _batches(parcels: Sequence[ParcelRef], *, hub: str, seed: int) -> list[list[dict[str, Any]]]:
    """Batches of 500 for one device: journeys pipelined three stages deep, 5 % sent again.

    Parcels go in groups of 79; batch k carries EMA+EDD of group k, EDE+EMG of group k−1 and EDG+EMI of
    group k−2 (then cut to 474 new events), so every batch mixes all six steps for 237 parcels. The last
    26 events are copies of events of the batch before (of this batch for the first).
    """
    start = datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(hours=9)
    group_size = NEW_PER_BATCH // (STEPS_PER_SLICE * STAGES)
    groups = [parcels[index : index + group_size] for index in range(0, len(parcels), group_size)]
    stream: list[dict[str, Any]] = []
    for wave in range(len(groups) + STAGES - 1):
        for stage in range(STAGES):
            if 0 <= wave - stage < len(groups):
                for parcel in groups[wave - stage]:
                    for step in range(stage * STEPS_PER_SLICE, (stage + 1) * STEPS_PER_SLICE):
                        stream.append(_event(parcel, step, hub=hub, start=start))
    rng = random.Random(seed)
    batches: list[list[dict[str, Any]]] = []
    previous: list[dict[str, Any]] = []
    for index in range(0, len(stream), NEW_PER_BATCH):
        new = stream[index : index + NEW_PER_BATCH]
        again = rng.sample(previous or new, min(BATCH_SIZE - len(new), len(previous or new)))
        batches.append([*new, *again])
        previous = new
    return batches


def _scan_inputs(batch: list[dict[str, Any]]) -> list[Any]:
    from siliu.logistics.parcels.services import ScanInput

    return [
        ScanInput(
            event_id=item["event_id"],
            tracking_number=item["tracking_number"],
            code=item["code"],
            outlet_code=item["outlet"],
            occurred_at=datetime.datetime.fromisoformat(item["occurred_at"]),
            device_id="bench",
            proof_signature_name=item.get("proof", {}).get("signature_name", ""),
        )
        for item in batch
    ]


# --- ingestion workers ---------------------------------------------------------------------------


@dataclass
class Tally:
    events: int = 0
    batches: int = 0
    created: int = 0
    duplicates: int = 0
    refused: int = 0
    first_refusal: str = ""
    failed_batches: int = 0
    first_failure: str = ""
    started: float = 0.0
    finished: float = 0.0

    def add(self, statuses: Sequence[tuple[str, str]]) -> None:
        self.batches += 1
        self.events += len(statuses)
        for status, message in statuses:
            if status == "created":
                self.created += 1
            elif status == "duplicate":
                self.duplicates += 1
            else:
                self.refused += 1
                self.first_refusal = self.first_refusal or f"{status}: {message}"


def _send_all(
    send: Callable[[Any], Sequence[tuple[str, str]]],
    items: Sequence[Any],
    seconds: float,
    barrier: Barrier,
    out: Queue[Tally],
) -> None:
    """Send each batch and wait for its results before the next, until done or out of time.

    A batch that fails as a whole (an exception here, a 5xx over HTTP) is counted and skipped.
    """
    tally = Tally()
    try:
        barrier.wait()
        tally.started = time.monotonic()
        deadline = tally.started + seconds
        for item in items:
            if time.monotonic() >= deadline:
                break
            try:
                tally.add(send(item))
            except Exception as error:
                tally.failed_batches += 1
                tally.first_failure = (
                    tally.first_failure or (f"{type(error).__name__}: {' '.join(str(error).split())}"[:300])
                )
    finally:
        tally.finished = time.monotonic()
        out.put(tally)


def _direct_worker(
    batches: list[list[dict[str, Any]]], seconds: float, barrier: Barrier, out: Queue[Tally]
) -> None:
    """Call ``scans_record`` with each batch, in this process with its own connection."""
    from django.db import connections

    from siliu.logistics.parcels.services import scans_record

    connections.close_all()  # never share the parent's connection across fork

    def send(scans: list[Any]) -> list[tuple[str, str]]:
        return [(result.status, result.message) for result in scans_record(scans=scans)]

    _send_all(send, [_scan_inputs(batch) for batch in batches], seconds, barrier, out)
    connections.close_all()


def _post_scans(port: int, token: str, body: bytes) -> list[tuple[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(
            "POST",
            "/api/v1/scans",
            body=body,
            headers={
                "Authorization": f"Token {token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        response = connection.getresponse()
        payload = response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise RuntimeError(f"POST /api/v1/scans answered {response.status}: {payload[:200]!r}")
    return [(item["status"], item["message"]) for item in json.loads(payload)["results"]]


def _http_worker(
    batches: list[list[dict[str, Any]]],
    seconds: float,
    port: int,
    token: str,
    barrier: Barrier,
    out: Queue[Tally],
) -> None:
    """POST each batch to ``/api/v1/scans`` and wait for the answer before the next."""
    bodies = [json.dumps({"device_id": "bench", "events": batch}).encode() for batch in batches]
    _send_all(lambda body: _post_scans(port, token, body), bodies, seconds, barrier, out)


@dataclass
class Ingestion:
    """Events over the span from the first worker's start to the last one's end."""

    workers: int
    tallies: list[Tally]

    @property
    def events(self) -> int:
        return sum(tally.events for tally in self.tallies)

    @property
    def seconds(self) -> float:
        return max(t.finished for t in self.tallies) - min(t.started for t in self.tallies)

    @property
    def per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    @property
    def refused(self) -> int:
        return sum(t.refused for t in self.tallies)

    @property
    def failed_batches(self) -> int:
        return sum(t.failed_batches for t in self.tallies)

    def summary(self) -> str:
        created = sum(t.created for t in self.tallies)
        duplicates = sum(t.duplicates for t in self.tallies)
        text = (
            f"{self.events:,} events in {self.seconds:.1f} s ({created:,} created, "
            f"{duplicates:,} duplicates, {self.refused:,} refused, {self.failed_batches} failed batches)"
        )
        refusal = next((t.first_refusal for t in self.tallies if t.first_refusal), "")
        failure = next((t.first_failure for t in self.tallies if t.first_failure), "")
        return (
            text
            + (f"; first refusal: {refusal}" if refusal else "")
            + (f"; first failure: {failure}" if failure else "")
        )


def _ingest(
    target: Callable[..., None], streams: list[list[list[dict[str, Any]]]], seconds: float, *extra: Any
) -> Ingestion:
    """Run ``target`` in one forked process per stream, all starting together; collect their tallies."""
    tallies = forked_run(target, [(stream, seconds, *extra) for stream in streams], timeout=seconds + 120)
    return Ingestion(len(streams), tallies)


# --- tracking lookups ----------------------------------------------------------------------------


@dataclass
class Lookups:
    latencies_ms: list[float]
    errors: int
    throttled: int
    late_starts: int
    offered: int
    #: Answers per second over the whole run: below the offered rate, the server could not keep up.
    served_per_second: float

    def percentile(self, share: float) -> float:
        return percentile(self.latencies_ms, share)

    def summary(self) -> str:
        return (
            f"p50 {self.percentile(0.50):.1f} ms, p95 {self.percentile(0.95):.1f} ms, "
            f"p99 {self.percentile(0.99):.1f} ms, max {max(self.latencies_ms, default=0):.1f} ms; "
            f"{self.offered:,} requests offered, {self.served_per_second:,.0f}/s answered, "
            f"{self.errors} errors, {self.throttled} × 429, {self.late_starts} started > 5 ms late"
        )


def _lookup_worker(port: int, numbers: list[str], seconds: float, rate: int, out: Queue[Lookups]) -> None:
    """Open loop: request i is due at start + i / rate whatever happened to the others.

    Latency runs from when a request was due, so a client thread held up by a slow answer does not
    hide the queueing it causes (no coordinated omission).
    """
    total = int(seconds * rate)
    latencies: list[float] = []
    counts = {"errors": 0, "throttled": 0, "late": 0}
    lock = threading.Lock()
    rng = random.Random(4)
    targets = [rng.choice(numbers) for _index in range(total)]
    start = time.monotonic() + 0.2

    def run(offset: int) -> None:
        for index in range(offset, total, LOOKUP_THREADS):
            due = start + index / rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            late = time.monotonic() - due > 0.005
            status = 0
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.request(
                    "GET", f"/api/v1/parcels/{targets[index]}/events", headers={"Accept": "application/json"}
                )
                response = connection.getresponse()
                response.read()
                status = response.status
            except OSError:
                status = 0
            finally:
                connection.close()
            elapsed_ms = (time.monotonic() - due) * 1000
            with lock:
                latencies.append(elapsed_ms)
                counts["late"] += late
                if status == 429:
                    counts["throttled"] += 1
                elif status != 200:
                    counts["errors"] += 1

    threads = [threading.Thread(target=run, args=(offset,)) for offset in range(LOOKUP_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    served = total / (time.monotonic() - start)
    out.put(Lookups(latencies, counts["errors"], counts["throttled"], counts["late"], total, served))


def _lookups(
    port: int,
    numbers: list[str],
    seconds: float,
    *,
    ingestion: tuple[list[list[dict[str, Any]]], str] | None = None,
) -> tuple[Lookups, Ingestion | None]:
    """Lookups at ``LOOKUP_RATE`` per second from their own process, optionally beside one more
    process posting scan batches (``ingestion``: its batches and the token) as fast as it can."""
    context = multiprocessing.get_context("fork")
    out: Queue[Lookups] = context.Queue()
    client = context.Process(target=_lookup_worker, args=(port, numbers, seconds, LOOKUP_RATE, out))
    scans: Ingestion | None = None
    client.start()
    if ingestion is None:
        lookups = out.get(timeout=seconds + 120)
    else:
        batches, token = ingestion
        scans = _ingest(_http_worker, [batches], seconds, port, token)
        lookups = out.get(timeout=seconds + 120)
    client.join(timeout=10)
    return lookups, scans


# --- report --------------------------------------------------------------------------------------


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--parcels", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=20.0, help="per measurement")
    parser.add_argument("--workers", type=int, default=4, help="ingestion processes (direct and HTTP)")
    parser.add_argument("--server-processes", type=int, default=6, help="gunicorn workers")
    parser.add_argument("--server-threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--conn-max-age", type=int, default=60, help="SILIU_CONN_MAX_AGE of the server")
    parser.add_argument("--no-doc", action="store_true", help=f"do not write {DOC.relative_to(PROJECT_DIR)}")
    options = parser.parse_args()
    if not options.database_url.startswith(("postgres://", "postgresql://")):
        print("logistics_bench needs a PostgreSQL --database-url (postgres://…).")
        return 1
    command = shlex.join([".venv/bin/python", "bench/logistics_bench.py", *sys.argv[1:]])
    load_before = load_average()

    try:
        created = database_create_if_missing(options.database_url)
    except Exception as error:  # the server is not there: say so, as the ledger bench does
        print(f"logistics_bench: cannot reach PostgreSQL at {options.database_url} ({error}); skipped.")
        return 0
    if created:
        print(f"created database {urlparse(options.database_url).path.lstrip('/')}", flush=True)
    django_setup(
        database_url=options.database_url,
        bench="logistics",
        conn_max_age=options.conn_max_age,
        SILIU_PUBLIC_RATE=PUBLIC_RATE,
        SILIU_USER_RATE=USER_RATE,
    )
    from django.core.management import call_command

    from siliu.logistics.models import Parcel, ParcelStatus

    machine, postgres = machine_describe()
    print(f"machine: {machine}; load average {load_before}\nPostgreSQL: {postgres}", flush=True)
    call_command("migrate", verbosity=0)
    demo_county_ensure()
    _parcels_ensure(options.parcels)
    _scans_reset()
    token = _courier_token()
    parcels, hub = _parcel_refs(options.parcels)

    # Disjoint parcels for each measurement and worker, so no two workers lock the same parcel.
    workers, seconds = options.workers, options.seconds
    shares = {"single": 0.15, "direct": 0.35, "http": 0.25, "beside": 0.25}
    pools: dict[str, list[ParcelRef]] = {}
    start = 0
    for name, share in shares.items():
        pools[name] = parcels[start : start + int(len(parcels) * share)]
        start += len(pools[name])

    def streams(pool: list[ParcelRef], count: int, seed: int) -> list[list[list[dict[str, Any]]]]:
        return [_batches(pool[index::count], hub=hub, seed=seed + index) for index in range(count)]

    print(f"1. scans_record from 1 process, {seconds:.0f} s…", flush=True)
    single = _ingest(_direct_worker, streams(pools["single"], 1, 50), seconds)
    print(f"   {single.per_second:,.0f} events/s: {single.summary()}", flush=True)
    print(f"2. scans_record from {workers} processes, {seconds:.0f} s…", flush=True)
    direct = _ingest(_direct_worker, streams(pools["direct"], workers, 100), seconds)
    print(f"   {direct.per_second:,.0f} events/s: {direct.summary()}", flush=True)

    server = GunicornServer(workers=options.server_processes, threads=options.server_threads)
    server_text = (
        f"gunicorn, {options.server_processes} workers × {options.server_threads} thread(s), "
        f"SILIU_DEBUG=0, SILIU_CONN_MAX_AGE={options.conn_max_age}"
    )
    try:
        print(f"3. POST /api/v1/scans from {workers} clients, {seconds:.0f} s ({server_text})…", flush=True)
        over_http = _ingest(_http_worker, streams(pools["http"], workers, 200), seconds, server.port, token)
        print(f"   {over_http.per_second:,.0f} events/s: {over_http.summary()}", flush=True)

        numbers = list(
            Parcel.objects.exclude(status=ParcelStatus.CREATED).values_list("tracking_number", flat=True)
        ) or [parcel.number for parcel in parcels]
        print(f"4. GET …/events at {LOOKUP_RATE}/s for {seconds:.0f} s, nothing else running…", flush=True)
        alone, _none = _lookups(server.port, numbers, seconds)
        print(f"   {alone.summary()}", flush=True)

        print(
            f"5. GET …/events at {LOOKUP_RATE}/s beside a client posting scans, {seconds:.0f} s…", flush=True
        )
        beside, beside_scans = _lookups(
            server.port, numbers, seconds, ingestion=(streams(pools["beside"], 1, 300)[0], token)
        )
        assert beside_scans is not None
        print(
            f"   {beside.summary()}\n   scans meanwhile: {beside_scans.per_second:,.0f} events/s", flush=True
        )
    finally:
        server.stop()

    scan_aim = f"≥ {SCAN_AIM_PER_SECOND:,} events/s"
    lookup_aim = f"p99 < {LOOKUP_P99_AIM_MS:.0f} ms"

    def lookup_cells(lookups: Lookups) -> str:
        return (
            f"p50 {lookups.percentile(0.5):.1f} / p95 {lookups.percentile(0.95):.1f} / "
            f"p99 {lookups.percentile(0.99):.1f} ms; {lookups.served_per_second:,.0f}/s answered; "
            f"{lookups.errors} errors, {lookups.throttled} × 429"
        )

    def scan_cells(ingestion: Ingestion) -> str:
        return (
            f"{ingestion.per_second:,.0f} events/s ({ingestion.events:,} in {ingestion.seconds:.1f} s; "
            f"{ingestion.refused:,} refused, {ingestion.failed_batches} failed batches)"
        )

    def scan_verdict(ingestion: Ingestion) -> str:
        return _verdict(
            ingestion.per_second >= SCAN_AIM_PER_SECOND and not ingestion.refused + ingestion.failed_batches
        )

    def lookup_verdict(lookups: Lookups) -> str:
        return _verdict(
            lookups.percentile(0.99) < LOOKUP_P99_AIM_MS and not lookups.errors + lookups.throttled
        )

    rows = [
        (
            f"`scans_record` direct, 1 process, batches of {BATCH_SIZE}",
            scan_cells(single),
            scan_aim,
            scan_verdict(single),
        ),
        (
            f"`scans_record` direct, {workers} processes, batches of {BATCH_SIZE}",
            scan_cells(direct),
            scan_aim,
            scan_verdict(direct),
        ),
        (
            f"`POST /api/v1/scans` over HTTP, {workers} clients, batches of {BATCH_SIZE}",
            scan_cells(over_http),
            scan_aim,
            scan_verdict(over_http),
        ),
        (
            f"`GET /api/v1/parcels/{{number}}/events` at {LOOKUP_RATE}/s, alone",
            lookup_cells(alone),
            lookup_aim,
            lookup_verdict(alone),
        ),
        (
            f"the same while 1 client posts scan batches over HTTP; it got {scan_cells(beside_scans)}",
            lookup_cells(beside),
            lookup_aim,
            lookup_verdict(beside),
        ),
    ]
    table = "\n".join(
        [
            "| measurement | result | aim | verdict |",
            "| --- | --- | --- | --- |",
            *(f"| {name} | {result} | {aim} | {verdict} |" for name, result, aim, verdict in rows),
        ]
    )
    section = "\n".join(
        [
            f"Run on {datetime.datetime.now(tz=datetime.UTC):%Y-%m-%d %H:%M} UTC with `{command}`.",
            "",
            f"- Machine: {machine}; load average (1 min) {load_before} before the bench started, "
            f"{load_average()} at its end.",
            f"- PostgreSQL: {postgres}.",
            f"- Parcels: {len(parcels):,}; HTTP server: {server_text}.",
            f"- Lookups: open loop, {LOOKUP_THREADS} client threads in one process, latency from when each "
            "request was due, a new connection per request.",
            "",
            table,
        ]
    )
    print()
    print(section)
    if not options.no_doc:
        doc_section_write(DOC, marker="logistics_bench", title=DOC_TITLE, section=section)
        print(f"\n(written to {DOC.relative_to(PROJECT_DIR)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
