"""Sending one delivery: claim, render, channel, record, retry (DESIGN step 5)."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from config.celery import app as celery_app
from notifications import sending
from notifications.models import Delivery
from notifications.tasks import MAX_SEND_RETRIES, send_delivery
from tests.factories import RuleFactory, member

pytestmark = pytest.mark.django_db
Status = Delivery.Status


class FlakyBackend(EmailBackend):
    """Fails the first `failures` sends like an SMTP server that drops the line."""

    failures = 0
    calls = 0

    def send_messages(self, messages):
        FlakyBackend.calls += 1
        if FlakyBackend.calls <= FlakyBackend.failures:
            raise smtplib.SMTPServerDisconnected("connection dropped")
        return super().send_messages(messages)


class RefusingBackend(EmailBackend):
    def send_messages(self, messages):
        from anymail.exceptions import AnymailRecipientsRefused

        FlakyBackend.calls += 1
        raise AnymailRecipientsRefused("invalid recipient")


@pytest.fixture
def flaky(settings, monkeypatch):
    # Eager retries run at once; their Retry signal must not escape to the test.
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    settings.EMAIL_BACKEND = "tests.notifications.test_sending.FlakyBackend"
    FlakyBackend.calls = 0
    return FlakyBackend


@pytest.fixture
def queued(appointment_factory, emit_now, plan_only):
    """A queued email delivery to Alice, planned but not yet sent."""
    RuleFactory(channels=["email"])
    return emit_now("testapp.booked", appointment_factory()).deliveries.get()


def test_n8_delivery_run_twice_sends_once(queued):
    send_delivery.delay(queued.pk)
    send_delivery.delay(queued.pk)
    assert len(mail.outbox) == 1
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == (Status.SENT, 1)


def test_n8_transient_error_retries_then_sends(queued, flaky):
    flaky.failures = 2
    send_delivery.delay(queued.pk)
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == (Status.SENT, 3)
    assert len(mail.outbox) == 1


def test_n8_transient_errors_stop_at_the_retry_limit(queued, flaky):
    flaky.failures = 100
    send_delivery.delay(queued.pk)
    queued.refresh_from_db()
    assert queued.status == Status.FAILED
    assert queued.attempts == MAX_SEND_RETRIES + 1
    assert "connection dropped" in queued.last_error
    assert "gave up" in queued.last_error


def test_n8_permanent_error_fails_at_once(queued, settings, flaky):
    settings.EMAIL_BACKEND = "tests.notifications.test_sending.RefusingBackend"
    send_delivery.delay(queued.pk)
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == (Status.FAILED, 1)
    assert flaky.calls == 1
    assert "invalid recipient" in queued.last_error


def test_n8_backoff_is_exponential_and_short():
    from notifications.tasks import backoff

    assert [backoff(n) for n in range(6)] == [10, 20, 40, 80, 160, 300]


def test_n6_sent_delivery_keeps_what_was_sent(queued):
    send_delivery.delay(queued.pk)
    queued.refresh_from_db()
    assert queued.subject == "Rendez-vous : Coupe"
    assert queued.body.startswith("Bonjour Alice Durand, le 10 décembre 2026")
    assert "<p style=" in queued.html  # the layout's CSS is inlined
    assert queued.provider_message_id == mail.outbox[0].extra_headers["Message-ID"]
    assert queued.sent_at is not None


def test_n17_dates_are_in_the_recipients_zone_and_language(
    appointment_factory, organisation, emit_now
):
    english = member(organisation, language="en", time_zone="America/Montreal")
    RuleFactory(
        templates={
            "fr": ("RDV", "Le {{ start|date:'j F Y H:i' }}"),
            "en": ("Appointment", "On {{ start|date:'F j, Y H:i' }}"),
        }
    )
    start = datetime.datetime(2026, 12, 10, 14, 0, tzinfo=datetime.UTC)
    emit_now("testapp.booked", appointment_factory(start=start))
    emit_now("testapp.booked", appointment_factory(start=start, client=english))
    bodies = sorted(message.body.split("\n\n")[0] for message in mail.outbox)
    assert bodies == ["Le 10 décembre 2026 15:00", "On December 10, 2026 09:00"]


def test_c1_email_has_text_html_attachment_and_one_click_unsubscribe(queued):
    send_delivery.delay(queued.pk)
    message = mail.outbox[0]
    assert message.alternatives[0].mimetype == "text/html"
    assert message.attachments[0][0] == "rdv.ics"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_c1_mandatory_email_has_no_unsubscribe_link(appointment_factory, emit_now):
    RuleFactory(event_code="testapp.secret_code", templates={"fr": ("Code", "{{ code }}")})
    emit_now("testapp.secret_code", appointment_factory(), code="4242")
    assert mail.outbox[0].body.split("\n\n")[0] == "4242"
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers


def test_c1_acting_staff_member_is_the_sender_name_and_reply_to(appointment_factory, bob, emit_now):
    RuleFactory(sender_mode="actor")
    emit_now("testapp.booked", appointment_factory(), actor=bob)
    message = mail.outbox[0]
    assert message.from_email == "Bob Martin <no-reply@relais.localhost>"
    assert message.reply_to == ["Bob Martin <bob@example.test>"]


def test_c1_no_reply_rule_sends_from_the_platform(queued):
    send_delivery.delay(queued.pk)
    assert mail.outbox[0].from_email == "Relais <no-reply@relais.localhost>"
    assert mail.outbox[0].reply_to == []


def test_c5_inapp_delivery_lands_in_the_inbox(appointment_factory, alice, emit_now):
    RuleFactory(channels=["inapp"])
    emit_now("testapp.booked", appointment_factory())
    message = Delivery.objects.get(user=alice, channel="inapp")
    assert (message.status, message.subject, message.read_at) == (
        Status.SENT,
        "Rendez-vous : Coupe",
        None,
    )
    assert mail.outbox == []


def test_n8_missing_template_fails_clearly(appointment_factory, emit_now):
    rule = RuleFactory(channels=["email"])
    rule.templates.all().delete()
    delivery = emit_now("testapp.booked", appointment_factory()).deliveries.get()
    assert delivery.status == Status.FAILED
    assert "has no 'email' template" in delivery.last_error


def test_n8_channel_without_backend_fails_permanently(appointment_factory, emit_now, settings):
    settings.RELAIS_CHANNELS = {
        **settings.RELAIS_CHANNELS,
        "sms": "tests.notifications.fakes.PhoneChannel",
    }
    RuleFactory(channels=["sms"])
    delivery = emit_now(
        "testapp.booked", appointment_factory(client=member_with_phone())
    ).deliveries.get()
    settings.RELAIS_CHANNELS = {"email": settings.RELAIS_CHANNELS["email"]}
    Delivery.objects.filter(pk=delivery.pk).update(status=Status.QUEUED)
    sending.send(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED
    assert "No backend is configured for the 'sms' channel" in delivery.last_error


def member_with_phone():
    from accounts.models import Organisation

    return member(Organisation.objects.first(), phone="+33612345678")
