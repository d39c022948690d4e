"""Contact points and their double opt-in (SPEC A-1…A-4): colours from the consent ledger."""

import re

import pytest

from alerts import services
from alerts.consent import Colour, colour_of
from alerts.services.contacts import ContactError
from notifications.consent.models import ConsentRecord
from notifications.consent.replay import disagreements
from tests.alerts.conftest import (
    ALICE_MOBILE,
    CARL_MOBILE,
    confirm_sms,
    make_contract,
    make_occupant,
    reply,
    sent_to,
)

pytestmark = pytest.mark.django_db
Kind = ConsentRecord.Kind


def test_a2_a_new_mobile_gets_a_request_to_answer_oui_or_non_and_turns_yellow(
    fake_provider, alice, bob, on_commit
):
    point = services.add_contact_point(alice, "sms", "514 234-5678", bob, region="CA")
    assert point.address == ALICE_MOBILE  # E.164
    assert colour_of(point) == Colour.RECEIVED  # black: nothing has left yet
    with on_commit():
        pass
    point2 = services.add_contact_point(alice, "email", " Alice.T@Example.ORG ", bob)
    assert point2.address == "alice.t@example.org"


def test_a2_the_request_leaves_once_committed_and_the_point_turns_pending(
    fake_provider, alice, bob, on_commit
):
    with on_commit():
        point = services.add_contact_point(alice, "sms", ALICE_MOBILE, bob)
    (request,) = sent_to(fake_provider, "sms", ALICE_MOBILE)
    assert "Répondez OUI" in request["Body"] and "12, rue des Érables" in request["Body"]
    assert colour_of(point) == Colour.PENDING
    entry = ConsentRecord.objects.get(kind=Kind.OPT_IN_REQUESTED, address=ALICE_MOBILE)
    assert entry.text == request["Body"]  # the exact text is the proof


@pytest.mark.parametrize(
    ("text", "colour"), [("Oui", Colour.ACCEPTED), ("non merci", Colour.REFUSED)]
)
def test_a2_oui_turns_it_green_non_red_each_a_ledger_row(
    client, fake_provider, alice, bob, on_commit, text, colour
):
    with on_commit():
        point = services.add_contact_point(alice, "sms", ALICE_MOBILE, bob)
    reply(client, ALICE_MOBILE, text)
    assert colour_of(point) == colour
    assert ConsentRecord.objects.filter(address=ALICE_MOBILE).count() == 2
    assert disagreements() == []


def test_a2_a_reply_answers_only_the_most_recent_pending_request_to_that_number(
    client, fake_provider, alice, bob, on_commit, noon
):
    from tests.alerts.conftest import make_contract

    other = _other_company(alice)
    elsewhere = make_occupant(other, "Alice T.", make_contract(other, None, 1, "3, rue du Lac"))
    with on_commit():
        first = services.add_contact_point(alice, "sms", ALICE_MOBILE, bob)
    noon.shift(60)
    with on_commit():
        latest = services.add_contact_point(elsewhere, "sms", ALICE_MOBILE, None)
    reply(client, ALICE_MOBILE, "OUI")
    assert colour_of(latest) == Colour.ACCEPTED
    assert colour_of(first) == Colour.PENDING  # still waits for its own answer


def _other_company(occupant):
    from alerts.models import Company
    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory(name="Neige Plus", sending_mode="production")
    return Company.objects.create(organisation=organisation, name="Neige Plus")


def test_a2_an_email_point_confirms_on_the_signed_page_get_never_acts(
    client, fake_provider, alice, bob, on_commit
):
    with on_commit():
        point = services.add_contact_point(alice, "email", "alice@example.org", bob)
    (email,) = sent_to(fake_provider, "email", "alice@example.org")
    link = re.search(r"http://\S+/alerts/c/\S+/", email["textContent"]).group()
    page = client.get(link)
    assert page.status_code == 200 and "Déneigement Boréal" in page.content.decode()
    assert colour_of(point) == Colour.PENDING  # a mail scanner opened it: nothing changed
    client.post(link, {"answer": "yes"})
    assert colour_of(point) == Colour.ACCEPTED
    entry = ConsentRecord.objects.filter(address="alice@example.org").first()
    assert entry.kind == Kind.OPT_IN_GIVEN and entry.method == "link" and "Oui" in entry.text
    reused = client.get(link)
    assert "Vous avez accepté" in reused.content.decode()  # reused: says where it stands
    assert disagreements() == []


