"""Planning: event -> rules -> recipients -> decisions -> Delivery rows (DESIGN step 3)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import notifications
from accounts.models import Organisation
from notifications import dispatch, planning, timing
from notifications.models import Delivery, Event, Preference, Rule, Suppression
from tests.factories import OrganisationFactory, RuleFactory, UserFactory, member
from tests.testapp.models import Guest

pytestmark = pytest.mark.django_db
Status = Delivery.Status


def statuses(event):
    return {(d.recipient_name, d.channel): (d.status, d.reason) for d in event.deliveries.all()}


def test_n2_rule_roles_resolve_to_each_person_once(
    appointment_factory, organisation, alice, bob, emit_now, plan_only
):
    RuleFactory(roles=["client", "staff", "managers"], channels=["email"])
    appointment = appointment_factory()
    appointment.staff.add(bob)  # Bob is staff and manager: one message, not two
    event = emit_now("testapp.booked", appointment)
    assert sorted(d.address for d in event.deliveries.all()) == [alice.email, bob.email]


def test_n8_replayed_event_creates_nothing_new(appointment_factory, emit_now, plan_only):
    RuleFactory(roles=["client"], channels=["email", "inapp"])
    event = emit_now("testapp.booked", appointment_factory())
    assert event.deliveries.count() == 2
    Event.objects.filter(pk=event.pk).update(planned_at=None)  # as if planned again
    dispatch.plan_event(event.pk)
    planning.plan(Event.objects.get(pk=event.pk))
    assert Delivery.objects.count() == 2


def test_n2_disabled_rule_sends_nothing(appointment_factory, emit_now, plan_only):
    RuleFactory(enabled=False)
    event = emit_now("testapp.booked", appointment_factory())
    assert not event.deliveries.exists()


def test_n2_organisation_override_replaces_the_default(
    appointment_factory, organisation, other_organisation, emit_now, plan_only
):
    default = RuleFactory(name="Default", channels=["email"])
    RuleFactory(name="Ours", channels=["inapp"], organisation=organisation, overrides=default)
    event = emit_now("testapp.booked", appointment_factory())
    assert [(d.rule.name, d.channel) for d in event.deliveries.all()] == [("Ours", "inapp")]


def test_n2_disabled_override_silences_the_default_for_that_organisation_only(
    appointment_factory, organisation, emit_now, plan_only
):
    default = RuleFactory(channels=["email"])
    RuleFactory(organisation=organisation, overrides=default, enabled=False)
    assert not emit_now("testapp.booked", appointment_factory()).deliveries.exists()


def test_n2_another_organisations_rule_does_not_apply(
    appointment_factory, other_organisation, emit_now, plan_only
):
    RuleFactory(organisation=other_organisation)
    assert not emit_now("testapp.booked", appointment_factory()).deliveries.exists()


def test_n2_condition_that_fails_plans_nothing(appointment_factory, emit_now, plan_only):
    RuleFactory(conditions=["still_unpaid"])
    assert not emit_now("testapp.booked", appointment_factory(paid=True)).deliveries.exists()
    assert emit_now("testapp.booked", appointment_factory(paid=False)).deliveries.exists()


def test_n11_delivery_takes_the_rule_priority_queue(appointment_factory, emit_now, plan_only):
    RuleFactory(priority="high")
    delivery = emit_now("testapp.booked", appointment_factory()).deliveries.get()
    assert delivery.priority == "high"


def test_n5_preference_turned_off_suppresses(appointment_factory, alice, emit_now, plan_only):
    RuleFactory(channels=["email", "inapp"])
    Preference.objects.create(user=alice, group="appointments", channel="email", enabled=False)
    event = emit_now("testapp.booked", appointment_factory())
    found = {d.channel: (d.status, d.reason) for d in event.deliveries.all()}
    assert found["email"] == (Status.SUPPRESSED, planning.TURNED_OFF)
    assert found["inapp"] == (Status.QUEUED, "")


def test_n5_mandatory_event_ignores_preferences(appointment_factory, alice, emit_now, plan_only):
    RuleFactory(event_code="testapp.secret_code", templates={"fr": ("Code", "{{ code }}")})
    Preference.objects.create(user=alice, group="security", channel="email", enabled=False)
    event = emit_now("testapp.secret_code", appointment_factory(), code="999")
    assert event.deliveries.get().status == Status.QUEUED


def test_n7_suppressed_address_is_not_sent(appointment_factory, alice, emit_now, plan_only):
    RuleFactory()
    Suppression.objects.create(channel="email", address=alice.email, reason="bounce")
    delivery = emit_now("testapp.booked", appointment_factory()).deliveries.get()
    assert (delivery.status, delivery.reason) == (Status.SUPPRESSED, planning.ON_SUPPRESSION_LIST)


def test_n15_no_address_uses_the_fallback_channel(
    appointment_factory, organisation, emit_now, plan_only
):
    phoneless = member(organisation, email="nophone@example.test")
    RuleFactory(channels=["inapp"], fallback_channel="email", roles=["client", "guests"])
    appointment = appointment_factory(client=phoneless)
    Guest.objects.create(appointment=appointment, name="Dan", email="dan@example.test")
    event = emit_now("testapp.booked", appointment)
    found = {d.recipient_name: (d.channel, d.status) for d in event.deliveries.all()}
    assert found[str(phoneless)] == ("inapp", Status.QUEUED)
    assert found["Dan"] == ("email", Status.QUEUED)  # a guest has no inbox


def test_n15_no_address_and_no_fallback_is_logged_as_suppressed(
    appointment_factory, emit_now, plan_only
):
    RuleFactory(roles=["guests"], channels=["email"])
    appointment = appointment_factory()
    Guest.objects.create(appointment=appointment, name="Eve", phone="+33612345678")
    delivery = emit_now("testapp.booked", appointment).deliveries.get()
    assert (delivery.status, delivery.reason) == (Status.SUPPRESSED, planning.NO_ADDRESS)


@pytest.mark.parametrize(
    ("mode", "allowed", "expected"),
    [
        (Organisation.SendingMode.DEMO, "", Status.SUPPRESSED),
        (Organisation.SendingMode.TEST, "", Status.SUPPRESSED),
        (Organisation.SendingMode.TEST, "ALICE@example.test\n", Status.QUEUED),
        (Organisation.SendingMode.PRODUCTION, "", Status.QUEUED),
    ],
)
def test_n16_sending_modes(
    appointment_factory, organisation, emit_now, plan_only, mode, allowed, expected
):
    organisation.sending_mode, organisation.test_recipients = mode, allowed
    organisation.save()
    RuleFactory(channels=["email", "inapp"])
    event = emit_now("testapp.booked", appointment_factory())
    found = {d.channel: d.status for d in event.deliveries.all()}
    assert found == {"email": expected, "inapp": Status.QUEUED}  # the inbox never leaves


def test_n14_daily_cap_allows_one_event_per_recipient_per_day(
    appointment_factory, emit_now, plan_only, frozen
):
    RuleFactory(channels=["email", "inapp"], daily_cap=1)
    first = emit_now("testapp.booked", appointment_factory())
    second = emit_now("testapp.booked", appointment_factory())
    assert {d.status for d in first.deliveries.all()} == {Status.QUEUED}
    assert {(d.status, d.reason) for d in second.deliveries.all()} == {
        (Status.SUPPRESSED, planning.DAILY_CAP)
    }


def test_n14_daily_cap_starts_again_the_next_day(
    appointment_factory, emit_now, plan_only, frozen, time_machine
):
    RuleFactory(daily_cap=1)
    emit_now("testapp.booked", appointment_factory())
    time_machine.move_to(frozen + datetime.timedelta(days=1), tick=False)
    later = emit_now("testapp.booked", appointment_factory())
    assert later.deliveries.get().status == Status.QUEUED


def test_n14_message_outside_the_window_waits_for_it(
    appointment_factory, emit_now, plan_only, time_machine
):
    # 22:00 in Paris: an SMS-like channel limited to 07:00-20:00 waits until 07:00.
    time_machine.move_to(datetime.datetime(2026, 12, 1, 21, 0, tzinfo=datetime.UTC), tick=False)
    RuleFactory(
        channels=["email", "inapp"],
        send_window_start=datetime.time(7),
        send_window_end=datetime.time(20),
        send_window_channels=["email"],
    )
    event = emit_now("testapp.booked", appointment_factory())
    found = {d.channel: d for d in event.deliveries.all()}
    assert found["email"].status == Status.SCHEDULED
    assert found["email"].send_at == datetime.datetime(2026, 12, 2, 6, 0, tzinfo=datetime.UTC)
    assert found["inapp"].status == Status.QUEUED


def test_n14_window_uses_the_recipients_time_zone():
    start, end = datetime.time(7), datetime.time(20)
    moment = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC)  # 05:00 in Montreal
    opening = timing.next_window_opening(moment, start, end, "America/Montreal")
    assert opening == datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)  # 07:00 there
    assert timing.next_window_opening(moment, start, end, "Europe/Paris") == moment


def test_n17_delivery_keeps_the_recipients_language_and_zone(
    appointment_factory, organisation, emit_now, plan_only
):
    english = member(organisation, language="en", time_zone="America/Montreal")
    RuleFactory()
    delivery = emit_now("testapp.booked", appointment_factory(client=english)).deliveries.get()
    assert (delivery.language, delivery.time_zone) == ("en", "America/Montreal")


@pytest.mark.parametrize("people", [10, 1000])
def test_n8_planning_queries_do_not_grow_with_recipients(appointment_factory, organisation, people):
    UserFactory._meta.model.objects.bulk_create(
        UserFactory.build(email=f"staff{i}@example.test") for i in range(people)
    )
    appointment = appointment_factory()
    appointment.staff.set(UserFactory._meta.model.objects.filter(email__startswith="staff"))
    rule = RuleFactory(roles=["client", "staff"], channels=["email", "inapp"])
    Preference.objects.create(user=appointment.client, group="appointments", channel="email")
    event = notifications.emit("testapp.booked", appointment)
    event = Event.objects.select_related("organisation").get(pk=event.pk)
    with CaptureQueriesContext(connection) as queries:
        planning.plan(event)
    assert Delivery.objects.filter(rule=rule).count() == 2 * (people + 1)
    # Django splits SQLite inserts into batches of 999 parameters; PostgreSQL takes
    # a chunk in one statement. Everything else is a fixed number of queries.
    counted = [
        query["sql"]
        for query in queries.captured_queries
        if not (connection.vendor == "sqlite" and query["sql"].startswith("INSERT"))
    ]
    # One of them asks which recipients were erased at their request (SPEC P-5).
    assert len(counted) <= 11, "\n".join(counted)


def test_n4_fresh_install_carries_enabled_default_rules(db):
    from notifications.defaults import install_default_rules

    Rule.objects.all().delete()
    assert install_default_rules() >= 2
    welcome = Rule.objects.get(default_key="accounts.member_joined/welcome")
    assert welcome.enabled
    assert welcome.name == "Accueillir le nouveau membre"  # names are data, in French
    assert {(t.channel, t.language) for t in welcome.templates.all()} == {
        ("email", "fr"),
        ("email", "en"),
        ("inapp", "fr"),
        ("inapp", "en"),
    }
    assert install_default_rules() == 0  # running again installs nothing twice


def test_n4_welcome_message_reaches_a_new_member_in_french(
    organisation, emit_now, django_capture_on_commit_callbacks, mailoutbox
):
    from notifications.defaults import install_default_rules

    install_default_rules()
    with django_capture_on_commit_callbacks(execute=True):
        newcomer = member(OrganisationFactory(name="Club Alpin", sending_mode="production"))
    assert [m.subject for m in mailoutbox] == ["Bienvenue dans Club Alpin"]
    inbox = Delivery.objects.get(user=newcomer, channel="inapp")
    assert inbox.status == Status.SENT
    assert "Club Alpin (Occupant)" in inbox.body
