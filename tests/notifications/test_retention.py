"""Retention of delivery contents (SPEC P-5): old rows redacted in bounded batches, counts kept."""

import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications import retention, tasks
from notifications.dashboard.models import DeliveryTally
from notifications.models import Delivery, Event
from notifications.recipients import Recipient
from tests.factories import OrganisationFactory, UserFactory, member

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 12, 1, 3, 0, tzinfo=datetime.UTC)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def delivery(organisation, person, *, age_days, status=Delivery.Status.DELIVERED, **fields):
    """A delivery to `person` created `age_days` ago, with its text and address."""
    event = Event.objects.create(code="testapp.booked", organisation=organisation)
    row = Delivery.to(
        Recipient.from_user(person),
        event=event,
        channel=fields.pop("channel", "email"),
        address=person.email,
        priority="default",
        dedupe_key=f"{event.pk}:{person.pk}",
        status=status,
        send_at=NOW,
        subject=f"Bonjour {person.display_name}",
        body=f"Votre visite, {person.display_name}.",
        html=f"<p>{person.display_name}</p>",
        last_error=f"550 {person.email} unknown",
        sent_at=NOW - datetime.timedelta(days=age_days),
        **fields,
    )
    row.save()
    created = NOW - datetime.timedelta(days=age_days)
    Delivery.objects.filter(pk=row.pk).update(created_at=created)
    return Delivery.objects.get(pk=row.pk)


def counts():
    """What the dashboard counts: rows per organisation, status, channel, reason and day."""
    return list(
        Delivery.objects.values("organisation", "status", "channel", "reason_code", "created_at")
        .annotate(rows=Count("pk"))
        .order_by("organisation", "status", "channel", "created_at")
    )


def test_p5_retention_redacts_old_contents_and_keeps_recent_ones(frozen, organisation, alice):
    old = delivery(organisation, alice, age_days=420)  # 14 months
    recent = delivery(organisation, alice, age_days=30)
    assert retention.redact_expired() == 1
    old.refresh_from_db()
    assert (old.subject, old.body, old.html, old.address) == ("", "", "", "")
    assert (old.recipient_name, old.last_error) == ("", "")
    assert old.redacted_at == NOW
    assert (old.status, old.channel, old.sent_at) == (
        Delivery.Status.DELIVERED,
        "email",
        NOW - datetime.timedelta(days=420),
    )
    recent.refresh_from_db()
    assert recent.body == "Votre visite, Alice Durand." and recent.address == alice.email
    assert recent.redacted_at is None


def test_p5_retention_keeps_what_the_dashboard_counts(frozen, organisation, alice):
    for age in (500, 450, 400, 10):
        delivery(organisation, alice, age_days=age)
    delivery(
        organisation, alice, age_days=480, status=Delivery.Status.SUPPRESSED, reason_code="stop"
    )
    delivery(organisation, alice, age_days=470, status=Delivery.Status.FAILED, channel="sms")
    before = counts()
    assert retention.redact_expired() == 5
    assert counts() == before


def test_p4_p5_retention_leaves_the_dashboards_tally_as_it_was(frozen, organisation, alice):
    for age in (500, 400, 10):
        delivery(organisation, alice, age_days=age, failure="email:bounced", segments=2)
    delivery(organisation, alice, age_days=450, status=Delivery.Status.FAILED, channel="sms")

    def tally():
        rows = DeliveryTally.objects.values("hour", "channel", "status", "reason_code", "failure")
        return list(rows.annotate(n=Sum("count"), s=Sum("segments")).order_by("hour", "channel"))

    before = tally()
    assert retention.redact_expired() == 3
    assert tally() == before and sum(row["n"] for row in before) == 4


def test_p5_retention_follows_each_organisations_setting(frozen):
    brief = OrganisationFactory(name="Courte", retention_months=6)
    long = OrganisationFactory(name="Longue", retention_months=24)
    person = member(brief, email="carole@example.test", display_name="Carole Petit")
    in_brief = delivery(brief, person, age_days=365)
    in_long = delivery(long, person, age_days=365)
    retention.redact_expired()
    in_brief.refresh_from_db()
    in_long.refresh_from_db()
    assert in_brief.redacted_at == NOW and in_brief.body == ""
    assert in_long.redacted_at is None and in_long.body


