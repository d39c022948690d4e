"""The consent ledger (SPEC N-20): append-only, states kept in step, replayed, exported, obeyed."""

import json

import pytest
from anymail.signals import AnymailTrackingEvent, EventType, RejectReason, tracking
from django.core.management import CommandError, call_command
from django.urls import reverse

from notifications import preferences, sending
from notifications.consent import state as consent
from notifications.consent.ledger import record
from notifications.consent.models import (
    AppendOnly,
    ConsentRecord,
    ContactConsent,
    PhoneStop,
    Preference,
    Suppression,
)
from notifications.consent.replay import disagreements
from notifications.models import Delivery
from notifications.unsubscribe import make_token
from tests.factories import RuleFactory, member
from tests.notifications.test_channels import signed_post

pytestmark = pytest.mark.django_db
Kind, Status = ConsentRecord.Kind, Delivery.Status
NUMBER = "+33612345678"
SMS = {"fr": ("", "Rendez-vous {{ title }}."), "en": ("", "Appointment {{ title }}.")}


@pytest.fixture
def dora(organisation):
    return member(organisation, email="dora@example.test", display_name="Dora", phone=NUMBER)


def stop(client, text="STOP"):
    signed_post(client, "notifications:twilio_inbound", {"From": NUMBER, "Body": text})


def test_n20_the_ledger_is_append_only(dora):
    entry, _changed = record(Kind.STOP, channel="sms", address=NUMBER, method="sms", text="STOP")
    entry.text = "START"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        ConsentRecord.objects.update(text="")
    with pytest.raises(AppendOnly):
        ConsentRecord.objects.all().delete()
    assert ConsentRecord.objects.get().text == "STOP"


def test_n20_a_stop_between_planning_and_sending_wins(
    client, fake_provider, appointment_factory, dora, emit_now, plan_only
):
    RuleFactory(channels=["sms"], templates=SMS)
    delivery = emit_now("testapp.booked", appointment_factory(client=dora)).deliveries.get()
    assert delivery.status == Status.QUEUED  # planned: no STOP yet
    stop(client, "Arrête")
    sending.send(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.reason) == (Status.SUPPRESSED, consent.STOPPED)
    assert fake_provider.sent("sms") == []


def test_n20_a_preference_turned_off_between_planning_and_sending_wins(
    appointment_factory, alice, emit_now, plan_only, mailoutbox
):
    RuleFactory(channels=["email"])
    delivery = emit_now("testapp.booked", appointment_factory(client=alice)).deliveries.get()
    preferences.set_preference(alice, "appointments", "email", False, method="page")
    sending.send(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.reason) == (Status.SUPPRESSED, consent.TURNED_OFF)
    assert mailoutbox == []


def test_n20_an_opt_in_request_goes_to_an_unconfirmed_number_and_is_recorded_as_sent(
    client, fake_provider, appointment_factory, organisation, dora, emit_now
):
    RuleFactory(event_code="testapp.alert_opt_in", channels=["sms"], templates=SMS)
    RuleFactory(event_code="testapp.alert", channels=["sms"], templates=SMS)
    appointment = appointment_factory(client=dora)

    alert = emit_now("testapp.alert", appointment).deliveries.get()
    assert (alert.status, alert.reason) == (Status.SUPPRESSED, consent.NOT_CONFIRMED)
    request = emit_now("testapp.alert_opt_in", appointment).deliveries.get()
    request.refresh_from_db()
    (sent,) = fake_provider.sent("sms")
    entry = ConsentRecord.objects.get(kind=Kind.OPT_IN_REQUESTED)
    assert (entry.text, entry.provider_message_id) == (
        sent.body["Body"],
        request.provider_message_id,
    )
    assert (entry.organisation, entry.purpose, entry.user) == (organisation, "alerts", dora)
    assert ContactConsent.objects.get().state == ContactConsent.State.PENDING

    signed_post(client, "notifications:twilio_inbound", {"From": NUMBER, "Body": "oui !"})
    emit_now("testapp.alert", appointment)
    assert len(fake_provider.sent("sms")) == 2


