"""The throughput baseline: a bare Celery task that makes the same HTTP POST as the engine.

Loaded into the bench workers with `celery worker --include bench.tasks`.
One HTTP session per worker thread, as the engine's email channel keeps one.
"""

import threading

import requests
from celery import shared_task

_local = threading.local()


@shared_task(name="bench.post_email", ignore_result=True)
def post_email(url, body, headers):
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    response = session.post(url, data=body, headers=headers, timeout=30)
    response.raise_for_status()
