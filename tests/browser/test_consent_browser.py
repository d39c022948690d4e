"""The preferences page after a STOP, in a real Chromium, in French and in English (SPEC N-20)."""

import pytest
from playwright.sync_api import expect

from notifications.feedback.keywords import handle
from notifications.models import Rule
from tests.browser.login import PASSWORD, log_in
from tests.factories import RuleFactory, member

NUMBER = "+33612345678"


@pytest.fixture
def alice(organisation, settings):
    """Alice gets her appointments by email and SMS, and has texted STOP to our number."""
    settings.TWILIO_SMS_FROM = "+33700000000"
    Rule.objects.all().delete()
    RuleFactory(roles=["client"], channels=["email", "sms"])
    alice = member(
        organisation,
        email="alice@example.test",
        display_name="Alice Durand",
        phone=NUMBER,
        password=PASSWORD,
    )
    handle(NUMBER, "Arrêt svp")
    return alice


@pytest.mark.parametrize(
    ("language", "blocked", "undo", "on"),
    [
        ("fr", "Bloqué : STOP a été envoyé", "Envoyez START au +33 7 00 00 00 00", "Activé"),
        ("en", "Blocked: STOP was texted", "Text START to +33 7 00 00 00 00", "On"),
    ],
)
def test_n20_the_preferences_page_after_a_stop(
    page, live_server, alice, language, blocked, undo, on
):
    alice.language = language
    alice.save()
    log_in(page, f"{live_server.url}/login/?next=/preferences/", alice.email)
    expect(page).to_have_url(f"{live_server.url}/preferences/")
    expect(page.locator("html")).to_have_attribute("lang", language)

    sms = page.locator('[data-channel="sms"]')
    expect(sms).to_have_attribute("data-state", "blocked")
    expect(sms).to_contain_text(blocked.replace(" :", "\u00a0:"))
    expect(sms).to_contain_text(undo)
    expect(page.locator('[data-channel="email"]')).to_contain_text(on)
    expect(page.locator("thead .badge.blocked")).to_have_count(1)
