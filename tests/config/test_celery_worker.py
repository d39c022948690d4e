"""A task really travels through the configured broker to a real worker process.

With the defaults that broker is the filesystem transport; in CI's second run
it is the Redis on 127.0.0.1 (CELERY_BROKER_URL=redis://...). Each of the three
queues is consumed by `celery worker -Q high,default,bulk`, as `make run` starts it.
"""

import os

from django.conf import settings

from tests.workers import celery_workers, producer, result_backend_for


def test_a_real_worker_runs_tasks_from_every_queue(tmp_path):
    backend = result_backend_for(tmp_path)
    # A broker folder of its own, so no other worker on this machine takes the tasks.
    isolated = {"RELAIS_DATA_DIR": str(tmp_path / "data")}
    with (
        celery_workers(CELERY_RESULT_BACKEND=backend, **isolated) as (worker,),
        producer(backend, **isolated) as app,
    ):
        for queue in ("high", "default", "bulk"):
            result = app.send_task("relais.ping", queue=queue)
            assert result.get(timeout=60) == "pong", f"no answer from the {queue} queue"
        assert worker.poll() is None, "the worker died"


def test_broker_is_the_one_the_environment_names():
    expected = os.environ.get("CELERY_BROKER_URL", "filesystem://localhost/")
    assert settings.CELERY_BROKER_URL == expected
