"""Linking Telegram from the portal at phone width, then a rule's message arriving there,
against the fake Bot API on 127.0.0.1 (SPEC C-6)."""

import datetime
import json

import pytest
import requests
from playwright.sync_api import expect

import notifications
from notifications.messengers import integrations
from notifications.models import Rule
from tests.browser.login import log_in
from tests.factories import RuleFactory, member
from tests.testapp.models import Appointment

PHONE = {"width": 390, "height": 844}
CHAT = 555000111


@pytest.fixture
def alice(organisation, fake_telegram):
    Rule.objects.all().delete()
    RuleFactory(
        roles=["client"],
        channels=["telegram"],
        templates={"fr": ("Rendez-vous", "Bonjour {{ recipient_name }}, {{ title }} <confirmé>.")},
    )
    from tests.browser.login import PASSWORD

    return member(
        organisation, email="alice@example.test", display_name="Alice Durand", password=PASSWORD
    )


def test_c6_alice_links_telegram_on_her_phone_and_gets_a_rules_message_there(
    new_context, live_server, alice, organisation, fake_telegram
):
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    log_in(page, f"{live_server.url}/login/?next=/preferences/", alice.email)
    page.get_by_role("link", name="Lier ou délier Telegram").click()
    expect(page.locator(".telegram-state")).to_have_attribute("data-state", "unlinked")
    page.get_by_role("button", name="Lier Telegram").click()
    deep_link = page.locator("#telegram-deep-link")
    expect(deep_link).to_be_visible()
    href = deep_link.get_attribute("href")
    assert href.startswith("https://t.me/relais_test_bot?start=")
    # The page fits the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Telegram, once Alice pressed "Start", posts /start with the token to the bot's webhook.
    bot = integrations.telegram_bot(organisation)
    update = {
        "update_id": 7,
        "message": {
            "message_id": 1,
            "from": {"id": CHAT, "username": "alice_d"},
            "chat": {"id": CHAT, "type": "private"},
            "text": "/start " + href.split("start=")[1],
        },
    }
    answer = requests.post(
        f"{live_server.url}/webhooks/telegram/platform/",
        data=json.dumps(update),
        headers={
            "Content-Type": "application/json",
            "X-Telegram-Bot-Api-Secret-Token": bot.webhook_secret,
        },
        timeout=10,
    )
    assert answer.status_code == 200 and "lié" in answer.json()["text"]

    page.reload()
    expect(page.locator(".telegram-state")).to_have_attribute("data-state", "linked")
    expect(page.locator(".telegram-state")).to_contain_text("@alice_d")

    appointment = Appointment.objects.create(
        organisation=organisation,
        client=alice,
        title="Coupe",
        start=datetime.datetime(2026, 12, 10, 9, 0, tzinfo=datetime.UTC),
    )
    notifications.emit("testapp.booked", appointment)  # no transaction open: sent at once
    [message] = fake_telegram.sent()
    assert message.body["chat_id"] == CHAT
    assert (
        message.body["text"]
        == "<b>Rendez-vous</b>\n\nBonjour Alice Durand, Coupe &lt;confirmé&gt;."
    )
