"""Telegram (SPEC C-6): linking from the portal, the bot's webhook, sending and its errors.

The real client (notifications.messengers.telegram_api) talks to a fake Bot API server on
127.0.0.1 (tests/fake_telegram.py); Telegram's own calls to our webhook are made with the
test client, carrying the secret token setWebhook would have given it.
"""

import datetime
import json

import pytest
from django.core import mail
from django.urls import reverse

from notifications import tasks
from notifications.channels.telegram import MAX_LENGTH, format_message
from notifications.consent.models import ConsentRecord
from notifications.messengers import integrations, linking
from notifications.messengers.models import Integration, TelegramLink
from notifications.models import Delivery
from notifications.preferences import set_preference
from tests.factories import RuleFactory

pytestmark = pytest.mark.django_db
Status = Delivery.Status
CHAT = 987654321
WEBHOOK = "notifications:telegram_webhook"


def start(client, bot, text, chat_id=CHAT, secret=None):
    """Telegram posting a private message from `chat_id` to the bot's webhook."""
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "from": {"id": chat_id, "username": "alice_d"},
            "chat": {"id": chat_id, "type": "private"},
            "text": text,
        },
    }
    return client.post(
        reverse(WEBHOOK, args=[bot.webhook_key]),
        json.dumps(update),
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": secret or bot.webhook_secret},
    )


def deep_link_token(client, user):
    """The token of the deep link the portal gives `user` (the platform's bot)."""
    client.force_login(user)
    page = client.post(reverse("notifications:telegram"), {"bot": "platform", "action": "link"})
    assert page.status_code == 200
    url = page.context["rows"][0]["deep_link"]
    assert url.startswith("https://t.me/relais_test_bot?start=")
    return url.split("start=", 1)[1]


@pytest.fixture
def bot(fake_telegram, organisation):
    return integrations.telegram_bot(organisation)


@pytest.fixture
def linked(client, bot, alice):
    start(client, bot, "/start " + deep_link_token(client, alice))
    return TelegramLink.objects.get(user=alice)


def test_c6_portal_deep_link_then_start_binds_the_chat_once(client, bot, alice):
    token = deep_link_token(client, alice)
    answer = start(client, bot, f"/start {token}")
    assert answer.status_code == 200
    assert answer.json()["method"] == "sendMessage" and answer.json()["chat_id"] == CHAT
    assert "lié" in answer.json()["text"]  # Alice reads French
    link = TelegramLink.objects.get(user=alice)
    assert (link.chat_id, link.username, link.active, link.organisation) == (
        CHAT,
        "alice_d",
        True,
        None,
    )
    proof = ConsentRecord.objects.get(channel="telegram", kind=ConsentRecord.Kind.OPT_IN_GIVEN)
    assert (proof.user, proof.address, proof.text) == (alice, str(CHAT), f"/start {token}")
    page = client.get(reverse("notifications:telegram"))
    assert b'data-state="linked"' in page.content and b"@alice_d" in page.content


def test_c6_a_reused_link_binds_nothing_more(client, bot, alice):
    token = deep_link_token(client, alice)
    start(client, bot, f"/start {token}")
    again = start(client, bot, f"/start {token}", chat_id=111)
    assert "déjà" in again.json()["text"]
    assert list(TelegramLink.objects.values_list("chat_id", flat=True)) == [CHAT]


def test_c6_an_expired_link_binds_nothing(client, bot, alice, time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.UTC), tick=False)
    token = deep_link_token(client, alice)
    time_machine.move_to(datetime.datetime(2026, 12, 1, 8, 16, tzinfo=datetime.UTC), tick=False)
    answer = start(client, bot, f"/start {token}")
    assert "expiré" in answer.json()["text"]
    assert not TelegramLink.objects.exists()


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-1] + ("0" if token[-1] != "0" else "1"),  # signature changed
        lambda token: "0" * 24 + token[24:],  # another nonce under the same signature
        lambda token: "nonsense",
        lambda token: "",
    ],
)
def test_c6_a_forged_token_binds_nothing(client, bot, alice, forge):
    token = deep_link_token(client, alice)
    answer = start(client, bot, f"/start {forge(token)}".strip())
    assert answer.status_code == 200 and answer.json()["method"] == "sendMessage"
    assert not TelegramLink.objects.exists()
    assert "portail" in answer.json()["text"]


def test_c6_a_token_made_for_another_bot_is_refused_by_this_one(
    client, bot, alice, organisation, fake_telegram
):
    token = deep_link_token(client, alice)  # for the platform's bot
    own = Integration(organisation=organisation, telegram_bot_username="tilleuls_bot")
    own.telegram_bot_token = "999:own-token"
    own.save()
    org_bot = integrations.telegram_bot(organisation)
    assert org_bot.organisation_id == organisation.pk
    start(client, org_bot, f"/start {token}")
    assert not TelegramLink.objects.exists()


