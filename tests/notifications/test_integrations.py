"""Integrations per organisation (SPEC C-6): providers connected in the admin, secrets
encrypted at rest and never shown back, a channel offered only once connected, the
platform's settings the default."""

import pytest
from django.urls import reverse

from accounts.models import Role
from notifications.messengers import integrations, vault
from notifications.messengers.models import Integration
from notifications.models import Rule
from tests.factories import member
from tests.notifications.test_admin import _add_rule, _rule_data

pytestmark = pytest.mark.django_db
ADD = reverse("admin:notifications_integration_add")


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


def integration_form(organisation, **fields):
    return {
        "organisation": organisation.pk,
        "telegram_token": "",
        "twilio_account_sid": "",
        "twilio_token": "",
        "sms_from": "",
        "voice_from": "",
        "whatsapp_from": "",
        **fields,
    }


def test_c6_a_manager_connects_the_organisations_bot_and_its_webhook_is_pointed_here(
    bob_client, organisation, fake_telegram, settings
):
    settings.TELEGRAM_BOT_TOKEN = ""  # no platform bot: the organisation brings its own
    data = integration_form(organisation, telegram_token="4242:own-secret-token")
    answer = bob_client.post(ADD, data)
    assert answer.status_code == 302, answer.context["adminform"].form.errors
    integration = Integration.objects.get(organisation=organisation)
    assert integration.telegram_bot_username == "relais_test_bot"  # asked of Telegram (getMe)
    assert "own-secret-token" not in integration.telegram_bot_token_encrypted
    assert integration.telegram_bot_token == "4242:own-secret-token"
    get_me, set_webhook = fake_telegram.calls
    assert (get_me.method, get_me.token) == ("getMe", "4242:own-secret-token")
    bot = integrations.telegram_bot(organisation)
    assert set_webhook.method == "setWebhook"
    assert set_webhook.body["url"].endswith(f"/webhooks/telegram/{organisation.pk}/")
    assert set_webhook.body["secret_token"] == bot.webhook_secret
    page = bob_client.get(reverse("admin:notifications_integration_change", args=[integration.pk]))
    assert "own-secret-token" not in page.content.decode()  # never shown back


def test_c6_a_token_telegram_refuses_is_a_form_error(bob_client, organisation, fake_telegram):
    answer = bob_client.post(ADD, integration_form(organisation, telegram_token="wrong-token"))
    assert answer.status_code == 200
    assert "telegram_token" in answer.context["adminform"].form.errors
    assert not Integration.objects.exists()


def test_c6_an_empty_secret_keeps_the_one_saved(bob_client, organisation):
    own = Integration(organisation=organisation, twilio_account_sid="AC" + "1" * 32)
    own.twilio_auth_token = "kept-token"
    own.save()
    change = reverse("admin:notifications_integration_change", args=[own.pk])
    data = integration_form(organisation, twilio_account_sid="AC" + "1" * 32, sms_from="+3370")
    assert bob_client.post(change, data).status_code == 302
    own.refresh_from_db()
    assert (own.twilio_auth_token, own.sms_from) == ("kept-token", "+3370")
    junk = bob_client.post(change, integration_form(organisation, twilio_account_sid="nope"))
    assert "twilio_account_sid" in junk.context["adminform"].form.errors


def test_c6_another_organisations_integration_is_a_404(client, organisation, other_organisation):
    own = Integration.objects.create(organisation=organisation, sms_from="+3370")
    client.force_login(member(other_organisation, Role.MANAGER))
    change = reverse("admin:notifications_integration_change", args=[own.pk])
    assert client.get(change).status_code in (302, 404)
    listing = client.get(reverse("admin:notifications_integration_changelist"))
    assert "+3370" not in listing.content.decode()


def test_c6_a_rule_is_refused_a_channel_not_connected(bob_client, organisation, settings):
    settings.TELEGRAM_BOT_TOKEN = ""
    data = _rule_data(
        organisation,
        channels=["telegram"],
        **{"templates-0-channel": "telegram", "templates-0-subject": ""},
    )
    answer = _add_rule(bob_client, data)
    assert answer.status_code == 200
    assert "Telegram" in str(answer.context["adminform"].form.errors["channels"])
    settings.TELEGRAM_BOT_TOKEN, settings.TELEGRAM_BOT_USERNAME = "1:platform", "relais_bot"
    assert _add_rule(bob_client, data).status_code == 302  # the platform's bot is the default
    assert Rule.objects.get(name="Reminder").channels == ["telegram"]


def test_c6_viber_is_never_offered_to_rules(bob_client, organisation):
    page = bob_client.get(reverse("admin:notifications_rule_add") + "?event_code=testapp.booked")
    channels = dict(page.context["adminform"].form.fields["channels"].choices)
    assert "viber" not in channels and "telegram" in channels and "whatsapp" in channels


def test_c6_secrets_read_back_only_with_the_key(settings):
    secret = vault.encrypt("s3cret")
    assert secret != "s3cret" and vault.decrypt(secret) == "s3cret"
    settings.RELAIS_ENCRYPTION_KEY = "A" * 43 + "="  # another key: unreadable, never a 500
    assert vault.decrypt(secret) == ""


