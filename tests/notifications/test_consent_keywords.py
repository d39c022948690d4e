"""Keywords as people write them (C-2, N-20): every spelling, one confirmation, their language."""

import pytest

from notifications.consent import state as consent
from notifications.consent.models import ConsentRecord, ContactConsent, PhoneStop
from notifications.feedback.keywords import read
from notifications.models import Delivery
from tests.factories import RuleFactory, member
from tests.notifications.test_channels import signed_post

pytestmark = pytest.mark.django_db
Kind = ConsentRecord.Kind
NUMBER = "+33612345678"
OUR_NUMBER = "+33700000000"  # the fake provider's TWILIO_SMS_FROM

STOPS = [
    "STOP",
    " Arrêt ",
    "ARRET",
    "Stop.",
    "stop!",
    "ARRÊT",
    "Arrête",
    "ARRETE",
    "arrêter",
    "Arrêtez svp",
    "désabonner",
    "Me désabonner",
    "DESINSCRIPTION",
    "Désinscription",
    "quit",
    "End",
    "cancel",
    "Unsubscribe",
    "REVOKE",
    "optout",
    "opt-out",
    "Opt out",
    "STOPALL",
    "stop all",
    "stop svp",
    "stop please",
    "Please stop",
    "ＳＴＯＰ",
    "Oui, stop",
    "yes STOP",
]


@pytest.mark.parametrize("text", STOPS)
def test_c2_n20_every_spelling_of_stop_withdraws(text):
    assert read(text).action == "stop"


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("START", "start"),
        ("start", "start"),
        ("Unstop", "start"),
        ("oui", "yes"),
        ("Oui !", "yes"),
        ("YES", "yes"),
        ("yes please", "yes"),
        ("Non merci", "no"),
        ("no", "no"),
        ("AIDE", "help"),
        ("help", "help"),
        ("Info", "help"),
    ],
)
def test_c2_start_yes_no_and_help_are_read_whatever_the_case(text, action):
    assert read(text).action == action


@pytest.mark.parametrize("text", ["", "   ", "Bonjour", "Je serai en retard", "🙂", "STOPPE-LA"])
def test_c2_a_text_without_keyword_is_no_keyword(text):
    assert read(text) is None


@pytest.fixture
def dora(organisation):
    return member(organisation, email="dora@example.test", display_name="Dora", phone=NUMBER)


def inbound(client, text, number=NUMBER, sid="SM0001"):
    data = {"From": number, "To": OUR_NUMBER, "Body": text, "MessageSid": sid}
    return signed_post(client, "notifications:twilio_inbound", data).content.decode()


@pytest.mark.parametrize("text", ["Arrête", "arrêter", "désabonner", "stop svp", "STOP."])
def test_c2_n20_stop_in_any_spelling_blocks_the_next_sms(
    client, fake_provider, appointment_factory, dora, emit_now, text
):
    RuleFactory(channels=["sms"], templates={"fr": ("", "Rendez-vous {{ title }}.")})
    inbound(client, text)
    delivery = emit_now("testapp.booked", appointment_factory(client=dora)).deliveries.get()
    assert (delivery.status, delivery.reason) == (Delivery.Status.SUPPRESSED, consent.STOPPED)
    assert fake_provider.sent("sms") == []


def test_c2_n20_an_english_user_gets_the_stop_confirmation_in_english(client, fake_provider, dora):
    dora.language = "en"
    dora.save()
    reply = inbound(client, "STOP")
    assert "You will no longer receive our text messages" in reply
    assert "Reply START" in reply


def test_c2_n20_an_unknown_number_is_answered_in_the_organisations_language(client, fake_provider):
    assert "Vous ne recevrez plus nos SMS" in inbound(client, "stop", number="+33698765432")


def test_c2_n20_a_visitors_number_is_answered_in_the_language_of_our_last_message(
    client, fake_provider, dora
):
    dora.phone = ""
    dora.save()
    RuleFactory(channels=["sms"])
    Delivery.objects.create(
        event_id=_an_event().pk,
        recipient_key="visitors.visitor:1",
        address=NUMBER,
        language="en",
        time_zone="Europe/Paris",
        channel="sms",
        priority="default",
        dedupe_key="visitor-sms",
        status=Delivery.Status.SENT,
        send_at=_an_event().created_at,
    )
    assert "You will no longer receive" in inbound(client, "Arrêt")


def _an_event():
    from notifications.models import Event

    return Event.objects.get_or_create(code="testapp.booked")[0]


