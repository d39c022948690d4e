"""Editing a rule re-plans what it has waiting, and says how much (SPEC N-19)."""

import datetime

import pytest
from django.urls import reverse

from notifications.models import Delivery, Rule
from notifications.planning import RULE_CHANGED
from notifications.rule_changes import SUPERSEDED, customise_and_take_over, replan_rule
from tests.admin_forms import change_form_data
from tests.factories import RuleFactory

pytestmark = pytest.mark.django_db
Status = Delivery.Status
DAY = datetime.timedelta(days=1)


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    client.post(reverse("set_language"), {"language": "en"})
    return client


@pytest.fixture
def reminder(frozen, organisation):
    return RuleFactory(organisation=organisation, anchor="start", offset_minutes=-1440)


@pytest.fixture
def planned(frozen, reminder, appointment_factory, emit_now, plan_only):
    """A booking in three days, its reminder waiting for the day before."""
    event = emit_now("testapp.booked", appointment_factory(start=frozen + 3 * DAY))
    return event.deliveries.get()


def _edit(client, rule, **changes):
    url = reverse("admin:notifications_rule_change", args=[rule.pk])
    return client.post(url, change_form_data(client.get(url), **changes), follow=True)


def test_n19_moving_a_rules_timing_moves_its_waiting_reminders(bob_client, planned, reminder):
    response = _edit(bob_client, reminder, timing_amount="2", timing_unit="hours")
    assert response.status_code == 200
    planned.refresh_from_db()
    assert (planned.status, planned.reason) == (Status.CANCELLED, RULE_CHANGED)
    moved = Delivery.objects.get(rule=reminder, status=Status.SCHEDULED)
    assert moved.send_at == planned.send_at + DAY - datetime.timedelta(hours=2)
    notes = [str(m) for m in response.context["messages"]]
    assert any("1 new, 1 cancelled, 0 unchanged" in note for note in notes), notes


def test_n19_switching_a_rule_off_cancels_what_it_had_waiting(planned, reminder):
    Rule.objects.filter(pk=reminder.pk).update(enabled=False)
    reminder.refresh_from_db()
    assert replan_rule(reminder).cancelled == 1
    planned.refresh_from_db()
    assert (planned.status, planned.reason) == (Status.CANCELLED, RULE_CHANGED)


def test_n19_a_rule_changed_and_changed_back_brings_its_reminder_back(planned, reminder):
    reminder.offset_minutes = -120
    reminder.save()
    replan_rule(reminder)
    reminder.offset_minutes = -1440
    reminder.save()
    replan_rule(reminder)
    planned.refresh_from_db()
    assert planned.status == Status.SCHEDULED
    assert Delivery.objects.filter(rule=reminder, status=Status.SCHEDULED).count() == 1


def test_n19_an_unchanged_save_plans_nothing_again(bob_client, planned, reminder):
    response = _edit(bob_client, reminder)
    planned.refresh_from_db()
    assert planned.status == Status.SCHEDULED
    assert not any("planned again" in str(m) for m in response.context["messages"])


def test_n19_a_customised_shipped_rule_takes_over_its_waiting_reminders(
    frozen, organisation, other_organisation, alice, appointment_factory, emit_now, plan_only
):
    shipped = RuleFactory(organisation=None, anchor="start", offset_minutes=-1440)
    ours = emit_now("testapp.booked", appointment_factory(start=frozen + 3 * DAY)).deliveries.get()
    from tests.testapp.models import Appointment

    other_organisation.sending_mode = organisation.sending_mode  # it sends for real too
    other_organisation.save()
    elsewhere = Appointment.objects.create(
        organisation=other_organisation, start=frozen + 3 * DAY, title="Coupe", client=alice
    )
    theirs = emit_now("testapp.booked", elsewhere)
    copy, created, taken = customise_and_take_over(shipped, organisation)
    assert created and (taken.cancelled, taken.added) == (1, 1)
    ours.refresh_from_db()
    assert (ours.status, ours.reason) == (Status.CANCELLED, SUPERSEDED)
    waiting = Delivery.objects.filter(event=ours.event, status=Status.SCHEDULED)
    assert [d.rule_id for d in waiting] == [copy.pk]  # never both
    assert theirs.deliveries.get().status == Status.SCHEDULED  # another organisation's: untouched
