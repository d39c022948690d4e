"""Fan-out batches (SPEC N-18): counts by outcome and skip reason, kept by the database as
deliveries move on, one batch page, and "resend the failed"."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import notifications
from accounts.models import Role
from notifications import batches, dispatch, outbox, sending
from notifications.channels import ChannelError
from notifications.consent.ledger import record
from notifications.consent.state import phone_sender
from notifications.events import EventGroup, EventType, RecipientRole, register, unregister
from notifications.feedback import status as feedback
from notifications.models import BatchTally, ConsentRecord, Delivery
from tests.factories import OrganisationFactory, RuleFactory, member
from tests.testapp.models import Guest

pytestmark = pytest.mark.django_db
Status, Skip = Delivery.Status, Delivery.Skip
BUCKET = {
    Status.SCHEDULED: "pending",
    Status.QUEUED: "pending",
    Status.SENDING: "pending",
    Status.SENT: "sent",
    Status.DELIVERED: "delivered",
    Status.OPENED: "delivered",
    Status.CLICKED: "delivered",
}


@pytest.fixture(autouse=True)
def broadcast():
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


def truth(batch):
    """The buckets as counted from the rows themselves: what the tally must say."""
    buckets = Counter()
    for status, code in Delivery.objects.filter(batch=batch).values_list("status", "reason_code"):
        if status in (Status.FAILED, Status.BOUNCED):
            buckets[code if code in (Skip.RESENT, Skip.FELL_BACK) else "failed"] += 1
        else:
            buckets[BUCKET.get(status, f"skipped:{code}")] += 1
    return dict(buckets)


@pytest.fixture
def fan_out(appointment_factory, organisation, monkeypatch):
    """A broadcast to 12 guests, 3 without an address and 2 who texted STOP, planned not sent."""
    monkeypatch.setattr(outbox, "queue_sends", lambda rows: None)
    RuleFactory(event_code="testapp.broadcast", roles=["guests"], channels=["sms"])
    appointment = appointment_factory()
    for n in range(12):
        phone = "" if n < 3 else f"+3361234{n:04d}"
        Guest.objects.create(appointment=appointment, name=f"Guest {n}", phone=phone)
    for n in (3, 4):
        stop = {"channel": "sms", "method": "sms", "text": "STOP", "sender": phone_sender()}
        record(ConsentRecord.Kind.STOP, address=f"+3361234{n:04d}", **stop)
    batch = batches.start(organisation, "Tournée 12", "route_run", targeted=12)
    event = notifications.emit("testapp.broadcast", appointment, batch=batch)
    dispatch.plan_event(event.pk)
    return batch


def test_n18_a_batch_counts_its_planning_with_skips_by_reason_code(fan_out):
    counts = batches.counts(fan_out)
    assert (counts.targeted, counts.planned, counts.pending) == (12, 12, 7)
    assert counts.skipped == {Skip.NO_CONTACT: 3, Skip.STOP: 2}
    assert counts.buckets == truth(fan_out)


def test_n18_counts_follow_sends_failures_webhooks_and_cancellations(fan_out, monkeypatch):
    queued = list(Delivery.objects.filter(batch=fan_out, status=Status.QUEUED).order_by("pk"))
    broken = {queued[0].pk, queued[1].pk}
    real_send = sending.get_backend("sms").__class__.transmit

    def flaky(backend, delivery):
        if delivery.pk in broken:
            raise ChannelError("21211 invalid number", permanent=True)
        return real_send(backend, delivery)

    monkeypatch.setattr(sending.get_backend("sms").__class__, "transmit", flaky)
    for delivery in queued[:5]:
        sending.send(delivery.pk)
    sent = Delivery.objects.filter(batch=fan_out, status=Status.SENT).order_by("pk")
    feedback.record(sent[0].provider_message_id, Status.DELIVERED)  # a late webhook
    Delivery.objects.filter(pk=queued[6].pk).update(
        status=Status.CANCELLED, reason_code=Skip.WITHDRAWN
    )
    counts = batches.counts(fan_out)
    assert (counts.sent, counts.delivered, counts.failed, counts.pending) == (3, 1, 2, 1)
    assert counts.skipped == {Skip.NO_CONTACT: 3, Skip.STOP: 2, Skip.WITHDRAWN: 1}
    assert counts.buckets == truth(fan_out)


def test_n18_resend_the_failed_leaves_failed_for_resent_and_counts_the_copies(fan_out, monkeypatch):
    failed = Delivery.objects.filter(batch=fan_out, status=Status.QUEUED)[:2]
    Delivery.objects.filter(pk__in=[d.pk for d in failed]).update(status=Status.FAILED)
    assert batches.counts(fan_out).failed == 2
    assert batches.resend_failed(fan_out) == 2
    counts = batches.counts(fan_out)
    assert (counts.failed, counts.resent, counts.planned, counts.pending) == (0, 2, 14, 7)
    assert counts.buckets == truth(fan_out)
    assert batches.resend_failed(fan_out) == 0  # each failure is sent again once


def test_n18_rows_outside_a_batch_write_no_tally(appointment_factory, monkeypatch):
    monkeypatch.setattr(outbox, "queue_sends", lambda rows: None)
    RuleFactory(channels=["email"])
    event = notifications.emit("testapp.booked", appointment_factory())
    dispatch.plan_event(event.pk)
    assert event.deliveries.count() == 1 and not BatchTally.objects.exists()


@pytest.fixture
def manager(client, organisation):
    client.force_login(member(organisation, Role.MANAGER, email="desk@example.test"))
    return client


def test_n18_the_batch_page_shows_the_counts_without_reading_the_delivery_table(fan_out, manager):
    url = reverse("admin:notifications_batch_change", args=[fan_out.pk])
    with CaptureQueriesContext(connection) as queries:
        page = manager.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Tournée 12" in text
    assert [(str(label), n) for label, n, _url in page.context["skipped"]] == [
        ("aucun moyen de contact", 3),
        ("a répondu STOP", 2),
    ]
    assert page.context["counts"].planned == 12
    # The header's unread count reads the reader's own inbox; nothing reads the batch's rows.
    batch_rows = [q["sql"] for q in queries if 'FROM "notifications_delivery"' in q["sql"]]
    assert not [sql for sql in batch_rows if "batch_id" in sql]
    listing = manager.get(reverse("admin:notifications_batch_changelist"))
    assert listing.status_code == 200 and "Tournée 12" in listing.content.decode()


def test_n18_another_organisations_manager_sees_no_batch_and_resends_nothing(fan_out, client):
    stranger = member(OrganisationFactory(), Role.MANAGER, email="other@example.test")
    client.force_login(stranger)
    Delivery.objects.filter(batch=fan_out, status=Status.QUEUED).update(status=Status.FAILED)
    page = client.get(reverse("admin:notifications_batch_change", args=[fan_out.pk]))
    assert page.status_code in (302, 404)
    resend = reverse("admin:notifications_batch_resend_failed", args=[fan_out.pk])
    assert client.post(resend).status_code == 404
    assert batches.counts(fan_out).failed == 7


def test_n18_resend_the_failed_from_the_batch_page(fan_out, manager):
    Delivery.objects.filter(batch=fan_out, status=Status.QUEUED).update(status=Status.FAILED)
    resend = reverse("admin:notifications_batch_resend_failed", args=[fan_out.pk])
    assert manager.get(resend).status_code == 405  # a GET never acts
    response = manager.post(resend, follow=True)
    assert response.status_code == 200
    assert batches.counts(fan_out).resent == 7


def test_n18_the_delivery_log_filters_a_batch_by_skip_reason(fan_out, manager):
    log = reverse("admin:notifications_delivery_changelist")
    page = manager.get(log, {"batch": fan_out.pk, "reason_code__exact": Skip.STOP})
    assert page.status_code == 200
    assert len(page.context["cl"].result_list) == 2
    assert manager.get(log, {"batch": "junk"}).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_n18_workers_sending_one_batch_at_once_keep_its_counts_exact(
    appointment_factory, organisation, monkeypatch
):
    """On PostgreSQL, eight threads send 200 deliveries of one batch: no lost count, no deadlock."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are real only on PostgreSQL: run with DATABASE_URL=…")
    monkeypatch.setattr(outbox, "queue_sends", lambda rows: None)
    RuleFactory(event_code="testapp.broadcast", roles=["guests"], channels=["sms"])
    appointment = appointment_factory()
    Guest.objects.bulk_create(
        Guest(appointment=appointment, name=f"G{n}", phone=f"+3361235{n:04d}") for n in range(200)
    )
    batch = batches.start(organisation, "Storm", "broadcast", targeted=200)
    dispatch.plan_event(notifications.emit("testapp.broadcast", appointment, batch=batch).pk)
    ids = list(Delivery.objects.filter(batch=batch).values_list("pk", flat=True))
    start, errors = threading.Barrier(8, timeout=30), []

    def worker(share):
        try:
            start.wait()
            for pk in share:
                sending.send(pk)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(ids[n::8],), daemon=True) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads) and errors == []
    counts = batches.counts(batch)
    assert (counts.sent, counts.pending) == (200, 0)
    assert counts.buckets == truth(batch)


def test_n18_a_batch_deleted_keeps_its_deliveries_and_writes_no_orphan_tally(fan_out):
    """Deleting a batch (its organisation leaving, a cleanup) unlinks its deliveries:
    the triggers must not count them into the batch being deleted."""
    rows = set(Delivery.objects.filter(batch=fan_out).values_list("pk", flat=True))
    fan_out.delete()
    assert set(Delivery.objects.filter(batch=None).values_list("pk", flat=True)) >= rows
    assert not BatchTally.objects.exists()


def test_n18_deliveries_deleted_with_their_batch_leave_no_tally(fan_out, organisation):
    """The organisation deleted: batch, events and deliveries go together."""
    organisation.delete()
    assert not BatchTally.objects.exists()
    assert not Delivery.objects.exists()
