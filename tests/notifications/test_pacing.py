"""Pacing (SPEC N-21): each sender sends at its configured rate, whichever worker sends,
and a large batch says when it should finish."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

import notifications
from notifications import batches, dispatch, outbox, pacing, sending
from notifications.channels.sms import ConsoleSMS
from notifications.events import EventGroup, EventType, RecipientRole, register, unregister
from notifications.models import Delivery
from tests.factories import RuleFactory
from tests.testapp.models import Guest

pytestmark = pytest.mark.django_db
Status = Delivery.Status
SECOND = datetime.timedelta(seconds=1)


@pytest.fixture(autouse=True)
def paced(settings, monkeypatch):
    settings.RELAIS_SEND_RATES = {"sms": 4}
    monkeypatch.setattr(pacing, "MAX_WAIT", datetime.timedelta(seconds=1))
    register(
        EventType(
            code="testapp.broadcast",
            label="Broadcast",
            group=EventGroup("appointments", "Appointments"),
            roles=[RecipientRole("guests", "Guests", lambda a, event: a.guests.order_by("pk"))],
        )
    )
    yield
    unregister("testapp.broadcast")


@pytest.fixture
def requeued(monkeypatch):
    """What sending leaves for later: [(rows, countdown)]."""
    calls = []
    monkeypatch.setattr(
        sending, "queue_sends", lambda rows, countdown=None: calls.append((rows, countdown))
    )
    monkeypatch.setattr(outbox, "queue_sends", lambda rows, countdown=None: None)
    return calls


@pytest.fixture
def sms_run(appointment_factory, organisation):
    def make(n):
        RuleFactory(event_code="testapp.broadcast", roles=["guests"], channels=["sms"])
        appointment = appointment_factory()
        Guest.objects.bulk_create(
            Guest(appointment=appointment, name=f"G{i}", phone=f"+3361236{i:04d}") for i in range(n)
        )
        batch = batches.start(organisation, "Storm", "route_run", targeted=n)
        event = notifications.emit("testapp.broadcast", appointment, batch=batch)
        dispatch.plan_event(event.pk)
        return batch, list(event.deliveries.order_by("pk").values_list("pk", flat=True))

    return make


def test_n21_bookings_of_one_sender_never_share_a_turn(db):
    now = timezone.now()
    first, booked = pacing.book("sms", 3, now)
    second, more = pacing.book("sms", 10, now)
    assert (first, booked) == (now, 3)
    # Its turns start where the first booking's end, and only what fits the wait is booked.
    assert second == now + 3 * SECOND / 4 and more == 1
    assert pacing.book("sms", 5, now) == (None, 0)  # booked up: come back later
    assert pacing.come_back("sms", now) == now + SECOND  # its turns near in a second


def test_n21_a_batch_sends_its_sms_at_the_senders_pace_and_leaves_the_rest_for_later(
    sms_run, requeued, monkeypatch
):
    sent_at = []
    real = ConsoleSMS.transmit

    def provider(backend, delivery):
        sent_at.append(timezone.now())
        return real(backend, delivery)

    monkeypatch.setattr(ConsoleSMS, "transmit", provider)
    batch, ids = sms_run(10)
    before = timezone.now()
    assert sending.send_batch(ids) == []
    # 4 per second, 1 second of room: 4 sent, each at its turn, never before it.
    assert len(sent_at) == 4
    turns = [before + i * SECOND / 4 for i in range(4)]
    assert all(sent >= turn for sent, turn in zip(sent_at, turns, strict=True)), sent_at
    statuses = dict(Delivery.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert list(statuses.values()).count(Status.SENT) == 4
    [(rows, countdown)] = requeued
    assert [pk for pk, _priority in rows] == ids[4:]
    assert all(statuses[pk] == Status.QUEUED for pk in ids[4:])  # untouched: no attempt spent
    assert 0 < countdown <= 1.0
    assert Delivery.objects.filter(pk__in=ids[4:], attempts=0).count() == 6


def test_n21_the_batch_page_says_when_it_should_finish(sms_run, requeued):
    batch, ids = sms_run(40)
    counts = batches.counts(batch)
    now = timezone.now()
    # Before the first message: at the sender's configured pace, 40 at 4 per second.
    assert batches.expected_finish(batch, counts, now) == now + 10 * SECOND
    Delivery.objects.filter(pk__in=ids[:20]).update(status=Status.SENT)
    later = batch.created_at + 10 * SECOND
    # While it runs: at the pace kept so far, 20 in 10 s, 20 more to go.
    assert batches.expected_finish(batch, batches.counts(batch), later) == later + 10 * SECOND


@pytest.mark.django_db(transaction=True)
def test_n21_workers_booking_at_once_get_turns_one_after_another(db):
    """On PostgreSQL, eight threads book the same sender at once: no two get the same turn."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are real only on PostgreSQL: run with DATABASE_URL=…")
    now = timezone.now()
    start, results, errors = threading.Barrier(8, timeout=30), [], []

    def worker():
        try:
            start.wait()
            results.append(pacing.book("sms", 1, now))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    turns = sorted(turn for turn, booked in results if booked)
    assert len(turns) == 4  # a second of room at 4 per second; the others come back later
    assert turns == [now + i * SECOND / 4 for i in range(4)]


def test_n21_c6_an_organisations_own_number_has_its_own_budget(
    fake_provider, organisation, other_organisation, appointment_factory, alice, requeued
):
    from notifications.messengers.models import Integration
    from tests.testapp.models import Appointment

    own = Integration(
        organisation=organisation, twilio_account_sid="AC" + "5" * 32, sms_from="+33755555555"
    )
    own.twilio_auth_token = "own-token"
    own.save()
    other_organisation.sending_mode = "production"
    other_organisation.save()
    RuleFactory(event_code="testapp.broadcast", roles=["guests"], channels=["sms"])
    elsewhere = Appointment.objects.create(
        organisation=other_organisation, client=alice, title="Coupe", start=timezone.now()
    )
    ids = []
    for n, appointment in enumerate([appointment_factory(), elsewhere]):
        Guest.objects.bulk_create(
            Guest(appointment=appointment, name=f"G{i}", phone=f"+336123{n}{i:04d}")
            for i in range(4)
        )
        event = notifications.emit("testapp.broadcast", appointment)
        dispatch.plan_event(event.pk)
        ids += event.deliveries.values_list("pk", flat=True)
    assert sending.send_batch(ids) == []
    # 4 per second each, 1 second of room: both senders send their 4, neither waits.
    senders = [sms.body["From"] for sms in fake_provider.sent("sms")]
    assert sorted(senders) == ["+33700000000"] * 4 + ["+33755555555"] * 4
    assert requeued == []
