"""Real Celery worker processes for tests that must cross a real broker."""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from pathlib import Path

from celery import Celery
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def result_backend_for(tmp_path):
    """Where workers write results: Redis beside a Redis broker, else a folder."""
    if settings.CELERY_BROKER_URL.startswith("redis://"):
        return settings.CELERY_BROKER_URL
    return f"file://{tmp_path}"


def database_url_for_workers():
    """The URL of the database this test runs on, for a worker process to share."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        raise RuntimeError("only a PostgreSQL test database can be shared with a worker")
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _broker_folders(root):
    """The filesystem transport's folders under `root`, as config/settings.py lays them out."""
    folders = {name: root / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    return settings.CELERY_BROKER_TRANSPORT_OPTIONS | {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "processed_folder": str(folders["processed"]),
        "control_folder": str(folders["control"]),
    }


@contextlib.contextmanager
def celery_workers(count=1, queues="high,default,bulk", concurrency=1, **env):
    """Start `count` worker processes; stop them (and wait) on exit."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queues]
            + ["-n", f"test{index}@%h", "--concurrency", str(concurrency)]
            + ["--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
            cwd=ROOT,
            env=os.environ | {"CELERY_TASK_ALWAYS_EAGER": "false"} | env,
            # A test run killed mid-test must not leave workers taking the next run's tasks
            # from the shared broker (with this run's settings: its mail folder, say).
            preexec_fn=die_with_parent,
        )
        for index in range(count)
    ]
    try:
        yield processes
    finally:
        stop(processes)


def stop(processes, timeout=30):
    """Ask each process to end (SIGTERM), and kill those still there after `timeout`."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def die_with_parent():
    """preexec_fn of a child process: SIGKILL it if its parent dies first (Linux only),
    so no worker started by a test or a benchmark outlives it."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


@contextlib.contextmanager
def producer(result_backend, RELAIS_DATA_DIR=None):
    """A Celery app configured like the project's, that really sends and reads results.

    With RELAIS_DATA_DIR, a filesystem broker uses that folder, as a worker started
    with the same variable does.
    """
    app = Celery("relais-test-producer", set_as_current=False)  # the engine keeps its app
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        result_backend=result_backend, task_ignore_result=False, task_always_eager=False
    )
    if RELAIS_DATA_DIR and app.conf.broker_url.startswith("filesystem://"):
        app.conf.broker_transport_options = _broker_folders(Path(RELAIS_DATA_DIR) / "broker")
    try:
        yield app
    finally:
        app.close()
