"""Erasure of one person (SPEC P-5): nothing identifying left, nothing planned again, STOP kept."""

import pytest
from axes.models import AccessFailureLog
from django.db import models

import notifications
from accounts.models import Membership, User
from alerts.models import ContactPoint, Occupant
from bookings.models import Booking, Participant
from core.identifiers import hashed
from notifications.consent import replay
from notifications.consent.ledger import record
from notifications.consent.models import ConsentRecord, PhoneStop, Preference
from notifications.consent.state import phone_sender
from notifications.manual import reachable_channels
from notifications.models import Delivery, Device, Event
from notifications.suppressions import suppress
from privacy.erasure import erase_person
from privacy.models import ErasureRecord
from requests_center.models import Comment, Request
from tests.factories import RuleFactory, member
from tests.privacy.conftest import ALICE, ALICE_PHONE, NOW
from tests.testapp.models import Appointment
from visitors import services as visits
from visitors.models import Visitor
from workorders.models import Client, WorkOrder

pytestmark = pytest.mark.django_db


def text_of(row):
    """Every text column of a row, as one string (JSON too)."""
    values = [
        str(getattr(row, field.attname) or "")
        for field in row._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
        or field.get_internal_type() == "CharField"
    ]
    return " | ".join(values)


def theirs_before(world, alice):
    """The rows that were Alice's, found before she is erased (by key: they stay, anonymised)."""
    return {
        User: [alice.pk],
        Request: [world["request"].pk],
        Comment: list(
            Comment.objects.filter(request=world["request"]).values_list("pk", flat=True)
        ),
        Visitor: list(
            Visitor.objects.filter(email__iexact=alice.email).values_list("pk", flat=True)
        ),
        Booking: [world["booking"].pk],
        Participant: [
            world["guest"].pk,
            *Participant.objects.filter(user=alice).values_list("pk", flat=True),
        ],
        Occupant: [world["occupant"].pk],
        Client: [world["client"].pk],
        WorkOrder: [world["order"].pk],
        Delivery: list(Delivery.objects.filter(user=alice).values_list("pk", flat=True)),
        ConsentRecord: list(
            ConsentRecord.objects.filter(
                models.Q(user=alice) | models.Q(address__in=[alice.email, ALICE_PHONE])
            ).values_list("pk", flat=True)
        ),
    }


def test_p5_erasure_leaves_nothing_identifying_in_the_rows_that_were_theirs(world, alice, bob):
    rows = theirs_before(world, alice)
    erase_person(alice, by=bob, reason="Demande par courriel du 2 mars")
    for model, pks in rows.items():
        assert pks, model
        for row in model._default_manager.filter(pk__in=pks):
            text = text_of(row).lower()
            for value in ALICE:
                assert value.lower() not in text, (model.__name__, row.pk, value)
    assert not ContactPoint.objects.filter(address=ALICE_PHONE).exists()
    assert not Device.objects.filter(user=alice).exists()
    assert not Preference.objects.filter(user=alice).exists()
    assert not Membership.objects.filter(user=alice).exists()
    assert not AccessFailureLog.objects.filter(username="alice@example.test").exists()
    alice.refresh_from_db()
    assert not alice.is_active and not alice.has_usable_password()


def test_p5_erasure_keeps_everyone_elses_data(world, alice, bob, carole):
    erase_person(alice, by=bob, reason="Demande")
    world["to_carole"].refresh_from_db()
    assert world["to_carole"].body == "Bonjour Carole Petit, votre code est 1234."
    assert Visitor.objects.filter(name="Carole Petit", email=carole.email).exists()
    assert Participant.objects.filter(name="Denis Roux").exists()
    assert ContactPoint.objects.filter(occupant__name="Carole Petit").exists()
    assert (
        Comment.objects.filter(author=bob).get().body
        == "Bob Martin passe demain avec Carole Petit."
    )


def test_p5_erasure_is_recorded_without_the_persons_data(world, alice, bob, organisation):
    entry = erase_person(alice, by=bob, reason="Demande par courriel du 2 mars")
    stored = ErasureRecord.objects.get(pk=entry.pk)
    assert (stored.person_id, stored.erased_by, stored.reason) == (
        alice.pk,
        bob,
        "Demande par courriel du 2 mars",
    )
    assert stored.hashed_identifiers == sorted([hashed("alice@example.test"), hashed(ALICE_PHONE)])
    assert list(stored.organisations.all()) == [organisation]
    assert stored.summary["notifications"] > 0 and stored.summary["visitors"] == 1
    for value in ALICE:
        assert value.lower() not in text_of(stored).lower()


def test_p5_later_events_plan_nothing_for_them(
    world, alice, bob, organisation, django_capture_on_commit_callbacks
):
    RuleFactory(roles=["client"], channels=["email", "sms"])
    appointment = Appointment.objects.create(
        organisation=organisation, title="Coupe", start=world["visit"].start, client=alice
    )
    erase_person(alice, by=bob, reason="Demande")
    with django_capture_on_commit_callbacks(execute=True):
        event = notifications.emit("testapp.booked", appointment)
    event.refresh_from_db()
    assert event.planned_at is not None
    assert not Delivery.objects.filter(event=event).exists()