@pytest.mark.parametrize("token", ["junk", "eyJhIjoxfQ:1abc:xyz"])
def test_a2_a_tampered_link_is_refused_clearly(client, token):
    page = client.get(f"/alerts/c/{token}/")
    assert page.status_code == 404
    assert "n’est pas valide" in page.content.decode() or "not valid" in page.content.decode()


def test_a2_junk_answer_on_the_page_changes_nothing(client, fake_provider, alice, bob, on_commit):
    from alerts.tokens import confirm_path

    with on_commit():
        point = services.add_contact_point(alice, "email", "alice@example.org", bob)
    assert client.post(confirm_path(point), {"answer": "maybe"}).status_code == 400
    assert colour_of(point) == Colour.PENDING


@pytest.mark.parametrize(
    ("method", "text", "message"),
    [
        ("sms", "+33142345678", "n’est pas un numéro de mobile"),
        ("sms", "12", "n’est pas un numéro"),
        ("email", "alice@", "n’est pas une adresse"),
    ],
)
def test_a1_bad_contact_points_are_refused_with_a_clear_sentence(alice, method, text, message):
    from django.utils import translation

    with translation.override("fr"), pytest.raises(ContactError) as error:
        services.add_contact_point(alice, method, text)
    assert message in " ".join(error.value.messages)
    assert not alice.contact_points.exists()


def test_a1_a_duplicate_contact_point_names_who_has_it(alice, carl):
    services.add_contact_point(alice, "sms", ALICE_MOBILE)
    with pytest.raises(ContactError, match="Alice Tremblay"):
        services.add_contact_point(carl, "sms", ALICE_MOBILE)
    with pytest.raises(ContactError):
        services.add_contact_point(alice, "sms", CARL_MOBILE)  # one mobile per person


def test_a4_stop_turns_burgundy_and_nothing_more_is_sent_even_a_confirmation_until_start(
    client, fake_provider, alice, bob, on_commit, noon
):
    point = confirm_sms(client, alice, ALICE_MOBILE, on_commit, bob)
    reply(client, ALICE_MOBILE, "Arrêt")
    assert colour_of(point) == Colour.STOP
    with pytest.raises(ContactError, match="STOP"):
        services.resend_confirmation(point, bob)
    services.delete_contact_point(point, bob)
    with on_commit():
        again = services.add_contact_point(alice, "sms", ALICE_MOBILE, bob)
    assert colour_of(again) == Colour.STOP
    assert len(sent_to(fake_provider, "sms", ALICE_MOBILE)) == 1  # the first request only
    reply(client, ALICE_MOBILE, "START")
    assert colour_of(again) == Colour.REFUSED  # the deletion's refusal stands: ask again
    noon.shift(3600)
    with on_commit():
        services.resend_confirmation(again, bob)
    assert len(sent_to(fake_provider, "sms", ALICE_MOBILE)) == 2
    assert disagreements() == []


def test_a3_resending_is_rate_limited(fake_provider, alice, bob, on_commit, noon):
    with on_commit():
        point = services.add_contact_point(alice, "sms", ALICE_MOBILE, bob)
    with pytest.raises(ContactError, match="20:10|12:10|from"):
        services.resend_confirmation(point, bob)
    for _ in range(2):
        noon.shift(11 * 60)
        with on_commit():
            services.resend_confirmation(point, bob)
    noon.shift(11 * 60)
    with pytest.raises(ContactError):
        services.resend_confirmation(point, bob)  # three in a day is enough
    assert len(sent_to(fake_provider, "sms", ALICE_MOBILE)) == 3


def test_a3_deleting_a_subscription_is_a_refusal_in_the_ledger(
    client, fake_provider, alice, bob, on_commit
):
    point = confirm_sms(client, alice, ALICE_MOBILE, on_commit, bob)
    services.delete_contact_point(point, bob)
    entry = ConsentRecord.objects.filter(address=ALICE_MOBILE).first()
    assert entry.kind == Kind.OPT_IN_REFUSED and entry.admin_user == bob
    assert not alice.contact_points.exists()
    assert (
        "supprimé" in alice.contracts.get().notes.first().text
        or alice.contracts.get().notes.exists()
    )


def test_a4_an_unknown_number_replying_changes_nothing_and_gets_no_reply(client, fake_provider):
    answer = reply(client, "+15149999999", "OUI")
    assert answer.status_code == 200
    assert not ConsentRecord.objects.exists()
    assert fake_provider.sent("sms") == []


