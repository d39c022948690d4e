"""A task really travels through the configured broker to a real worker process.

With the defaults that broker is the filesystem transport; in CI's second run
it is the Redis on 127.0.0.1 (CELERY_BROKER_URL=redis://...). Each of the three
queues is consumed by `celery worker -Q high,default,bulk`, as `make run` starts it.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def result_backend(tmp_path):
    """Where the worker writes results: Redis beside a Redis broker, else a folder."""
    if settings.CELERY_BROKER_URL.startswith("redis://"):
        return settings.CELERY_BROKER_URL
    return f"file://{tmp_path}"


@pytest.fixture
def worker(result_backend):
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "high,default,bulk"]
        + ["--concurrency", "1", "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
        cwd=ROOT,
        env=os.environ | {"CELERY_RESULT_BACKEND": result_backend},
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def client_app(result_backend):
    """A producer configured like the project's, but reading results back."""
    app = Celery("relais-test")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(result_backend=result_backend, task_ignore_result=False)
    yield app
    app.close()


def test_a_real_worker_runs_tasks_from_every_queue(worker, client_app):
    for queue in ("high", "default", "bulk"):
        result = client_app.send_task("relais.ping", queue=queue)
        assert result.get(timeout=60) == "pong", f"no answer from the {queue} queue"
    assert worker.poll() is None, "the worker died"


def test_broker_is_the_one_the_environment_names():
    expected = os.environ.get("CELERY_BROKER_URL", "filesystem://")
    assert settings.CELERY_BROKER_URL == expected