def test_c6_a_wrong_secret_header_is_refused_and_binds_nothing(client, bot, alice):
    token = deep_link_token(client, alice)
    answer = start(client, bot, f"/start {token}", secret="not-the-secret")
    assert answer.status_code == 403
    missing = client.post(
        reverse(WEBHOOK, args=["platform"]), "{}", content_type="application/json"
    )
    assert missing.status_code == 403
    assert not TelegramLink.objects.exists()
    # The token was not spent by the refused request: the real /start still works.
    assert start(client, bot, f"/start {token}").status_code == 200
    assert TelegramLink.objects.filter(user=alice).exists()


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"message": {"chat": 5}}'])
def test_c6_junk_updates_get_a_400_never_a_500(client, bot, body):
    answer = client.post(
        reverse(WEBHOOK, args=["platform"]),
        body,
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": bot.webhook_secret},
    )
    assert answer.status_code in (200, 400)
    assert answer.status_code == 400 or answer.json() == {}


def test_c6_no_bot_no_webhook_and_get_never_acts(client, settings, alice):
    settings.TELEGRAM_BOT_TOKEN = ""
    assert client.post(reverse(WEBHOOK, args=["platform"])).status_code == 404
    assert client.post(reverse(WEBHOOK, args=["12345"])).status_code == 404
    client.force_login(alice)
    page = client.get(reverse("notifications:telegram"))
    assert page.status_code == 200 and not page.context["rows"]


def test_c6_a_bot_of_another_organisation_cannot_be_asked_for(
    client, bot, alice, other_organisation
):
    own = Integration(organisation=other_organisation, telegram_bot_username="horizon_bot")
    own.telegram_bot_token = "555:horizon"
    own.save()
    client.force_login(alice)
    answer = client.post(
        reverse("notifications:telegram"), {"bot": str(other_organisation.pk), "action": "link"}
    )
    assert answer.status_code == 404


def test_c6_a_rule_sends_on_telegram_escaped(
    linked, fake_telegram, alice, appointment_factory, emit_now
):
    RuleFactory(
        channels=["telegram"],
        templates={"fr": ("RDV <{{ title }}>", "Bonjour {{ recipient_name }} & co : <b>non</b>")},
    )
    event = emit_now("testapp.booked", appointment_factory(title="Coupe"))
    delivery = event.deliveries.get()
    assert (delivery.channel, delivery.status, delivery.address) == (
        "telegram",
        Status.SENT,
        f"user:{alice.pk}",
    )
    [call] = fake_telegram.sent()
    assert call.token == "123:platform-token"
    assert call.body["chat_id"] == CHAT and call.body["parse_mode"] == "HTML"
    assert call.body["text"] == (
        "<b>RDV &lt;Coupe&gt;</b>\n\nBonjour Alice Durand &amp; co : &lt;b&gt;non&lt;/b&gt;"
    )
    assert delivery.provider_message_id == f"{CHAT}:100"


def test_c6_the_organisations_own_bot_sends_its_messages(
    client, fake_telegram, organisation, alice, appointment_factory, emit_now
):
    own = Integration(organisation=organisation, telegram_bot_username="tilleuls_bot")
    own.telegram_bot_token = "777:tilleuls"
    own.save()
    bot = integrations.telegram_bot(organisation)
    client.force_login(alice)
    link_page = reverse("notifications:telegram")
    page = client.post(link_page, {"bot": bot.webhook_key, "action": "link"})
    url = page.context["rows"][0]["deep_link"]
    assert url.startswith("https://t.me/tilleuls_bot?start=")
    start(client, bot, "/start " + url.split("start=")[1])
    RuleFactory(channels=["telegram"])
    emit_now("testapp.booked", appointment_factory())
    assert [call.token for call in fake_telegram.sent()] == ["777:tilleuls"]


def test_c6_a_chat_that_blocked_the_bot_is_deactivated_and_email_takes_over(
    linked, fake_telegram, alice, appointment_factory, emit_now
):
    fake_telegram.fail(CHAT, 403, "Forbidden: bot was blocked by the user")
    RuleFactory(channels=["telegram"], fallback_channel="email")
    event = emit_now("testapp.booked", appointment_factory())
    telegram = event.deliveries.get(channel="telegram")
    assert telegram.status == Status.FAILED and "blocked" in telegram.last_error
    assert telegram.attempts == 1  # permanent: never retried
    linked.refresh_from_db()
    assert not linked.active and "blocked" in linked.deactivated_reason
    assert event.deliveries.get(channel="email").status == Status.SENT
    assert len(mail.outbox) == 1