def test_c6_sms_and_calls_leave_from_the_organisations_own_twilio_account(
    fake_provider, organisation, appointment_factory, emit_now
):
    from notifications.models import Delivery
    from tests.factories import RuleFactory

    own = Integration(
        organisation=organisation,
        twilio_account_sid="AC" + "5" * 32,
        sms_from="+33755555555",
        voice_from="+33766666666",
    )
    own.twilio_auth_token = "own-token"
    own.save()
    dora = member(organisation, email="dora@example.test", phone="+33612345678")
    RuleFactory(channels=["sms", "voice"])
    event = emit_now("testapp.booked", appointment_factory(client=dora))
    assert set(event.deliveries.values_list("status", flat=True)) == {Delivery.Status.SENT}
    (sms,) = fake_provider.sent("sms")
    (call,) = fake_provider.sent("call")
    assert f"/Accounts/AC{'5' * 32}/" in sms.path and sms.body["From"] == "+33755555555"
    assert f"/Accounts/AC{'5' * 32}/" in call.path and call.body["From"] == "+33766666666"


def test_c6_without_its_own_account_the_platforms_is_used(
    fake_provider, organisation, appointment_factory, emit_now
):
    from tests.factories import RuleFactory

    dora = member(organisation, email="dora@example.test", phone="+33612345678")
    RuleFactory(channels=["sms"])
    emit_now("testapp.booked", appointment_factory(client=dora))
    (sms,) = fake_provider.sent("sms")
    assert f"/Accounts/AC{'0' * 32}/" in sms.path and sms.body["From"] == "+33700000000"


def test_c6_a_rules_whatsapp_template_says_whether_whatsapp_approved_it(
    bob_client, organisation, settings
):
    from notifications.messengers.models import WhatsAppTemplate
    from notifications.models import MessageTemplate
    from tests.factories import RuleFactory

    settings.TWILIO_WHATSAPP_FROM = "+14155238886"
    rule = RuleFactory(organisation=organisation, channels=["whatsapp"])
    change = reverse("admin:notifications_rule_change", args=[rule.pk])
    page = bob_client.get(change)
    assert page.status_code == 200
    assert "Non approuvé par WhatsApp" in page.content.decode()
    template = MessageTemplate.objects.filter(rule=rule, channel="whatsapp").first()
    WhatsAppTemplate.objects.create(template=template, content_sid="HX" + "2" * 32)
    assert "HX" + "2" * 32 in bob_client.get(change).content.decode()


def test_c6_the_grid_offers_a_messenger_only_once_connected(bob_client, organisation, settings):
    """The Agendize grid (N-2) offers the channels a rule's form does: never Viber, and
    Telegram only once the organisation (or the platform) has a bot."""
    grid = reverse("admin:notifications_rule_grid")
    settings.TELEGRAM_BOT_TOKEN = ""
    page = bob_client.get(grid, {"organisation": organisation.pk}).content.decode()
    assert "<th" in page and ">Telegram<" not in page and ">Viber<" not in page
    refused = bob_client.post(
        grid,
        {"organisation": organisation.pk, "event": "requests.created", "role": "request_managers",
         "channel": "telegram", "on": "1"},
    )  # fmt: skip
    assert refused.status_code == 404
    assert not any("telegram" in rule.channels for rule in Rule.objects.all())
    settings.TELEGRAM_BOT_TOKEN = "0:platform"
    settings.TELEGRAM_BOT_USERNAME = "relais_bot"
    page = bob_client.get(grid, {"organisation": organisation.pk}).content.decode()
    assert ">Telegram<" in page


def test_c6_n20_a_stop_to_an_organisations_own_number_holds_for_it_alone(
    client, fake_provider, organisation, other_organisation, appointment_factory, emit_now
):
    from django.utils import timezone

    from notifications.consent.models import ConsentRecord
    from tests.factories import MembershipFactory, RuleFactory
    from tests.notifications.test_channels import signed_post
    from tests.testapp.models import Appointment

    own = Integration(
        organisation=organisation, twilio_account_sid="AC" + "5" * 32, sms_from="+33755555555"
    )
    own.twilio_auth_token = "own-token"
    own.save()
    other_organisation.sending_mode = "production"
    other_organisation.save()
    dora = member(organisation, email="dora@example.test", phone="+33612345678")
    MembershipFactory(user=dora, organisation=other_organisation)
    stop = {"From": "+33612345678", "To": "+33755555555", "Body": "STOP", "MessageSid": "SM1"}
    stop["AccountSid"] = own.twilio_account_sid
    signed_post(client, "notifications:twilio_inbound", stop, token="own-token")
    assert ConsentRecord.objects.get().sender == "+33755555555"

    RuleFactory(channels=["sms"])
    ours = emit_now("testapp.booked", appointment_factory(client=dora)).deliveries.get()
    theirs = Appointment.objects.create(
        organisation=other_organisation, client=dora, title="Coupe", start=timezone.now()
    )
    elsewhere = emit_now("testapp.booked", theirs).deliveries.get()
    assert (ours.status, ours.reason_code) == ("suppressed", "stop")
    assert elsewhere.status == "sent"
    assert [sms.body["From"] for sms in fake_provider.sent("sms")] == ["+33700000000"]
