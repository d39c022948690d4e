"""SMS, voice and email through the real client libraries and a fake provider on 127.0.0.1."""

import datetime

import pytest
from django.urls import reverse
from twilio.request_validator import RequestValidator

from config.celery import app as celery_app
from notifications.channels.sms import segment_info
from notifications.consent import state as consent
from notifications.models import Delivery, PhoneStop, Suppression
from tests.factories import RuleFactory, member
from tests.fake_provider import twilio_error

pytestmark = pytest.mark.django_db
Status = Delivery.Status
SMS = {
    "fr": ("", "Rendez-vous {{ title }} confirmé."),
    "en": ("", "Appointment {{ title }} confirmed."),
}


@pytest.fixture
def dora(organisation):
    """Dora gets her news by SMS."""
    return member(
        organisation, email="dora@example.test", display_name="Dora", phone="+33612345678"
    )


@pytest.fixture
def sms_rule():
    return RuleFactory(channels=["sms"], templates=SMS)


def signed_post(client, name, data, token="twilio-test-token"):
    """POST as Twilio would: form data signed for the exact public URL."""
    url = "http://127.0.0.1:8000" + reverse(name)
    signature = RequestValidator(token).compute_signature(url, data)
    return client.post(reverse(name), data, headers={"X-Twilio-Signature": signature})


def test_c2_sms_is_sent_through_twilio_and_its_callback_marks_it_delivered(
    client, fake_provider, appointment_factory, dora, sms_rule, emit_now
):
    delivery = emit_now("testapp.booked", appointment_factory(client=dora)).deliveries.get()
    delivery.refresh_from_db()
    (request,) = fake_provider.sent("sms")
    assert request.body["To"] == "+33612345678"
    assert request.body["Body"] == "Rendez-vous Coupe confirmé."
    assert request.body["StatusCallback"] == "http://127.0.0.1:8000/webhooks/twilio/status/"
    assert delivery.status == Status.SENT and delivery.provider_message_id.startswith("SM")

    response = signed_post(
        client,
        "notifications:twilio_status",
        {"MessageSid": delivery.provider_message_id, "MessageStatus": "delivered"},
    )
    assert response.status_code == 204
    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED and delivery.delivered_at is not None


def test_c2_late_sent_callback_does_not_undo_delivered(
    client, fake_provider, appointment_factory, dora, sms_rule, emit_now
):
    delivery = emit_now("testapp.booked", appointment_factory(client=dora)).deliveries.get()
    delivery.refresh_from_db()
    for status in ("delivered", "sent"):
        signed_post(
            client,
            "notifications:twilio_status",
            {"MessageSid": delivery.provider_message_id, "MessageStatus": status},
        )
    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED


def test_c2_forged_webhook_gets_403_and_changes_nothing(
    client, fake_provider, appointment_factory, dora, sms_rule, emit_now
):
    delivery = emit_now("testapp.booked", appointment_factory(client=dora)).deliveries.get()
    delivery.refresh_from_db()
    forged = signed_post(
        client,
        "notifications:twilio_status",
        {"MessageSid": delivery.provider_message_id, "MessageStatus": "failed"},
        token="not-our-token",
    )
    unsigned = client.post(
        reverse("notifications:twilio_inbound"), {"From": dora.phone, "Body": "STOP"}
    )
    assert (forged.status_code, unsigned.status_code) == (403, 403)
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
    assert not Suppression.objects.exists()


def test_c2_stop_makes_the_next_sms_suppressed_and_start_lifts_it(
    client, fake_provider, appointment_factory, dora, sms_rule, emit_now
):
    reply = signed_post(
        client, "notifications:twilio_inbound", {"From": "+33612345678", "Body": "Arrêt"}
    )
    assert "START" in reply.content.decode()
    stop = PhoneStop.objects.get(sender="+33700000000", number="+33612345678")
    assert (stop.record.kind, stop.record.text, stop.record.keyword) == ("stop", "Arrêt", "ARRET")
    assert not Suppression.objects.exists()  # STOP is consent, not a suppression (N-20)
    delivery = emit_now("testapp.booked", appointment_factory(client=dora)).deliveries.get()
    assert (delivery.status, delivery.reason) == (Status.SUPPRESSED, consent.STOPPED)
    assert fake_provider.sent("sms") == []

    signed_post(client, "notifications:twilio_inbound", {"From": "+33612345678", "Body": "START"})
    emit_now("testapp.booked", appointment_factory(client=dora))
    assert len(fake_provider.sent("sms")) == 1