def test_c6_a_deleted_chat_is_deactivated(linked, fake_telegram, appointment_factory, emit_now):
    fake_telegram.fail(CHAT, 400, "Bad Request: chat not found")
    RuleFactory(channels=["telegram"])
    event = emit_now("testapp.booked", appointment_factory())
    assert event.deliveries.get().status == Status.FAILED
    linked.refresh_from_db()
    assert not linked.active
    # Later events plan nothing on Telegram for her any more.
    later = emit_now("testapp.booked", appointment_factory(title="Autre"))
    skipped = later.deliveries.get()
    assert (skipped.status, skipped.reason_code) == (Status.SUPPRESSED, Delivery.Skip.NO_CONTACT)
    assert len(fake_telegram.sent()) == 1


def test_c6_another_400_is_permanent_and_keeps_the_chat(
    linked, fake_telegram, appointment_factory, emit_now
):
    fake_telegram.fail(CHAT, 400, "Bad Request: can't parse entities")
    RuleFactory(channels=["telegram"])
    event = emit_now("testapp.booked", appointment_factory())
    delivery = event.deliveries.get()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 1)
    assert "parse entities" in delivery.last_error
    linked.refresh_from_db()
    assert linked.active


def test_c6_429_is_retried_after_the_time_telegram_asks(
    linked, fake_telegram, appointment_factory, emit_now, monkeypatch
):
    fake_telegram.fail(CHAT, 429, "Too Many Requests: retry after 37", retry_after=37)
    waits = []
    real = tasks.outbox.queue_sends

    def queue_sends(rows, countdown=None):
        waits.append(countdown)
        return real(rows, countdown=countdown)

    monkeypatch.setattr(tasks.outbox, "queue_sends", queue_sends)
    RuleFactory(channels=["telegram"])
    event = emit_now("testapp.booked", appointment_factory())
    delivery = event.deliveries.get()
    assert (delivery.status, delivery.attempts) == (Status.SENT, 2)
    assert len(fake_telegram.sent()) == 2
    assert 37 in waits  # not the 10 s of the first backoff


def test_c6_turned_off_in_preferences_nothing_goes_to_telegram(
    linked, fake_telegram, alice, appointment_factory, emit_now
):
    set_preference(alice, "appointments", "telegram", False, method="page")
    RuleFactory(channels=["telegram"])
    event = emit_now("testapp.booked", appointment_factory())
    assert not event.deliveries.filter(status=Status.SENT).exists()
    assert fake_telegram.sent() == []


def test_c6_blocking_the_bot_is_heard_from_telegram_itself(client, linked, bot):
    update = {
        "update_id": 2,
        "my_chat_member": {
            "chat": {"id": CHAT, "type": "private"},
            "new_chat_member": {"status": "kicked", "user": {"id": 42}},
        },
    }
    answer = client.post(
        reverse(WEBHOOK, args=["platform"]),
        json.dumps(update),
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": bot.webhook_secret},
    )
    assert answer.status_code == 200
    linked.refresh_from_db()
    assert not linked.active
    assert ConsentRecord.objects.filter(
        channel="telegram", kind=ConsentRecord.Kind.OPT_IN_REFUSED, method="provider"
    ).exists()


def test_c6_unlinking_from_the_portal_is_a_post_and_goes_on_the_ledger(client, linked, alice):
    client.force_login(alice)
    page = reverse("notifications:telegram")
    client.get(page, {"bot": "platform", "action": "unlink"})
    linked.refresh_from_db()
    assert linked.active  # GET never acts
    client.post(page, {"bot": "platform", "action": "unlink"})
    linked.refresh_from_db()
    assert not linked.active
    assert ConsentRecord.objects.filter(
        channel="telegram", kind=ConsentRecord.Kind.OPT_IN_REFUSED, method="page", user=alice
    ).exists()


def test_c6_texts_are_escaped_and_cut_to_telegrams_limit():
    assert format_message("", "a < b & c > d") == "a &lt; b &amp; c &gt; d"
    long = format_message("Titre", "é" * 5000)
    visible = "Titre\n\n" + "é" * (MAX_LENGTH - 8) + "…"
    assert long == "<b>Titre</b>\n\n" + visible[7:]
    assert len(visible) == MAX_LENGTH
    emoji = format_message("", "😀" * 3000)  # two UTF-16 units each
    assert len(emoji.encode("utf-16-le")) // 2 <= MAX_LENGTH and emoji.endswith("…")


