"""Two workers, one delivery: it is sent once (SPEC N-8), on PostgreSQL for real."""

import threading

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, connections

import notifications
from notifications import dispatch, outbox, sending
from tests.factories import RuleFactory
from tests.workers import celery_workers, database_url_for_workers, producer

pytestmark = [
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locking is real only on PostgreSQL: run with DATABASE_URL=postgres://...")


@pytest.fixture
def queued(appointment_factory, monkeypatch):
    RuleFactory(channels=["email"])
    monkeypatch.setattr(outbox, "queue_sends", lambda rows: None)
    event = notifications.emit("testapp.booked", appointment_factory())
    dispatch.plan_event(event.pk)
    return event.deliveries.get()


def test_n8_two_threads_claiming_at_the_same_instant_send_once(queued):
    start = threading.Barrier(2, timeout=30)  # one thread failing early frees the other
    errors = []

    def worker():
        try:
            start.wait()
            sending.send(queued.pk)
        except BaseException as error:  # shown below, not lost in the thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # Checked only once both are done: a thread still sending would change the outcome.
    assert not any(thread.is_alive() for thread in threads), "a sending thread never finished"
    assert errors == []
    assert len(mail.outbox) == 1
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == ("sent", 1)


def test_n8_two_real_workers_given_the_same_task_send_once(queued, tmp_path):
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs the Redis broker: run with CELERY_BROKER_URL=redis://...")
    backend = settings.CELERY_BROKER_URL
    outbox = tmp_path / "mail"
    with (
        celery_workers(
            count=2,
            CELERY_RESULT_BACKEND=backend,
            DATABASE_URL=database_url_for_workers(),
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(outbox),
        ),
        producer(backend) as app,
    ):
        results = [
            app.send_task("notifications.tasks.send_delivery", args=(queued.pk,), queue="high")
            for _ in range(2)
        ]
        for result in results:
            result.get(timeout=60)
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == ("sent", 1)
    assert len(list(outbox.iterdir())) == 1
