"""Email through anymail's Brevo backend to the fake ESP, and its tracking webhook (SPEC N-7)."""

import base64
import json

import pytest
from django.urls import reverse

from notifications import planning
from notifications.models import Delivery, Suppression
from tests.factories import RuleFactory

pytestmark = pytest.mark.django_db
Status = Delivery.Status


def brevo_webhook(client, event, message_id, email, secret="relais:webhook-secret", **extra):
    """POST one Brevo transactional webhook event, as Brevo would, with basic auth."""
    payload = {
        "event": event,
        "email": email,
        "message-id": message_id,
        "ts_event": 1764576000,
    } | extra
    auth = base64.b64encode(secret.encode()).decode()
    return client.post(
        reverse("notifications:esp_tracking", args=["brevo"]),
        json.dumps(payload),
        content_type="application/json",
        headers={"Authorization": f"Basic {auth}"},
    )


@pytest.fixture
def sent_email(fake_provider, appointment_factory, emit_now):
    RuleFactory(channels=["email"])
    delivery = emit_now("testapp.booked", appointment_factory()).deliveries.get()
    delivery.refresh_from_db()
    return delivery


def test_c1_email_leaves_through_anymail_with_its_provider_id(sent_email, fake_provider, alice):
    (request,) = fake_provider.sent("email")
    assert request.headers["api-key"] == "test-key"
    assert request.body["to"] == [{"email": alice.email, "name": "Alice Durand"}]
    assert request.body["subject"] == "Rendez-vous : Coupe"
    assert request.body["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent_email.status == Status.SENT
    assert sent_email.provider_message_id.endswith("@smtp-relay.mailin.fr>")


def test_n7_delivered_then_opened_moves_the_log_forward(client, sent_email, alice):
    for event in ("delivered", "opened"):
        assert (
            brevo_webhook(client, event, sent_email.provider_message_id, alice.email).status_code
            == 200
        )
    sent_email.refresh_from_db()
    assert sent_email.status == Status.OPENED
    assert sent_email.delivered_at and sent_email.opened_at


def test_n7_hard_bounce_suppresses_the_next_email(
    client, sent_email, alice, appointment_factory, emit_now
):
    brevo_webhook(
        client,
        "hard_bounce",
        sent_email.provider_message_id,
        alice.email,
        reason="550 no such user",
    )
    sent_email.refresh_from_db()
    assert sent_email.status == Status.BOUNCED and "550 no such user" in sent_email.last_error
    assert Suppression.objects.get(channel="email", address=alice.email).reason == "bounce"
    later = emit_now("testapp.booked", appointment_factory()).deliveries.get()
    assert (later.status, later.reason) == (Status.SUPPRESSED, planning.ON_SUPPRESSION_LIST)


def test_n7_soft_bounce_does_not_suppress(client, sent_email, alice):
    brevo_webhook(client, "soft_bounce", sent_email.provider_message_id, alice.email)
    assert not Suppression.objects.exists()


def test_n7_complaint_suppresses_the_address(client, sent_email, alice):
    brevo_webhook(client, "spam", sent_email.provider_message_id, alice.email)
    assert Suppression.objects.get(address=alice.email).reason == "complaint"


def test_n7_webhook_without_the_secret_changes_nothing(client, sent_email, alice):
    response = brevo_webhook(
        client, "hard_bounce", sent_email.provider_message_id, alice.email, secret="x:y"
    )
    assert response.status_code in (400, 401, 403)
    sent_email.refresh_from_db()
    assert sent_email.status == Status.SENT
    assert not Suppression.objects.exists()


def test_n7_unknown_message_id_is_ignored(client, sent_email, alice):
    assert brevo_webhook(client, "delivered", "<unknown@x>", alice.email).status_code == 200
    sent_email.refresh_from_db()
    assert sent_email.status == Status.SENT


def test_n7_only_the_configured_esp_has_a_tracking_url(client, fake_provider):
    assert (
        client.post("/anymail/brevo/tracking/", "{}", content_type="application/json").status_code
        != 404
    )
    for other in ("mailgun", "sendgrid", "postmark", "nothing"):
        response = client.post(f"/anymail/{other}/tracking/", "{}", content_type="application/json")
        assert response.status_code == 404


def test_n7_an_address_longer_than_any_we_store_is_refused_and_changes_nothing(client, sent_email):
    huge = "x" * 300 + "@example.test"
    response = brevo_webhook(client, "hard_bounce", sent_email.provider_message_id, huge)
    assert response.status_code == 400
    assert not Suppression.objects.exists()
    sent_email.refresh_from_db()
    assert sent_email.status == Status.SENT  # not bounced by a body we refused


def test_c1_an_international_domain_is_sent_in_its_idna_form(
    fake_provider, appointment_factory, emit_now, organisation
):
    from tests.factories import member

    RuleFactory(channels=["email"])
    person = member(organisation, email="elodie@exämple.fr", display_name="Élodie")
    delivery = emit_now("testapp.booked", appointment_factory(client=person)).deliveries.get()
    delivery.refresh_from_db()
    (request,) = fake_provider.sent("email")
    assert request.body["to"] == [{"email": "elodie@xn--exmple-cua.fr", "name": "Élodie"}]
    assert delivery.status == Status.SENT


def test_c1_an_address_with_accents_before_the_at_fails_for_good_saying_why(
    fake_provider, appointment_factory, emit_now, organisation
):
    from tests.factories import member

    RuleFactory(channels=["email"])
    person = member(organisation, email="élodie@example.fr")
    delivery = emit_now("testapp.booked", appointment_factory(client=person)).deliveries.get()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 1)
    assert "outside ASCII before the @" in delivery.last_error
    assert fake_provider.sent("email") == []
