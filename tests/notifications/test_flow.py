"""The path of one message, end to end, with the tasks run eagerly."""

import pytest
from django.core import mail

import notifications
from notifications.models import Delivery
from tests.factories import RuleFactory

pytestmark = pytest.mark.django_db


def test_n8_event_becomes_an_email_after_commit(
    appointment_factory, alice, django_capture_on_commit_callbacks
):
    RuleFactory(roles=["client"], channels=["email"])
    appointment = appointment_factory()
    with django_capture_on_commit_callbacks(execute=True):
        event = notifications.emit("testapp.booked", appointment)
    delivery = Delivery.objects.get(event=event)
    assert delivery.status == Delivery.Status.SENT
    assert delivery.address == alice.email
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Rendez-vous : Coupe"
    assert mail.outbox[0].to == [f"Alice Durand <{alice.email}>"]