def test_c2_n20_one_confirmation_reply_to_stop_nothing_more(client, fake_provider, dora):
    first = inbound(client, "STOP", sid="SM1")
    second = inbound(client, "Arrêt", sid="SM2")
    assert "<Message>" in first
    assert "<Message>" not in second  # recorded, and answered by silence
    records = ConsentRecord.objects.filter(kind=Kind.STOP).order_by("pk")
    assert [(r.text, r.keyword, r.provider_message_id) for r in records] == [
        ("STOP", "STOP", "SM1"),
        ("Arrêt", "ARRET", "SM2"),
    ]
    assert PhoneStop.objects.count() == 1


def test_n20_a_stop_records_who_when_how_and_the_exact_words(client, fake_provider, dora):
    inbound(client, "  Stop svp  ", sid="SM42")
    entry = ConsentRecord.objects.get()
    assert entry.kind == Kind.STOP and entry.is_consent
    assert (entry.user, entry.address, entry.channel) == (dora, NUMBER, "sms")
    assert (entry.method, entry.keyword, entry.text) == ("sms", "STOP", "  Stop svp  ")
    assert (entry.sender, entry.provider_message_id) == (OUR_NUMBER, "SM42")
    assert entry.reply.startswith("Vous ne recevrez plus nos SMS")
    assert entry.created_at is not None


def test_c2_n20_a_stop_blocks_voice_calls_to_that_number_too(
    client, fake_provider, appointment_factory, dora, emit_now
):
    RuleFactory(channels=["voice"], templates={"fr": ("", "Rendez-vous {{ title }}.")})
    inbound(client, "ARRET")
    delivery = emit_now("testapp.booked", appointment_factory(client=dora)).deliveries.get()
    assert delivery.reason == consent.STOPPED
    assert fake_provider.sent("call") == []


def test_c2_n20_start_resumes_and_is_recorded(
    client, fake_provider, appointment_factory, dora, emit_now
):
    RuleFactory(channels=["sms"], templates={"fr": ("", "Rendez-vous {{ title }}.")})
    inbound(client, "STOP")
    assert "STOP" in inbound(client, "Start")
    emit_now("testapp.booked", appointment_factory(client=dora))
    assert len(fake_provider.sent("sms")) == 1
    assert list(ConsentRecord.objects.order_by("pk").values_list("kind", flat=True)) == [
        Kind.STOP,
        Kind.START,
    ]


def test_c2_twilio_21610_records_a_stop_from_the_provider(client, fake_provider, dora):
    data = {"MessageSid": "SM9", "MessageStatus": "failed", "ErrorCode": "21610", "To": NUMBER}
    signed_post(client, "notifications:twilio_status", data)
    entry = ConsentRecord.objects.get()
    assert (entry.kind, entry.method, entry.provider_message_id) == (Kind.STOP, "provider", "SM9")
    assert consent.is_stopped(NUMBER)


@pytest.fixture
def waiting(organisation, dora):
    """Dora's number waits for her answer to the alerts' confirmation request."""
    from notifications.consent.ledger import record

    record(
        Kind.OPT_IN_REQUESTED,
        channel="sms",
        address=NUMBER,
        method="system",
        organisation=organisation,
        purpose="alerts",
        text="Répondez OUI pour recevoir les alertes.",
    )
    return ContactConsent.objects.get()


@pytest.mark.parametrize(("text", "state"), [("Oui", "accepted"), ("yes", "accepted")])
def test_c2_n20_yes_confirms_the_waiting_opt_in(client, fake_provider, waiting, text, state):
    reply = inbound(client, text)
    waiting.refresh_from_db()
    assert waiting.state == state
    assert "confirmé" in reply
    assert waiting.record.text == text and waiting.record.kind == Kind.OPT_IN_GIVEN


@pytest.mark.parametrize("text", ["NON", "non merci", "No"])
def test_c2_n20_no_refuses_the_waiting_opt_in(client, fake_provider, waiting, text):
    inbound(client, text)
    waiting.refresh_from_db()
    assert waiting.state == "refused"


def test_c2_n20_yes_after_stop_resumes_where_it_applies(client, fake_provider, dora):
    inbound(client, "STOP")
    inbound(client, "OUI")
    assert not consent.is_stopped(NUMBER)
    assert ConsentRecord.objects.order_by("-pk").first().kind == Kind.START


def test_c2_yes_without_a_question_changes_nothing(client, fake_provider, dora):
    assert "<Message>" not in inbound(client, "oui")
    assert not ConsentRecord.objects.exists()
