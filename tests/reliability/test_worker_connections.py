"""A worker thread keeps its PostgreSQL connection from one message to the next (settings).

Celery's Django fixup closes the connection after every task unless told
otherwise: one new connection (and PostgreSQL server process) per message,
which cost a third of the sending rate in bench/throughput.py. With
DATABASE_CONN_MAX_AGE set, as the fault tests' workers have it, connections
opened before the first message are still there after the last.
"""

import pytest
from django.db import connection
from django.db.models import Min

import notifications
from notifications.models import Delivery
from tests.reliability.processes import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGES = 40
THREADS = 2


def test_a_worker_thread_keeps_its_database_connection_between_messages(snow_alert, start_worker):
    appointment = snow_alert(MESSAGES)
    with connection.cursor() as cursor:  # the server's clock, as backend_start is
        cursor.execute("SELECT clock_timestamp()")
        (before_start,) = cursor.fetchone()
    start_worker(concurrency=THREADS)
    notifications.emit("testapp.booked", appointment)
    deliveries = Delivery.objects.filter(event__target_id=appointment.pk)
    wait_for(
        lambda: deliveries.filter(status=Delivery.Status.SENT).count() == MESSAGES,
        60,
        "the messages were not all sent",
    )
    first_sent = deliveries.aggregate(first=Min("sent_at"))["first"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT backend_start FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
            # Not a backend of an earlier test's worker, still on its way out.
            "AND backend_start >= %s",
            [before_start],
        )
        kept = [started for (started,) in cursor.fetchall()]
    assert kept, "every connection was closed after its task"
    assert len(kept) <= THREADS + 1  # one a thread, and the consumer's for the first task
    assert min(kept) < first_sent  # opened before the first message, alive after the last
