"""What the benchmark scripts share: Django set-up, the demo county, scratch databases, pgbench, gunicorn,
forked client processes, the machine, the doc page.

Not a benchmark itself (``make bench`` runs ``bench/[!_]*.py``); the scripts import it as ``_support``
since Python puts their own folder first on the path.
"""

import multiprocessing
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

PROJECT_DIR = Path(__file__).resolve().parent.parent


def django_setup(*, database_url: str, bench: str, conn_max_age: int, **environment: str) -> None:
    """Django on ``database_url`` as in production (``SILIU_DEBUG=0``: no query log), with
    ``SILIU_CONN_MAX_AGE=conn_max_age`` and any further settings in ``environment``."""
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "SILIU_DEBUG": "0",
            "SILIU_SECRET_KEY": f"{bench}-bench-not-a-secret",
            "SILIU_CONN_MAX_AGE": str(conn_max_age),
            "SILIU_HTTPS": "0",  # the bench talks plain HTTP to its own server, with no proxy in front
            **environment,
            "DJANGO_SETTINGS_MODULE": "siliu.settings",
        }
    )
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()


def demo_county_ensure() -> None:
    """The demo county (seed 2026, 160 villages) unless the database already has a network."""
    from siliu.demo.generator import demo_county_generate, network_exists

    if not network_exists():
        started = time.monotonic()
        demo_county_generate(seed=2026, village_count=160)
        print(f"generated the demo county in {time.monotonic() - started:.1f} s", flush=True)


def forked_run(
    target: Callable[..., None], arguments: Sequence[tuple[Any, ...]], *, timeout: float
) -> list[Any]:
    """Run ``target(*each, barrier, out)`` in one forked process per item of ``arguments``, all starting
    together at ``barrier``; each puts one result on ``out``. The results, in the order they came."""
    from django.db import connections

    connections.close_all()  # never share the parent's connection across fork
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(arguments), timeout=120)
    out: Queue[Any] = context.Queue()
    processes = [context.Process(target=target, args=(*each, barrier, out)) for each in arguments]
    for process in processes:
        process.start()
    results = [out.get(timeout=timeout) for _process in processes]
    for process in processes:
        process.join(timeout=10)
    return results


def percentile(values: Iterable[float], share: float) -> float:
    """The value below which ``share`` of ``values`` lie (nearest rank); NaN for no values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def with_database(url: str, name: str) -> str:
    """``url`` pointing at database ``name`` on the same server."""
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def database_create_if_missing(url: str) -> bool:
    """Create the database of ``url`` unless it exists; whether it was created."""
    import psycopg

    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        connection.execute(f'CREATE DATABASE "{name}"')
    return True


def database_recreate(url: str, name: str) -> None:
    """Drop database ``name`` on ``url``'s server if it exists (disconnecting its sessions) and create it."""
    database_drop(url, name)
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')


def database_drop(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pgbench_init(url: str, *, scale: int = 10) -> None:
    """``pgbench -i`` into the database of ``url``."""
    subprocess.run(["pgbench", "-i", "-s", str(scale), "-q", url], check=True, capture_output=True)


def pgbench_tps(url: str, *, clients: int, seconds: int) -> float:
    """TPC-B-like transactions per second from ``pgbench -c clients -j 2 -T seconds`` on ``url``."""
    output = subprocess.run(
        ["pgbench", "-c", str(clients), "-j", "2", "-T", str(seconds), url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", output)
    if match is None:
        raise RuntimeError(f"could not read pgbench's tps:\n{output}")
    return float(match.group(1))


class GunicornServer:
    """The Django app under gunicorn (the production WSGI server) on a free loopback port.

    Sync workers (``threads=1``) answer one request at a time, so a short request never waits behind a
    long one in the same process (threads would share one interpreter lock). The environment of this
    process (``DATABASE_URL``, ``SILIU_DEBUG``…) is the server's.
    """

    def __init__(self, *, workers: int, threads: int = 1) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port: int = probe.getsockname()[1]
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "siliu.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--backlog",
            "1024",
            "--log-level",
            "warning",
        ]
        self.process = subprocess.Popen(command, env=os.environ.copy(), cwd=PROJECT_DIR)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start within 30 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def memory_gib() -> float:
    match = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
    return int(match.group(1)) / 1024 / 1024 if match else 0.0


def machine_describe() -> tuple[str, str]:
    """The machine and the PostgreSQL server (read through Django's connection), as two lines."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = str(cursor.fetchone()[0])
        cursor.execute("SHOW synchronous_commit")
        synchronous_commit = str(cursor.fetchone()[0])
    return (
        f"{len(os.sched_getaffinity(0))} CPUs (nproc), {memory_gib():.1f} GiB RAM, "
        f"Python {sys.version.split()[0]}, clients, server and PostgreSQL on the same machine",
        f"{version.split(' on ')[0]} (synchronous_commit={synchronous_commit})",
    )


def load_average() -> str:
    """The 1-minute load average: above 0 before a bench starts means other work shares the CPUs."""
    path = Path("/proc/loadavg")
    return path.read_text().split()[0] if path.exists() else "?"


def doc_section_write(doc: Path, *, marker: str, title: str, section: str) -> None:
    """Replace the results between ``<!-- marker results: start/end -->`` in ``doc``, keeping the rest."""
    start, end = f"<!-- {marker} results: start -->", f"<!-- {marker} results: end -->"
    block = f"{start}\n{section}\n{end}"
    text = doc.read_text() if doc.exists() else f"{title}\n\n{block}\n"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = f"{text.rstrip()}\n\n{block}\n"
    doc.write_text(text)
