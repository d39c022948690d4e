"""Fault tests: real workers on PostgreSQL and a Redis of the test's own, broken on purpose.

Each test starts its own redis-server (so nothing it kills or leaves behind
reaches another test run), points the project's Celery app at it, and starts
worker subprocesses that share the PostgreSQL test database and send email
through anymail's Brevo backend to the fake provider on 127.0.0.1.
"""

import shutil

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import Organisation
from notifications.models import Rule
from notifications.relay import Relay
from notifications.tasks import send_delivery
from tests.factories import OrganisationFactory, RuleFactory, UserFactory
from tests.fake_provider import FakeProvider
from tests.reliability.processes import RedisServer, Worker
from tests.testapp.models import Appointment, Guest
from tests.workers import database_url_for_workers


@pytest.fixture
def postgresql_and_redis():
    if connection.vendor != "postgresql":
        pytest.skip(
            "fault tests need PostgreSQL, which worker processes share with the test: "
            "run with DATABASE_URL=postgres://..."
        )
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("fault tests need the Redis broker: run with CELERY_BROKER_URL=redis://...")
    if not shutil.which("redis-server"):
        pytest.skip("fault tests start a redis-server of their own, and none is installed")


@pytest.fixture
def broker(postgresql_and_redis):
    """A private Redis, which the engine's tasks are published to during the test."""
    server = RedisServer().start()
    previous = send_delivery.app.conf.broker_url, send_delivery.app.conf.task_always_eager
    try:
        with pytest.MonkeyPatch.context() as patch:
            # Celery reads CELERY_BROKER_URL from the environment before its own settings.
            patch.setenv("CELERY_BROKER_URL", server.url)
            _publish_to(server.url, eager=False)
            # The relay puts emitted events on that broker, as its own process does.
            loop = Relay(interval=0.02).start()
            try:
                yield server
            finally:
                loop.stop()
    finally:
        _publish_to(*previous)
        server.close()


def _publish_to(url, eager):
    celery_app = send_delivery.app  # the project's app, which emit and queue_sends use
    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = eager
    assert celery_app.conf.broker_url == url
    # The app holds on to its connection pool (kombu's, shared by every app on that
    # broker, so not to be closed here): drop it, and the next publish takes `url`'s.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def provider():
    """The fake ESP; kept-alive connections, as a real API offers."""
    fake = FakeProvider(latency=0.02, keep_alive=True).start()
    yield fake
    fake.stop()


@pytest.fixture
def start_worker(broker, provider):
    """Start worker processes on the private broker; every one is stopped after the test."""
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.reliability.worker_settings",
        "DATABASE_URL": database_url_for_workers(),
        "DATABASE_CONN_MAX_AGE": "60",
        "CELERY_BROKER_URL": broker.url,
        "EMAIL_BACKEND": "anymail.backends.brevo.EmailBackend",
        "ANYMAIL_BREVO_API_KEY": "test-key",
        "ANYMAIL_BREVO_API_URL": provider.url + "/v3/",
        "RELAIS_RETRY_BASE_SECONDS": "1",
    }
    started = []

    def start(concurrency=4):
        worker = Worker(env, concurrency=concurrency).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def snow_alert(db):
    """`snow_alert(n)`: an appointment whose n guests a bulk email rule reaches."""
    Rule.objects.all().delete()  # the shipped defaults would write to the client too
    organisation = OrganisationFactory(
        name="Résidence Les Tilleuls", sending_mode=Organisation.SendingMode.PRODUCTION
    )
    RuleFactory(name="Snow alert", roles=["guests"], channels=["email"], priority="bulk")

    def make(n, **guest_fields):
        appointment = Appointment.objects.create(
            organisation=organisation,
            title="Alerte neige",
            start="2027-01-10T07:00Z",
            client=UserFactory(),
        )
        Guest.objects.bulk_create(
            Guest(
                appointment=appointment,
                name=f"Occupant {i}",
                email=f"occupant{i}.{appointment.pk}@example.test",
            )
            for i in range(n)
        )
        return appointment

    return make


def emails_received(provider):
    """Addresses the provider was asked to send to, one entry per complete request
    (a request a killed worker cut short is only counted, in `provider.cut`)."""
    return [request.body["to"][0]["email"] for request in provider.sent("email")]
