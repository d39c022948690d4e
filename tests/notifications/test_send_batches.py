"""Sending in batches (SPEC N-21): few tasks for a fan-out, a constant number of queries per
batch, provider calls that overlap, and each row's outcome recorded."""

import math
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from celery import current_app
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

import notifications
from notifications import dispatch, outbox, sending
from notifications.channels import ChannelError
from notifications.channels.email import EmailChannel
from notifications.events import EventGroup, EventType, RecipientRole, register, unregister
from notifications.models import Delivery
from tests.factories import RuleFactory
from tests.testapp.models import Guest

pytestmark = pytest.mark.django_db
Status = Delivery.Status


@pytest.fixture(autouse=True)
def broadcast():
    register(
        EventType(
            code="testapp.broadcast",
            label="Broadcast",
            group=EventGroup("appointments", "Appointments"),
            roles=[RecipientRole("guests", "Guests", lambda a, event: a.guests.order_by("pk"))],
            context=lambda appointment, data: {"title": appointment.title},
        )
    )
    yield
    unregister("testapp.broadcast")


@pytest.fixture
def planned(appointment_factory, monkeypatch):
    """`planned(n)`: a broadcast to n guests by email, planned, nothing sent: the queued ids."""
    monkeypatch.setattr(outbox, "queue_sends", lambda rows, countdown=None: None)
    RuleFactory(
        event_code="testapp.broadcast",
        roles=["guests"],
        channels=["email"],
        templates={"fr": ("{{ title }}", "Bonjour {{ recipient_name }}.")},
    )

    def plan(n):
        appointment = appointment_factory()
        Guest.objects.bulk_create(
            Guest(appointment=appointment, name=f"Guest {i}", email=f"g{i}@example.test")
            for i in range(n)
        )
        event = notifications.emit("testapp.broadcast", appointment)
        dispatch.plan_event(event.pk)
        return list(event.deliveries.order_by("pk").values_list("pk", flat=True))

    return plan


def test_n21_a_fan_out_publishes_one_task_per_batch_not_per_message(
    appointment_factory, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.RELAIS_SEND_BATCH_SIZE = 50
    RuleFactory(event_code="testapp.broadcast", roles=["guests"], channels=["email"])
    appointment = appointment_factory()
    Guest.objects.bulk_create(
        Guest(appointment=appointment, name=f"G{i}", email=f"g{i}@example.test") for i in range(120)
    )
    published = []
    task = current_app.tasks[outbox.SEND_BATCH]
    monkeypatch.setattr(task, "apply_async", lambda args, **options: published.append(args[0]))
    with django_capture_on_commit_callbacks(execute=True):
        event = notifications.emit("testapp.broadcast", appointment)
    assert len(published) == math.ceil(120 / 50)
    assert sorted(pk for batch in published for pk in batch) == sorted(
        event.deliveries.values_list("pk", flat=True)
    )


def test_n21_a_single_message_leaves_at_once_in_a_task_of_its_own(appointment_factory, emit_now):
    RuleFactory(channels=["email"])
    emit_now("testapp.booked", appointment_factory())
    assert len(mail.outbox) == 1  # no window waiting for company


def test_n21_the_queries_of_a_batch_do_not_grow_with_its_size(planned):
    counts = {}
    for size in (5, 40):
        ids = planned(size)
        with CaptureQueriesContext(connection) as queries:
            assert sending.send_batch(ids) == []
        counts[size] = len(queries)
        assert Delivery.objects.filter(pk__in=ids, status=Status.SENT).count() == size
    assert counts[5] == counts[40], counts
    assert len(mail.outbox) == 45
    assert {m.subject for m in mail.outbox} == {"Coupe"}
    assert "Bonjour Guest 39." in {m.body.split("\n")[0] for m in mail.outbox}


def test_n21_provider_calls_of_a_batch_overlap(planned, monkeypatch):
    """Four calls must be in flight at once for the barrier to open: sequential calls would
    break it (BrokenBarrierError after its timeout) and fail the batch."""
    together = threading.Barrier(4, timeout=10)
    real = EmailChannel.transmit

    def waits_for_the_others(backend, message):
        together.wait()
        return real(backend, message)

    pool = ThreadPoolExecutor(4)
    monkeypatch.setattr(sending, "_pool", lambda: pool)
    monkeypatch.setattr(EmailChannel, "transmit", waits_for_the_others)
    ids = planned(4)
    try:
        assert sending.send_batch(ids) == []
    finally:
        pool.shutdown()
    assert Delivery.objects.filter(pk__in=ids, status=Status.SENT).count() == 4


def test_n21_each_row_of_a_batch_keeps_its_own_outcome(planned, monkeypatch):
    ids = planned(4)
    real = EmailChannel.transmit
    outcome = {
        "g1@example.test": ChannelError("mailbox full, later", permanent=False),
        "g2@example.test": ChannelError("550 no such user", permanent=True),
    }

    def provider(backend, message):
        address = message.to[0].split("<")[-1].rstrip(">")
        if address in outcome:
            raise outcome[address]
        return real(backend, message)

    monkeypatch.setattr(EmailChannel, "transmit", provider)
    retries = sending.send_batch(ids)
    rows = {d.address: d for d in Delivery.objects.filter(pk__in=ids)}
    assert [r.delivery_id for r in retries] == [rows["g1@example.test"].pk]
    assert {a: (d.status, d.attempts) for a, d in rows.items()} == {
        "g0@example.test": (Status.SENT, 1),
        "g1@example.test": (Status.QUEUED, 1),
        "g2@example.test": (Status.FAILED, 1),
        "g3@example.test": (Status.SENT, 1),
    }
    assert rows["g2@example.test"].last_error == "550 no such user"
    assert rows["g0@example.test"].subject == "Coupe"  # what left is stored with it


def test_n21_a_batch_claimed_twice_is_sent_once(planned):
    ids = planned(3)
    assert sorted(sending.claim(ids)) == ids  # RETURNING gives them in no set order
    assert sending.claim(ids) == []  # another worker's task for the same rows gets nothing
    assert sending.send_batch(ids) == [] and not mail.outbox
    sent = Delivery.objects.filter(pk__in=ids)
    assert {(d.status, d.attempts) for d in sent} == {(Status.SENDING, 1)}