@pytest.mark.parametrize(("text", "answer"), [("oui", "yes"), ("Non merci", "no"), ("YES", "yes")])
def test_c2_yes_and_no_reach_the_apps_that_asked(client, fake_provider, text, answer):
    from notifications.feedback.keywords import inbound_reply

    heard = []

    def listener(sender, phone, answer, text, **kwargs):
        heard.append((phone, answer))

    inbound_reply.connect(listener)
    try:
        signed_post(client, "notifications:twilio_inbound", {"From": "+33612345678", "Body": text})
    finally:
        inbound_reply.disconnect(listener)
    assert heard == [("+33612345678", answer)]


@pytest.mark.parametrize(
    ("text", "language", "words"),
    [("AIDE", "fr", "Répondez STOP"), ("help", "en", "Reply STOP"), ("Info", "en", "Reply STOP")],
)
def test_c2_help_gets_an_automatic_reply_in_the_texters_language(
    client, fake_provider, dora, text, language, words
):
    dora.language = language
    dora.save()
    reply = signed_post(
        client, "notifications:twilio_inbound", {"From": "+33612345678", "Body": text}
    )
    assert words in reply.content.decode()


def test_c2_invalid_number_fails_at_once_without_retry(
    fake_provider, appointment_factory, dora, sms_rule, emit_now
):
    fake_provider.fail = lambda request: twilio_error(21211, message="Invalid 'To' Phone Number")
    delivery = emit_now("testapp.booked", appointment_factory(client=dora)).deliveries.get()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 1)
    assert "Invalid phone number" in delivery.last_error
    assert len(fake_provider.sent("sms")) == 1


def test_c2_provider_outage_is_retried(
    fake_provider, appointment_factory, dora, sms_rule, emit_now, monkeypatch
):
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    calls = iter([twilio_error(20500, status=503, message="down"), None])
    fake_provider.fail = lambda request: next(calls)
    delivery = emit_now("testapp.booked", appointment_factory(client=dora)).deliveries.get()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.SENT, 2)


def test_n14_sms_planned_at_22h_waits_until_7h(
    fake_provider,
    appointment_factory,
    dora,
    emit_now,
    time_machine,
    django_capture_on_commit_callbacks,
):
    from notifications import dispatch

    RuleFactory(
        channels=["sms"],
        templates=SMS,
        send_window_start=datetime.time(7),
        send_window_end=datetime.time(20),
        send_window_channels=["sms", "voice"],
    )
    time_machine.move_to(
        datetime.datetime(2026, 12, 1, 21, 0, tzinfo=datetime.UTC), tick=False
    )  # 22:00 Paris
    delivery = emit_now("testapp.booked", appointment_factory(client=dora)).deliveries.get()
    assert delivery.status == Status.SCHEDULED
    time_machine.move_to(datetime.datetime(2026, 12, 2, 5, 59, tzinfo=datetime.UTC), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        dispatch.dispatch_due()
    assert fake_provider.sent("sms") == []
    time_machine.move_to(
        datetime.datetime(2026, 12, 2, 6, 0, tzinfo=datetime.UTC), tick=False
    )  # 07:00 Paris
    with django_capture_on_commit_callbacks(execute=True):
        dispatch.dispatch_due()
    assert len(fake_provider.sent("sms")) == 1


def test_c4_voice_call_reads_the_message_in_the_recipients_language(
    fake_provider, appointment_factory, dora, emit_now
):
    RuleFactory(channels=["voice"], templates={"fr": ("", "Alerte neige : déneigement à 6 h.")})
    emit_now("testapp.booked", appointment_factory(client=dora))
    (call,) = fake_provider.sent("call")
    assert call.body["To"] == "+33612345678"
    assert '<Say language="fr-FR">Alerte neige : déneigement à 6 h.</Say>' in call.body["Twiml"]


def test_c2_missing_twilio_credentials_fail_clearly(
    fake_provider, settings, appointment_factory, dora, sms_rule, emit_now
):
    settings.TWILIO_AUTH_TOKEN = ""
    delivery = emit_now("testapp.booked", appointment_factory(client=dora)).deliveries.get()
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED
    assert "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN" in delivery.last_error


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 160, ("GSM-7", 160, 1)),
        ("a" * 161, ("GSM-7", 161, 2)),
        ("Déneigement à 6 h €", ("GSM-7", 20, 1)),  # é and à are GSM-7; € counts twice
        ("Rendez-vous confirmé 👍", ("UCS-2", 23, 1)),
        ("ê" * 71, ("UCS-2", 71, 2)),  # ê is not GSM-7: the whole text becomes UCS-2
        ("{}", ("GSM-7", 4, 1)),  # extension characters take two
        ("C’est demain", ("UCS-2", 12, 1)),  # so does a curly apostrophe
    ],
)
def test_n3_sms_segments_are_counted_per_encoding(text, expected):
    assert segment_info(text) == expected
