"""What a message is about, per recipient (SPEC N-18): context, conditions, links,
attachments and the dedupe key come from it; moves and cancellations follow it."""

import datetime

import pytest
from django.core import mail

import notifications
from notifications import dispatch, planning, sending
from notifications.events import (
    Anchor,
    Condition,
    EventGroup,
    EventType,
    RecipientRole,
    register,
    unregister,
)
from notifications.models import Delivery, Event
from notifications.recipients import About
from tests.factories import RuleFactory
from tests.testapp.models import Appointment

pytestmark = pytest.mark.django_db
Status = Delivery.Status
DAY = datetime.timedelta(days=1)


def _each_appointment(target, event):
    """The same person may be told of several appointments: one message about each."""
    return (
        About(appointment.client, appointment)
        for appointment in Appointment.objects.filter(pk__in=event.data["ids"]).order_by("pk")
    )


@pytest.fixture(autouse=True)
def series():
    """An event on one appointment whose messages are each about one appointment of a series."""
    register(
        EventType(
            code="testapp.series",
            label="Series booked",
            group=EventGroup("appointments", "Appointments"),
            roles=[RecipientRole("each_client", "Each client", _each_appointment)],
            context=lambda appointment, data: {"title": appointment.title},
            anchors=[Anchor("start", "Start", "start")],
            conditions=[Condition("still_unpaid", "Still unpaid", lambda a, event: not a.paid)],
            link=lambda appointment: appointment.get_absolute_url(),
            attachments=lambda appointment, delivery: [
                (f"{appointment.pk}.ics", appointment.title.encode(), "text/calendar")
            ],
        )
    )
    yield
    unregister("testapp.series")


@pytest.fixture
def three(appointment_factory, alice, bob):
    first = appointment_factory(title="Coupe")
    return (
        first,
        appointment_factory(title="Couleur"),
        appointment_factory(title="Brushing", client=bob),
    )


def emit_series(emit_now, three):
    return emit_now("testapp.series", three[0], ids=[a.pk for a in three])


def test_n18_one_event_three_objects_three_messages_each_its_own(emit_now, three, alice, bob):
    RuleFactory(
        event_code="testapp.series",
        roles=["each_client"],
        channels=["email"],
        templates={"en": ("{{ title }}", "{{ title }}: {{ link }}")},
    )
    event = emit_series(emit_now, three)
    assert sorted(m.subject for m in mail.outbox) == ["Brushing", "Couleur", "Coupe"]
    by_subject = {m.subject: m for m in mail.outbox}
    for appointment in three:
        message = by_subject[appointment.title]
        assert appointment.get_absolute_url() in message.body
        assert [(a.filename, a.content) for a in message.attachments] == [
            (f"{appointment.pk}.ics", appointment.title)
        ]
    # Alice is told twice (two appointments), Bob once; each row says what it is about.
    rows = Delivery.objects.filter(event=event)
    assert sorted((d.address, d.about_object.title) for d in rows) == sorted(
        [(alice.email, "Coupe"), (alice.email, "Couleur"), (bob.email, "Brushing")]
    )
    # The event's own target is stored as the default: no about on its row.
    assert rows.get(address=alice.email, about_id=None).about_object == three[0]
    # Replaying the event creates nothing new: the dedupe key includes what it is about.
    Event.objects.filter(pk=event.pk).update(planned_at=None)
    dispatch.plan_event(event.pk)
    assert Delivery.objects.filter(event=event).count() == 3


def test_n18_conditions_are_tested_on_each_object_at_planning(emit_now, three, plan_only):
    RuleFactory(event_code="testapp.series", roles=["each_client"], conditions=["still_unpaid"])
    Appointment.objects.filter(pk=three[1].pk).update(paid=True)
    event = emit_series(emit_now, three)
    assert sorted(d.about_object.title for d in event.deliveries.all()) == ["Brushing", "Coupe"]


def reminders(emit_now, three, frozen_now):
    RuleFactory(
        event_code="testapp.series",
        roles=["each_client"],
        anchor="start",
        offset_minutes=-24 * 60,
        conditions=["still_unpaid"],
    )
    return emit_series(emit_now, three).deliveries.all()


def test_n18_conditions_are_tested_again_on_each_object_at_send_time(
    emit_now, three, plan_only, time_machine, frozen
):
    rows = reminders(emit_now, three, frozen)
    assert [d.status for d in rows] == [Status.SCHEDULED] * 3
    Appointment.objects.filter(pk=three[2].pk).update(paid=True)
    time_machine.move_to(three[0].start - DAY, tick=False)
    for delivery in rows:
        Delivery.objects.filter(pk=delivery.pk).update(status=Status.QUEUED)
        sending.send(delivery.pk)
    assert {d.about_object.title: d.status for d in rows.all()} == {
        "Coupe": Status.SENT,
        "Couleur": Status.SENT,
        "Brushing": Status.CANCELLED,
    }


def test_n18_cancelling_an_object_cancels_what_other_events_planned_about_it(
    emit_now, three, plan_only, frozen
):
    rows = reminders(emit_now, three, frozen)
    notifications.target_cancelled(three[1])  # not the event's target: one of its objects
    assert {d.about_object.title: d.status for d in rows.all()} == {
        "Coupe": Status.SCHEDULED,
        "Couleur": Status.CANCELLED,
        "Brushing": Status.SCHEDULED,
    }
    assert rows.get(status=Status.CANCELLED).reason == planning.TARGET_CANCELLED


def test_n18_a_moved_object_replans_the_other_events_about_it(emit_now, three, plan_only, frozen):
    rows = reminders(emit_now, three, frozen)
    Appointment.objects.filter(pk=three[2].pk).update(paid=True)  # no reminder needed now
    notifications.target_moved(three[2])
    assert {d.about_object.title: d.status for d in rows.all()} == {
        "Coupe": Status.SCHEDULED,
        "Couleur": Status.SCHEDULED,
        "Brushing": Status.CANCELLED,
    }


def test_n18_a_message_whose_object_was_deleted_is_cancelled_not_sent_with_examples(
    emit_now, three, plan_only, time_machine, frozen
):
    rows = reminders(emit_now, three, frozen)
    gone = rows.get(about_id=three[1].pk)
    three[1].delete()
    Delivery.objects.filter(pk=gone.pk).update(status=Status.QUEUED)
    sending.send(gone.pk)
    gone.refresh_from_db()
    assert (gone.status, gone.reason) == (Status.CANCELLED, sending.OBJECT_GONE)
    assert not mail.outbox
