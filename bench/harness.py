"""What every benchmark shares: its own PostgreSQL database and Redis db, figures, workers.

A benchmark never touches the dev database: it creates `relais_bench` (or
BENCH_DATABASE_NAME) on the server DATABASE_URL names, migrates it, and drops
it at the end. Its Celery messages go to Redis database BENCH_REDIS_DB (15 by
default) on the server CELERY_BROKER_URL names, so a running dev worker never
takes them. Figures are printed as `label: value`; the headline is the last line.
"""

import contextlib
import os
import resource
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.workers import die_with_parent, stop  # noqa: E402  (needs ROOT on the path)


def _bench_urls():
    database_url = os.environ.get("DATABASE_URL", "")
    broker_url = os.environ.get("CELERY_BROKER_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Benchmarks run on PostgreSQL + Redis, the way production runs: set "
            "DATABASE_URL=postgres://... and CELERY_BROKER_URL=redis://..."
        )
    if not broker_url.startswith("redis://"):
        sys.exit("Benchmarks need a Redis broker: set CELERY_BROKER_URL=redis://...")
    database = urlsplit(database_url)
    name = os.environ.get("BENCH_DATABASE_NAME", "relais_bench")
    broker = urlsplit(broker_url)
    redis_db = os.environ.get("BENCH_REDIS_DB", "15")
    return (
        urlunsplit(database._replace(path="/" + name)),
        urlunsplit(broker._replace(path="/" + redis_db)),
        name,
    )


def _admin_connection():
    import psycopg

    database = urlsplit(os.environ["DATABASE_URL"])
    return psycopg.connect(
        host=database.hostname,
        port=database.port or 5432,
        user=database.username,
        password=database.password,
        dbname="postgres",
        autocommit=True,
    )


@contextlib.contextmanager
def bench_database():
    """Create and migrate the bench database, set Django up on it, drop it on the way out."""
    database_url, broker_url, name = _bench_urls()
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(
        RELAIS_BENCH_DATABASE=name,
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker_url,
        DJANGO_SETTINGS_MODULE="tests.settings",  # the project, plus the test-only domain
        CELERY_TASK_ALWAYS_EAGER="false",
        DEBUG="false",  # production: no query log growing in memory
        SECRET_KEY=os.environ.get("SECRET_KEY") or uuid.uuid4().hex * 2,
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
    )
    import django

    django.setup()
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        purge_broker()
        yield
    finally:
        from django.db import connections

        purge_broker()
        connections.close_all()
        if os.environ.get("BENCH_KEEP_DATABASE") != "true":  # kept, to look into plans after
            with _admin_connection() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def attach():
    """Set Django up in a phase subprocess, on the database its parent benchmark created."""
    if not os.environ.get("RELAIS_BENCH_DATABASE"):
        sys.exit("A phase runs inside its benchmark: run the benchmark script itself.")
    import django

    django.setup()


def purge_broker():
    """Empty the bench's Redis database: queues, unacknowledged messages, results."""
    import redis

    redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).flushdb()


def sql(statement, params=None):
    """Run raw SQL on the bench database; return the rows if any."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


@contextlib.contextmanager
def counting_queries():
    """Count the SQL statements run on the default connection (DEBUG stays off)."""
    from django.db import connection

    counter = {"queries": 0}

    def count(execute, sql, params, many, context):
        counter["queries"] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield counter


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def peak_rss_mb():
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def process_peak_rss_mb(pid, with_children=False):
    """Peak resident memory of another live process (VmHWM), and its children's, in MB."""
    peak = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
    if with_children:  # a prefork pool's processes
        peak += sum(process_peak_rss_mb(child) for child in _children(pid))
    return peak


def process_cpu_seconds(pid, with_children=False):
    """CPU time (user + system) a live process, and its live children if asked, used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    seconds = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    if with_children:  # a prefork pool's processes
        seconds += sum(process_cpu_seconds(child) for child in _children(pid))
    return seconds


def _children(pid):
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if stat.read_text().rsplit(")", 1)[1].split()[1] == str(pid):
                yield stat.parent.name
        except (OSError, IndexError):
            continue  # it ended meanwhile


def postgres_cpu_seconds():
    """CPU time used so far by the PostgreSQL server processes serving the bench database.

    Those on this machine only (0 when the server is elsewhere); the server's
    shared processes (WAL writer, checkpointer) are left out, as other
    databases use them too.
    """
    database = os.environ["RELAIS_BENCH_DATABASE"].encode()
    total = 0.0
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == "postgres" and (
                database in (comm.parent / "cmdline").read_bytes()
            ):
                total += process_cpu_seconds(comm.parent.name)
        except OSError:
            continue  # it ended meanwhile
    return total


def median(values):
    return statistics.median(values)


def figure(label, value, unit=""):
    if isinstance(value, float):
        value = f"{value:,.3f}" if value < 10 else f"{value:,.1f}"
    elif isinstance(value, int):
        value = f"{value:,}"
    print(f"  {label}: {value}{' ' + unit if unit else ''}", flush=True)


def headline(name, ratio):
    """The last line of every benchmark: `<name>: <ratio>`."""
    print(f"{name}: {ratio:.2f}", flush=True)


def machine():
    """One line about the machine the figures come from."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return f"{os.cpu_count()} CPU ({cpu}), {memory_kb / 1024 / 1024:.0f} GB RAM"


def in_subprocess(script, *args):
    """Run `script` (a bench module) with `args` in a fresh interpreter; return its last line.

    Each measured phase runs in its own process so its peak memory is its own.
    """
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        cwd=ROOT,
        env=os.environ,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return result.stdout.strip().splitlines()[-1]


@contextlib.contextmanager
def celery_workers(
    count, concurrency, pool="threads", queues="high,default,bulk", name="bench", **env
):
    """`count` real worker processes on the bench broker and database; stopped on exit.

    `name`: the workers' node names' prefix, so two pools (one per queue) can run at once.
    """
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queues]
            + ["-n", f"{name}{index}@%h", "--pool", pool, "--concurrency", str(concurrency)]
            + ["--include", "bench.tasks", "--without-gossip", "--without-mingle"]
            + ["--loglevel", "WARNING"],
            cwd=ROOT,
            env=os.environ | env,
            stdout=subprocess.DEVNULL,  # the banner; warnings and errors still show
            preexec_fn=die_with_parent,
        )
        for index in range(count)
    ]
    try:
        _wait_until_ready(processes)
        yield processes
    finally:
        stop(processes)


@contextlib.contextmanager
def relay(interval=0.01):
    """The relay process (`manage.py relay_events`) on the bench database and broker."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "relay_events", "--interval", str(interval)],
        cwd=ROOT,
        env=os.environ,
        stdout=subprocess.DEVNULL,
        preexec_fn=die_with_parent,
    )
    try:
        yield process
    finally:
        stop([process])


def _wait_until_ready(processes, timeout=60):
    from config.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            raise RuntimeError("a bench worker exited while starting")
        answers = app.control.ping(timeout=0.5) or []
        if len(answers) >= len(processes):
            return
    raise RuntimeError(f"the bench workers did not answer within {timeout} s")