def test_c6_link_tokens_are_single_use_even_called_directly(bot, alice):
    url = linking.deep_link(alice, bot)
    token = url.split("start=")[1]
    assert len(token) <= 64 and token.replace("_", "").isalnum()
    assert linking.bind(bot, token, CHAT)[0] == linking.Outcome.LINKED
    assert linking.bind(bot, token, CHAT)[0] == linking.Outcome.USED


def test_c6_demo_data_links_alice_to_the_platforms_bot(fake_telegram, capsys):
    from django.core.management import call_command

    from notifications.models import Rule

    call_command("seed_demo")
    link = TelegramLink.objects.get(user__email="alice@relais.test")
    assert link.active and link.organisation is None
    rule = Rule.objects.get(channels=["telegram"])
    assert (rule.event_code, rule.roles) == ("requests.status_changed", ["declarant"])
    call_command("seed_demo")  # again: nothing doubled
    assert TelegramLink.objects.count() == 1 and Rule.objects.filter(pk=rule.pk).count() == 1


def test_c6_only_the_newest_link_works(bot, alice):
    older = linking.deep_link(alice, bot).split("start=")[1]
    newer = linking.deep_link(alice, bot).split("start=")[1]
    assert linking.bind(bot, older, CHAT)[0] == linking.Outcome.FORGED
    assert linking.bind(bot, newer, CHAT)[0] == linking.Outcome.LINKED


def test_c6_a_telegram_template_longer_than_telegram_takes_is_refused(bob, organisation):
    from notifications.forms import MessageTemplateForm

    form = MessageTemplateForm(
        {"channel": "telegram", "language": "fr", "subject": "", "body": "x" * 4097, "html": ""}
    )
    assert not form.is_valid()
    assert "4096" in str(form.errors["body"]) or "4 096" in str(form.errors["body"])


def test_c6_the_platforms_bot_is_pointed_at_the_webhook_by_a_command(fake_telegram, settings):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("telegram_webhook", stdout=out)
    [call] = fake_telegram.calls
    assert call.method == "setWebhook" and call.token == "123:platform-token"
    assert call.body["url"] == settings.SITE_URL + "/webhooks/telegram/platform/"
    assert call.body["secret_token"] == integrations.telegram_bot(None).webhook_secret
    settings.TELEGRAM_BOT_TOKEN = "wrong-token"
    with pytest.raises(CommandError, match="401"):
        call_command("telegram_webhook", stdout=out)


def test_c6_the_preferences_page_says_whether_telegram_is_linked(client, bot, alice):
    RuleFactory(channels=["telegram"])
    client.force_login(alice)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert 'id="state-telegram"' in page and 'data-state="no_address"' in page
    assert reverse("notifications:telegram") in page
    start(client, bot, "/start " + deep_link_token(client, alice))
    page = client.get(reverse("notifications:preferences")).content.decode()
    state = page.split('id="state-telegram"', 1)[1].split(">", 1)[0]
    assert 'data-state="on"' in state


def test_c6_stop_in_the_chat_unlinks_it(client, linked, bot):
    answer = start(client, bot, "/stop")
    assert answer.json()["method"] == "sendMessage"
    linked.refresh_from_db()
    assert not linked.active
    assert ConsentRecord.objects.filter(
        channel="telegram", kind=ConsentRecord.Kind.OPT_IN_REFUSED, text="Telegram: /stop"
    ).exists()


def test_c6_send_me_a_test_reaches_the_managers_own_telegram(
    client, bot, bob, organisation, fake_telegram, django_capture_on_commit_callbacks
):
    start(client, bot, "/start " + deep_link_token(client, bob), chat_id=4242)
    rule = RuleFactory(organisation=organisation, roles=["client"], channels=["telegram"])
    client.force_login(bob)
    url = reverse("admin:notifications_rule_send_test", args=[rule.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    [call] = fake_telegram.sent()
    assert call.body["chat_id"] == 4242
    notes = " ".join(str(m) for m in response.context["messages"])
    assert "Telegram" in notes


def test_c6_n21_each_bot_is_paced_on_a_budget_of_its_own(fake_telegram, organisation, settings):
    from config import settings as shipped
    from notifications import pacing
    from notifications.messengers.models import Integration

    assert shipped.RELAIS_SEND_RATES["telegram"]  # Telegram limits each bot's broadcasts
    platform = pacing.sender_of("telegram", organisation.pk)
    own = Integration(organisation=organisation, telegram_bot_username="residence_bot")
    own.telegram_bot_token = "4242:own"
    own.save()
    assert (platform, pacing.sender_of("telegram", organisation.pk)) == (
        f"@{settings.TELEGRAM_BOT_USERNAME}",
        "@residence_bot",
    )
    assert pacing.budget_key("telegram", "@residence_bot") != pacing.budget_key(
        "telegram", platform
    )