def test_a1_a_switched_off_company_sends_no_confirmation(fake_provider, alice, bob, on_commit):
    alice.company.alerts_enabled = False
    alice.company.save()
    with on_commit():
        point = services.add_contact_point(alice, "sms", ALICE_MOBILE, bob)
    assert fake_provider.sent("sms") == []
    assert colour_of(point) == Colour.RECEIVED


def voice_post(client, url, data, token="twilio-test-token"):
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(token).compute_signature("http://127.0.0.1:8000" + url, data)
    return client.post(url, data, headers={"X-Twilio-Signature": signature})


@pytest.mark.parametrize(("digit", "colour"), [("1", Colour.ACCEPTED), ("2", Colour.REFUSED)])
def test_a2_a_number_to_call_confirms_on_the_keypad_through_a_signed_callback(
    client, fake_provider, alice, bob, on_commit, digit, colour
):
    with on_commit():
        point = services.add_contact_point(alice, "voice", "+1 450 234 5678", bob)
    (call,) = fake_provider.sent("call")
    twiml = call.body["Twiml"]
    assert "<Gather" in twiml and "Appuyez sur 1 pour accepter" in twiml
    url = re.search(r'action="http://127\.0\.0\.1:8000(/alerts/voice/[^"]+/)"', twiml).group(1)
    assert client.post(url, {"Digits": digit}).status_code == 403  # not signed by Twilio
    assert colour_of(point) == Colour.PENDING
    answer = voice_post(client, url, {"Digits": "7", "CallSid": "CA1"})
    assert "<Say" in answer.content.decode() and colour_of(point) == Colour.PENDING
    voice_post(client, url, {"Digits": digit, "CallSid": "CA1"})
    assert colour_of(point) == colour
    entry = ConsentRecord.objects.filter(address="+14502345678").first()
    assert entry.keyword == digit and entry.provider_message_id == "CA1"
    assert disagreements() == []


def test_a2_a_tampered_voice_callback_is_refused(client, fake_provider):
    assert voice_post(client, "/alerts/voice/junk/", {"Digits": "1"}).status_code == 404


def test_a2_a_number_confirmed_for_one_company_is_asked_again_by_another_of_the_same_group(
    client, fake_provider, boreal, alice, bob, on_commit
):
    from alerts.models import Company, Route

    first = confirm_sms(client, alice, ALICE_MOBILE, on_commit, bob)
    express = Company.objects.create(
        organisation=boreal.organisation, name="Neige Express", time_zone="America/Toronto"
    )
    route = Route.objects.create(company=express, name="Est")
    cabin = make_contract(express, route, 1, "3, chemin du Lac")
    fake_provider.received.clear()
    with on_commit():
        other = services.add_contact_point(
            make_occupant(express, "Alice", cabin), "sms", ALICE_MOBILE
        )
    assert colour_of(other) == Colour.PENDING  # not green: Neige Express has to ask
    assert colour_of(first) == Colour.ACCEPTED  # and Boréal's own stays green meanwhile
    [request] = sent_to(fake_provider, "sms", ALICE_MOBILE)
    assert "Neige Express" in request["Body"]
    with on_commit():
        run = services.start_run(route, bob)
    assert run.batch.targeted == 0 and sent_to(fake_provider, "sms", ALICE_MOBILE) == [request]
    reply(client, ALICE_MOBILE, "OUI")  # answers Neige Express's request, the latest
    assert colour_of(other) == Colour.ACCEPTED
    assert disagreements() == []  # the ledger's replay agrees with the colours


def test_a2_consent_given_before_per_company_purposes_follows_each_company_that_has_the_point(
    alice, boreal
):
    import importlib

    from django.apps import apps

    from alerts.consent import purpose_of
    from notifications.consent.ledger import record
    from notifications.consent.models import ContactConsent

    point = services.add_contact_point(alice, "sms", ALICE_MOBILE)
    how = {"channel": "sms", "address": ALICE_MOBILE, "organisation": boreal.organisation}
    record(Kind.OPT_IN_REQUESTED, method="system", purpose="snow_alerts", **how)
    record(Kind.OPT_IN_GIVEN, method="sms", purpose="snow_alerts", keyword="OUI", **how)
    migration = importlib.import_module("alerts.migrations.0002_consent_per_company")
    migration.per_company(apps, None)
    assert colour_of(point) == Colour.ACCEPTED
    state = ContactConsent.objects.get(purpose=purpose_of(boreal))
    assert (state.record.kind, state.record.keyword) == (Kind.OPT_IN_GIVEN, "OUI")
    assert disagreements() == []  # the copied records replay to the copied state