def test_n20_a4_stop_blocks_even_the_confirmation_request(
    client, fake_provider, appointment_factory, dora, emit_now
):
    RuleFactory(event_code="testapp.alert_opt_in", channels=["sms"], templates=SMS)
    stop(client)
    request = emit_now("testapp.alert_opt_in", appointment_factory(client=dora)).deliveries.get()
    assert request.reason == consent.STOPPED
    assert fake_provider.sent("sms") == []


def test_n20_preference_changes_are_recorded_with_the_words_and_page(client, alice):
    RuleFactory(channels=["email", "inapp"])
    client.force_login(alice)
    client.post(reverse("notifications:preferences"), {"on": ["appointments:inapp"]})
    client.post(reverse("notifications:preferences"), {"on": ["appointments:inapp"]})
    entry = ConsentRecord.objects.get()  # the second post changed nothing: no record
    assert (entry.kind, entry.user, entry.group, entry.channel) == (
        Kind.PREFERENCE,
        alice,
        "appointments",
        "email",
    )
    assert (entry.enabled, entry.method, entry.page) == (False, "page", "/preferences/")
    assert entry.text == "Appointments · E-mail\u00a0: désactivé"
    assert not Preference.objects.get(user=alice, channel="email").enabled


def test_n20_unsubscribe_clicks_are_recorded_as_consent(client, alice):
    token = make_token(f"user:{alice.pk}", "appointments", "email", alice.email)
    client.post(reverse("notifications:unsubscribe", args=[token]))
    client.post(
        reverse("notifications:unsubscribe", args=[token]), {"List-Unsubscribe": "One-Click"}
    )
    page, one_click = ConsentRecord.objects.order_by("pk")
    assert (page.kind, page.method, page.enabled) == (Kind.UNSUBSCRIBE, "page", False)
    assert page.text.startswith("Ne plus recevoir les messages")
    assert (one_click.method, one_click.text) == ("one_click", "List-Unsubscribe=One-Click")
    visitor = make_token("visitors.visitor:3", "visits", "email", "victor@example.test")
    client.post(reverse("notifications:unsubscribe", args=[visitor]))
    assert Suppression.objects.get().reason == Suppression.Reason.UNSUBSCRIBED
    assert ConsentRecord.objects.order_by("pk").last().address == "victor@example.test"


def test_n7_n20_a_bounce_is_recorded_beside_consent_not_as_consent(alice):
    event = AnymailTrackingEvent(
        event_type=EventType.BOUNCED,
        recipient=alice.email,
        message_id="brevo-1",
        reject_reason=RejectReason.BOUNCED,
        description="550 no such user",
        esp_event={"event": "hard_bounce"},
    )
    tracking.send(sender=None, event=event, esp_name="Brevo")
    entry = ConsentRecord.objects.get()
    assert (entry.kind, entry.is_consent, entry.user) == (Kind.BOUNCE, False, alice)
    assert entry.provider_message_id == "brevo-1" and "550" in entry.text
    assert Suppression.objects.get().reason == Suppression.Reason.BOUNCE


def test_n20_the_replay_command_finds_the_states_in_step(client, fake_provider, alice, dora):
    stop(client)
    stop(client, "start")
    stop(client, "désabonner")
    preferences.set_preference(alice, "appointments", "email", False, method="page")
    preferences.set_preference(alice, "appointments", "email", True, method="page")
    preferences.set_preference(alice, "appointments", "sms", False, method="page")
    call_command("consent_replay")
    assert disagreements() == []


def test_n20_the_replay_command_reports_a_state_edited_around_the_ledger(client, dora, capsys):
    entry = record(Kind.START, channel="sms", method="sms")[0]
    PhoneStop.objects.create(
        sender="", number="+33611111111", record=entry, created_at=entry.created_at
    )
    Preference.objects.create(user=dora, group="appointments", channel="sms", enabled=False)
    with pytest.raises(CommandError, match="2 state"):
        call_command("consent_replay")
    output = capsys.readouterr().out
    assert "+33611111111" in output and "appointments" in output


