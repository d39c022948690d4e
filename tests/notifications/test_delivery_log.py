"""The delivery log at scale (SPEC N-6, A-8): counts bounded, every filter and search on an index.

Timings live in bench/admin_log.py; here, what makes them hold: the paginator
never counts past its bound, and on PostgreSQL each query the log runs can be
answered from an index (with sequential scans made as costly as possible, the
plan still reads none).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.admin.paging import EstimatedCountPaginator
from notifications.models import Delivery, Event
from tests.notifications.test_admin import _delivery, _english, _event

pytestmark = pytest.mark.django_db
LOG = reverse("admin:notifications_delivery_changelist")
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="query plans: run with DATABASE_URL=postgres://..."
)


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return _english(client)


@pytest.fixture
def many(organisation):
    """Twelve deliveries of Bob's organisation."""
    event = _event(organisation)
    return [_delivery(event, f"occupant{i}@example.test") for i in range(12)]


def test_n6_counts_exactly_up_to_its_bound(many, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", 20)
    paginator = EstimatedCountPaginator(Delivery.objects.order_by("-pk"), 5)
    assert (paginator.count, paginator.estimated, paginator.num_pages) == (12, False, 3)


def test_n6_estimates_past_its_bound_and_offers_a_bounded_number_of_pages(many, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", 10)
    monkeypatch.setattr(EstimatedCountPaginator, "max_pages", 2)
    paginator = EstimatedCountPaginator(Delivery.objects.order_by("-pk"), 5)
    assert paginator.estimated is False and paginator.count >= 11 and paginator.estimated
    assert paginator.num_pages == 2 and paginator.truncated
    assert list(paginator.page(2)) == many[::-1][5:10]


def test_n6_an_estimate_past_the_last_row_gives_an_empty_page_not_an_error(many, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", 10)
    monkeypatch.setattr("notifications.admin.paging.planner_estimate", lambda rows: 40)
    paginator = EstimatedCountPaginator(Delivery.objects.order_by("-pk"), 5)
    assert paginator.count == 40 and paginator.num_pages == 8
    assert list(paginator.page(8)) == []


def test_n6_the_log_says_about_how_many_when_it_estimates(bob_client, many, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", 10)
    monkeypatch.setattr("notifications.admin.paging.planner_estimate", lambda rows: 1234567)
    page = bob_client.get(LOG).content.decode()
    assert "about 1,234,567 messages" in page
    assert "Older ones: narrow the list with a filter or a search." in page


@on_postgresql  # SQLite has no estimate: a small installation's log is counted
def test_n6_the_log_counts_no_row_past_its_bound(bob_client, many, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", 10)
    with CaptureQueriesContext(connection) as captured:
        assert bob_client.get(LOG, {"status": "sent"}).status_code == 200
    log = [q["sql"] for q in captured if "notifications_delivery" in q["sql"]]
    # The portal's badge counts one person's unread in-app messages: few, on their index.
    counts = [sql for sql in log if "COUNT(" in sql and '"user_id" =' not in sql]
    assert counts and all("LIMIT 11" in sql for sql in counts)


def _plans(client, params):
    """The plans of the log's statements on the delivery table, sequential scans disabled."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(LOG, params).status_code == 200
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        for query in captured:
            if query["sql"].startswith("SELECT") and "notifications_delivery" in query["sql"]:
                cursor.execute("EXPLAIN " + query["sql"])
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
        cursor.execute("RESET enable_seqscan")
    return plans


@on_postgresql
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"channel": "voice"},
        {"status": "failed"},
        {"event_code": "testapp.secret_code"},
        {"created_at__gte": "2026-12-01 00:00+00:00", "created_at__lt": "2026-12-02 00:00+00:00"},
        {"q": "Occupant3@example.test"},
        {"q": "06 12 34 56 78"},
        {"q": "SM8f2a"},
        {"p": "2"},
    ],
)
def test_n6_every_filter_and_search_of_the_log_reads_an_index(bob_client, many, params):
    plans = _plans(bob_client, params)
    assert plans
    for plan in plans:
        assert "Seq Scan on notifications_delivery" not in plan, plan
        assert "Seq Scan on notifications_event" not in plan, plan


@on_postgresql
def test_n8_the_relay_the_sweeper_and_a_moving_target_read_indexes(
    appointment_factory, organisation
):
    import datetime

    from django.contrib.contenttypes.models import ContentType

    appointment = appointment_factory()
    a_minute_ago = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
    queries = [
        Event.objects.filter(planned_at=None, queued_at=None).order_by("created_at")[:500],
        Event.objects.filter(planned_at=None, created_at__lt=a_minute_ago).order_by("created_at"),
        Event.objects.filter(
            target_type=ContentType.objects.get_for_model(appointment), target_id=appointment.pk
        ),
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plans = [query.explain() for query in queries]
        cursor.execute("RESET enable_seqscan")
    for plan in plans:
        assert "Seq Scan" not in plan, plan