def test_p5_retention_redacts_in_bounded_batches(frozen, organisation, alice, settings):
    settings.RELAIS_RETENTION_BATCH = 2
    for age in range(400, 405):
        delivery(organisation, alice, age_days=age)
    with CaptureQueriesContext(connection) as queries:
        assert retention.redact_expired() == 5
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "notifications_delivery"')]
    assert len(updates) == 3  # 2 + 2 + 1 rows, never one statement for all
    batches = [re.search(r'"id" IN \(([^)]*)\)', update).group(1).split(",") for update in updates]
    assert [len(ids) for ids in batches] == [2, 2, 1]


def test_p5_retention_with_nothing_left_to_do_reads_nothing_again(frozen, organisation, alice):
    for age in range(400, 410):
        delivery(organisation, alice, age_days=age)
    retention.redact_expired()
    with CaptureQueriesContext(connection) as queries:
        assert retention.redact_expired() == 0
    assert not [q for q in queries if 'UPDATE "notifications_delivery"' in q["sql"]]
    # Each organisation: its mark, read; nothing else of the delivery table.
    assert not [q for q in queries if 'FROM "notifications_delivery"' in q["sql"]]


def test_p5_retention_waits_for_a_message_still_on_its_way(frozen, organisation, alice):
    waiting = delivery(organisation, alice, age_days=400, status=Delivery.Status.QUEUED)
    assert retention.redact_expired() == 0
    waiting.refresh_from_db()
    assert waiting.address == alice.email
    Delivery.objects.filter(pk=waiting.pk).update(status=Delivery.Status.SENT)
    assert retention.redact_expired() == 1


def test_p5_retention_covers_deliveries_of_no_organisation(frozen, settings):
    settings.RELAIS_RETENTION_MONTHS = 13
    person = UserFactory(email="dan@example.test", display_name="Dan Roux")
    orphan = delivery(None, person, age_days=400)
    retention.redact_expired()
    orphan.refresh_from_db()
    assert orphan.redacted_at == NOW


def test_p5_retention_runs_from_beat(frozen, organisation, alice):
    declared = [task["task"] for task in settings.RELAIS_PERIODIC_TASKS.values()]
    assert "notifications.tasks.redact_expired_deliveries" in declared
    delivery(organisation, alice, age_days=400)
    assert tasks.redact_expired_deliveries.delay().get() == 1


def test_p5_months_before_keeps_the_day_or_takes_the_months_last():
    march_31 = datetime.datetime(2026, 3, 31, 12, 0, tzinfo=datetime.UTC)
    assert retention.months_before(march_31, 1) == march_31.replace(month=2, day=28)
    assert retention.months_before(march_31, 13) == march_31.replace(year=2025, month=2, day=28)
    assert retention.months_before(NOW, 13) == NOW.replace(year=2025, month=11)


def test_p5_delivery_page_says_when_it_was_redacted(frozen, client, organisation, alice):
    root = UserFactory(email="root@example.test", is_staff=True, is_superuser=True)
    old = delivery(organisation, alice, age_days=420)
    retention.redact_expired()
    client.force_login(root)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("admin:notifications_delivery_change", args=[old.pk]))
    assert page.status_code == 200
    assert 'id="delivery-redacted"' in page.content.decode()
    assert "Redacted on" in page.content.decode()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="query plans: run with DATABASE_URL=postgres://..."
)
def test_p5_retention_reads_the_delivery_table_through_an_index(frozen, organisation, alice):
    for age in range(400, 405):
        delivery(organisation, alice, age_days=age)
    delivery(organisation, alice, age_days=400, status=Delivery.Status.QUEUED)
    with CaptureQueriesContext(connection) as captured:
        retention.redact_expired()
    reads = [
        q["sql"]
        for q in captured
        if q["sql"].startswith("SELECT") and 'FROM "notifications_delivery"' in q["sql"]
    ]
    assert reads
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # a plan that must scan the table says so
        for sql in reads:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Seq Scan on notifications_delivery" not in plan, plan
        cursor.execute("RESET enable_seqscan")