def test_n20_one_persons_ledger_is_exported_from_their_admin_page(
    client, fake_provider, bob, dora, other_organisation
):
    stop(client, "Arrêt")
    preferences.set_preference(dora, "appointments", "email", False, method="page")
    client.force_login(bob)
    page = client.get(reverse("admin:accounts_user_change", args=[dora.pk])).content.decode()
    assert "Arrêt" in page and "Bloqué\u00a0: STOP" in page
    export = client.get(reverse("admin:accounts_user_consent_export", args=[dora.pk]))
    rows = json.loads(export.content)
    assert [row["kind"] for row in rows] == ["stop", "preference"]
    assert rows[0]["text"] == "Arrêt" and rows[0]["address"] == NUMBER

    stranger = member(other_organisation, "manager", email="olga@example.test")
    client.force_login(stranger)
    refused = client.get(reverse("admin:accounts_user_consent_export", args=[dora.pk]))
    assert refused.status_code in (302, 404)


def test_n20_a_managers_edits_go_through_the_ledger_with_their_name(client, bob, alice):
    client.force_login(bob)
    client.post(
        reverse("admin:notifications_suppression_add"),
        {"channel": "email", "address": alice.email, "reason": "manual", "detail": "moved out"},
    )
    suppression = Suppression.objects.get()
    client.post(
        reverse("admin:notifications_suppression_delete", args=[suppression.pk]), {"post": "yes"}
    )
    added, lifted = ConsentRecord.objects.order_by("pk")
    assert (added.kind, added.admin_user, added.method) == (Kind.SUPPRESSED, bob, "admin")
    assert (lifted.kind, lifted.admin_user) == (Kind.LIFTED, bob)
    assert not Suppression.objects.exists()
    assert disagreements() == []


def test_n20_another_organisations_manager_reads_none_of_the_ledger(
    client, fake_provider, dora, other_organisation
):
    stop(client)
    stranger = member(other_organisation, "manager", email="olga@example.test")
    client.force_login(stranger)
    listing = client.get(reverse("admin:notifications_consentrecord_changelist")).content.decode()
    assert NUMBER not in listing


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", ["Bloqué\u00a0: STOP", "Envoyez START au +33 7 00 00 00 00"]),
        ("en", ["Blocked: STOP was texted", "Text START to +33 7 00 00 00 00"]),
    ],
)
def test_n20_the_preferences_page_shows_a_stop_and_how_to_undo_it(
    client, fake_provider, dora, language, words
):
    RuleFactory(channels=["email", "sms"], templates=SMS)
    stop(client)
    dora.language = language
    dora.save()
    client.force_login(dora)
    page = client.get(reverse("notifications:preferences"), HTTP_ACCEPT_LANGUAGE=language)
    text = page.content.decode()
    for word in words:
        assert word in text
    assert 'data-channel="sms" data-state="blocked"' in text
    assert 'data-channel="email" data-state="on"' in text


def test_n20_the_preferences_page_shows_a_bounce_and_what_to_do(client, alice):
    RuleFactory(channels=["email"])
    record(Kind.BOUNCE, channel="email", address=alice.email, method="provider")
    client.force_login(alice)
    text = client.get(reverse("notifications:preferences")).content.decode()
    assert "sont revenus non distribués" in text and "Vérifiez l’adresse" in text


def test_n20_a_channel_turned_off_everywhere_shows_off_by_choice(client, alice):
    RuleFactory(channels=["email", "inapp"])
    preferences.set_preference(alice, "appointments", "email", False, method="page")
    client.force_login(alice)
    text = client.get(reverse("notifications:preferences")).content.decode()
    assert 'data-channel="email" data-state="off"' in text and "Désactivé par choix" in text


def test_n20_a_deleted_person_leaves_their_records_without_their_name(client, fake_provider, dora):
    stop(client)
    preferences.set_preference(dora, "appointments", "email", False, method="page")
    dora.delete()  # the ledger is append-only, yet Django's SET_NULL still reaches it
    assert ConsentRecord.objects.filter(user=None).count() == 2
    assert disagreements() == []
