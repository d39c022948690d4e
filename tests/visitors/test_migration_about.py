"""Events made one per visitor before N-18 keep following their visit after the upgrade."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

import notifications
from notifications import planning
from notifications.models import Delivery, Event
from visitors import services

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("visitors", "0002_beat_schedule")]
AFTER = [("visitors", "0003_events_about_visitors")]
Status = Delivery.Status


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def stored_before_n18(visit):
    """(each event's data, each row's about and dedupe key suffix), as the migration left them."""
    events = Event.objects.for_target(visit).order_by("pk")
    rows = Delivery.objects.filter(event__in=events)
    return [e.data for e in events], {(d.about_id, "|" in d.dedupe_key) for d in rows}


def test_n18_old_per_visitor_reminders_follow_moves_and_withdrawals(plan_visit, alice, on_commit):
    visit = plan_visit(visitors=[{"name": "Claire", "email": "c@x.test"}, {"name": "John"}])
    claire, john = visit.visitors.order_by("name")
    migrate(BEFORE)  # going back stores them as before: one visitor_id per event, no about
    data, rows = stored_before_n18(visit)
    assert data == [{"visitor_id": claire.pk}, {"visitor_id": john.pk}]
    assert rows == {(None, False)}
    migrate(AFTER)
    invitations = Event.objects.for_target(visit).filter(code="visits.invited")
    assert sorted(e.data["visitor_ids"] for e in invitations) == [[claire.pk], [john.pk]]
    reminder = Delivery.objects.get(
        rule__default_key="visits.invited/reminder", status=Status.SCHEDULED
    )
    assert reminder.about == claire  # John has no email: his is suppressed
    # Re-planning finds the old reminder under the key planning gives it now: not doubled.
    with on_commit():
        notifications.target_moved(visit)
    reminders = Delivery.objects.filter(rule__default_key="visits.invited/reminder")
    assert reminders.filter(recipient_key=f"visitors.visitor:{claire.pk}").count() == 1
    reminder.refresh_from_db()
    assert reminder.status == Status.SCHEDULED
    # Withdrawing Claire cancels her old reminder: it is about her now.
    with on_commit():
        services.remove_visitor(claire, alice)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.reason) == (Status.CANCELLED, planning.TARGET_CANCELLED)
