"""WhatsApp through Twilio's WhatsApp sender (SPEC C-6): the SMS client with `whatsapp:`
addresses, the 24-hour window and its approved templates, status callbacks on the SMS
webhook. Twilio is the fake provider on 127.0.0.1 (tests/fake_provider.py)."""

import datetime

import pytest

from notifications.messengers import ticks
from notifications.messengers.models import Integration, WhatsAppTemplate
from notifications.models import Delivery, MessageTemplate
from tests.factories import RuleFactory, member
from tests.notifications.test_channels import signed_post

pytestmark = pytest.mark.django_db
Status = Delivery.Status
TEXTS = {"fr": ("", "Bonjour {{ recipient_name }}, RDV {{ title }}.")}
NOW = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def whatsapp(fake_provider, settings, time_machine):
    time_machine.move_to(NOW, tick=False)
    settings.TWILIO_WHATSAPP_FROM = "+14155238886"
    settings.RELAIS_CHANNELS = {
        **settings.RELAIS_CHANNELS,
        "whatsapp": "notifications.channels.whatsapp.TwilioWhatsApp",
    }
    return fake_provider


@pytest.fixture
def dora(organisation):
    """Dora ticked WhatsApp on her profile."""
    dora = member(
        organisation, email="dora@example.test", display_name="Dora", phone="+33612345678"
    )
    ticks.set_tick(organisation, "whatsapp", "+33612345678", True, method="admin", user=dora)
    return dora


def dora_writes(client, time_machine, when):
    time_machine.move_to(when, tick=False)
    answer = signed_post(
        client,
        "notifications:twilio_inbound",
        {"From": "whatsapp:+33612345678", "Body": "Bonjour", "MessageSid": "SMin"},
    )
    assert answer.status_code == 200
    time_machine.move_to(NOW, tick=False)


def test_c6_within_24_hours_a_free_text_goes_to_the_whatsapp_address(
    client, whatsapp, dora, appointment_factory, emit_now, time_machine
):
    dora_writes(client, time_machine, NOW - datetime.timedelta(hours=23))
    RuleFactory(channels=["whatsapp"], templates=TEXTS)
    delivery = emit_now("testapp.booked", appointment_factory(client=dora)).deliveries.get()
    (request,) = whatsapp.sent("sms")
    assert (request.body["To"], request.body["From"]) == (
        "whatsapp:+33612345678",
        "whatsapp:+14155238886",
    )
    assert request.body["Body"] == "Bonjour Dora, RDV Coupe."
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.provider_message_id.startswith("SM")
    # Its status callback comes to the SMS webhook.
    callback = {"MessageSid": delivery.provider_message_id, "MessageStatus": "read"}
    assert signed_post(client, "notifications:twilio_status", callback).status_code == 204
    delivery.refresh_from_db()
    assert delivery.status == Status.OPENED


def test_c6_outside_the_window_an_unapproved_template_is_refused_clearly(
    client, whatsapp, dora, appointment_factory, emit_now, time_machine
):
    dora_writes(client, time_machine, NOW - datetime.timedelta(hours=25))
    rule = RuleFactory(channels=["whatsapp"], templates=TEXTS)
    delivery = emit_now("testapp.booked", appointment_factory(client=dora)).deliveries.get()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 1)
    assert "24-hour window" in delivery.last_error and str(rule) in delivery.last_error
    assert "Approved WhatsApp templates" in delivery.last_error
    assert whatsapp.sent("sms") == []


def test_c6_outside_the_window_the_approved_template_goes_with_its_variables(
    whatsapp, dora, appointment_factory, emit_now
):
    rule = RuleFactory(channels=["whatsapp"], templates=TEXTS)
    template = MessageTemplate.objects.get(rule=rule, channel="whatsapp")
    WhatsAppTemplate.objects.create(
        template=template, content_sid="HX" + "1" * 32, variables="recipient_name, title"
    )
    emit_now("testapp.booked", appointment_factory(client=dora))
    (request,) = whatsapp.sent("sms")
    assert request.body["ContentSid"] == "HX" + "1" * 32
    assert request.body["ContentVariables"] == '{"1": "Dora", "2": "Coupe"}'
    assert "Body" not in request.body


def test_c6_no_whatsapp_tick_no_whatsapp_message(
    whatsapp, organisation, appointment_factory, emit_now
):
    eve = member(organisation, email="eve@example.test", phone="+33699999999")
    RuleFactory(channels=["whatsapp"], templates=TEXTS)
    delivery = emit_now("testapp.booked", appointment_factory(client=eve)).deliveries.get()
    assert (delivery.status, delivery.reason_code) == (Status.SUPPRESSED, Delivery.Skip.NO_CONTACT)
    assert whatsapp.sent("sms") == []


def test_c6_an_organisations_own_twilio_account_sends_and_signs_its_callbacks(
    client, whatsapp, dora, organisation, appointment_factory, emit_now, time_machine
):
    own = Integration(
        organisation=organisation, twilio_account_sid="AC" + "7" * 32, whatsapp_from="+33100000000"
    )
    own.twilio_auth_token = "own-auth-token"
    own.save()
    dora_writes(client, time_machine, NOW - datetime.timedelta(hours=1))
    RuleFactory(channels=["whatsapp"], templates=TEXTS)
    delivery = emit_now("testapp.booked", appointment_factory(client=dora)).deliveries.get()
    (request,) = whatsapp.sent("sms")
    assert f"/Accounts/AC{'7' * 32}/" in request.path
    assert request.body["From"] == "whatsapp:+33100000000"
    delivery.refresh_from_db()
    callback = {
        "AccountSid": "AC" + "7" * 32,
        "MessageSid": delivery.provider_message_id,
        "MessageStatus": "delivered",
    }
    forged = signed_post(client, "notifications:twilio_status", callback)  # the platform's token
    assert forged.status_code == 403
    answer = signed_post(client, "notifications:twilio_status", callback, token="own-auth-token")
    assert answer.status_code == 204
    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED
    assert "own-auth-token" not in own.twilio_auth_token_encrypted  # encrypted at rest


def test_c6_stop_on_whatsapp_unticks_whatsapp_on_the_ledger_and_nothing_more_goes(
    client, whatsapp, dora, organisation, appointment_factory, emit_now, time_machine
):
    from notifications.consent.models import ConsentRecord

    answer = signed_post(
        client,
        "notifications:twilio_inbound",
        {"From": "whatsapp:+33612345678", "Body": "Arrêt", "MessageSid": "SMstop"},
    )
    assert "WhatsApp" in answer.content.decode()
    record = ConsentRecord.objects.get(kind="opt_in_refused", channel="whatsapp")
    assert (record.user, record.keyword, record.provider_message_id) == (dora, "ARRET", "SMstop")
    assert not ticks.is_ticked(organisation, "whatsapp", "+33612345678")
    RuleFactory(channels=["whatsapp"], templates=TEXTS)
    emit_now("testapp.booked", appointment_factory(client=dora))
    assert whatsapp.sent("sms") == []


def test_c6_a_junk_whatsapp_sender_changes_nothing(client, whatsapp):
    from notifications.messengers.models import WhatsAppWindow

    answer = signed_post(
        client, "notifications:twilio_inbound", {"From": "whatsapp:" + "9" * 80, "Body": "STOP"}
    )
    assert answer.status_code == 200 and not WhatsAppWindow.objects.exists()