def test_p5_later_events_plan_nothing_for_the_contacts_they_were(
    world, alice, bob, carole, django_capture_on_commit_callbacks
):
    """Alice was a visitor (a contact row with her email): the cancellation reaches Carole only."""
    erase_person(alice, by=bob, reason="Demande")
    with django_capture_on_commit_callbacks(execute=True):
        visits.cancel_visit(world["visit"], bob)
    event = Event.objects.get(code="visits.cancelled")
    keys = set(Delivery.objects.filter(event=event).values_list("recipient_key", flat=True))
    (alices,) = Visitor.objects.filter(visit=world["visit"], name="")
    carole_row = Visitor.objects.get(visit=world["visit"], name="Carole Petit")
    assert f"visitors.visitor:{carole_row.pk}" in keys
    assert f"visitors.visitor:{alices.pk}" not in keys


def test_p5_a_stop_still_holds_when_their_number_comes_back(
    world, alice, bob, organisation, django_capture_on_commit_callbacks
):
    erase_person(alice, by=bob, reason="Demande")
    assert not PhoneStop.objects.filter(number=ALICE_PHONE).exists()
    assert PhoneStop.objects.filter(number=hashed(ALICE_PHONE)).exists()
    eve = member(
        organisation, email="eve@example.test", display_name="Ève Blanc", phone=ALICE_PHONE
    )
    RuleFactory(roles=["client"], channels=["sms"])
    appointment = Appointment.objects.create(
        organisation=organisation, title="Coupe", start=world["visit"].start, client=eve
    )
    with django_capture_on_commit_callbacks(execute=True):
        event = notifications.emit("testapp.booked", appointment)
    sms = Delivery.objects.get(event=event, channel="sms")
    assert (sms.status, sms.reason_code) == (Delivery.Status.SUPPRESSED, Delivery.Skip.STOP)
    # The number's new owner texts START: the old owner's STOP goes with it.
    record(
        ConsentRecord.Kind.START,
        channel="sms",
        address=ALICE_PHONE,
        sender=phone_sender(),
        method="sms",
    )
    assert not PhoneStop.objects.filter(number=hashed(ALICE_PHONE)).exists()
    assert replay.disagreements() == []


def test_p5_a_bounce_still_holds_when_their_address_comes_back(
    world, alice, bob, organisation, django_capture_on_commit_callbacks
):
    suppress("email", alice.email, "bounce", "550 unknown")
    erase_person(alice, by=bob, reason="Demande")
    newcomer = member(organisation, email="alice@example.test", display_name="Alice Neuve")
    rule = RuleFactory(roles=["client"], channels=["email"])
    appointment = Appointment.objects.create(
        organisation=organisation, title="Coupe", start=world["visit"].start, client=newcomer
    )
    with django_capture_on_commit_callbacks(execute=True):
        event = notifications.emit("testapp.booked", appointment)
    email = Delivery.objects.get(event=event, rule=rule)
    assert (email.status, email.reason_code) == (
        Delivery.Status.SUPPRESSED,
        Delivery.Skip.SUPPRESSION,
    )


def test_p5_the_ledger_still_agrees_with_the_states_after_an_erasure(world, alice, bob):
    erase_person(alice, by=bob, reason="Demande")
    assert replay.disagreements() == []
    kinds = set(
        ConsentRecord.objects.filter(address=hashed(ALICE_PHONE)).values_list("kind", flat=True)
    )
    assert kinds == {"stop"}  # the proof stays: what, when, how; not whose


def test_p5_an_erasure_is_all_or_nothing(world, alice, bob, monkeypatch):
    def broken(erasure):
        raise RuntimeError("the workorders part failed")

    monkeypatch.setattr("workorders.privacy.erase", broken)
    with pytest.raises(RuntimeError):
        erase_person(alice, by=bob, reason="Demande")
    alice.refresh_from_db()
    assert alice.email == "alice@example.test" and alice.is_active
    assert Visitor.objects.filter(name="Alice Durand").exists()
    assert not ErasureRecord.objects.exists()


def test_p5_their_pending_messages_are_cancelled_and_redacted(world, alice, bob):
    pending = world["to_alice"]
    Delivery.objects.filter(pk=pending.pk).update(status=Delivery.Status.SCHEDULED)
    erase_person(alice, by=bob, reason="Demande")
    pending.refresh_from_db()
    assert (pending.status, pending.reason_code) == (
        Delivery.Status.CANCELLED,
        Delivery.Skip.WITHDRAWN,
    )
    assert pending.reason == "its recipient asked to be erased"
    assert (pending.body, pending.address, pending.redacted_at) == (
        "",
        "",
        NOW,
    )


def test_p5_nobody_writes_to_them_by_hand_either(world, alice, bob, organisation):
    assert reachable_channels(alice, organisation)
    erase_person(alice, by=bob, reason="Demande")
    alice.refresh_from_db()
    assert reachable_channels(alice, organisation) == []
