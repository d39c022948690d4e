"""The Content-Security-Policy breaks nothing in a real Chromium (issue 10, item 9).

Chromium reports every script, style, frame or image the policy refuses in the
console; portal and back-office pages, with their own JavaScript, must report none.
"""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

import notifications
from accounts.models import Role
from notifications.models import Delivery, Rule
from tests.browser.login import PASSWORD, log_in
from tests.browser.waits import WAIT_MS
from tests.factories import RuleFactory, SiteFactory, member
from tests.testapp.models import Appointment


@pytest.fixture
def people(organisation):
    Rule.objects.all().delete()  # the shipped defaults would add subjects of every domain
    RuleFactory(roles=["client"], channels=["email", "inapp"])
    bob = member(organisation, Role.MANAGER, email="bob@example.test", password=PASSWORD)
    alice = member(organisation, email="alice@example.test", password=PASSWORD)
    SiteFactory(organisation=organisation, name="Bâtiment A")
    appointment = Appointment.objects.create(
        organisation=organisation,
        client=alice,
        title="Coupe",
        start=datetime.datetime(2026, 12, 10, 9, 0, tzinfo=datetime.UTC),
    )
    notifications.emit("testapp.booked", appointment)  # an email with HTML, for the preview
    mail.outbox.clear()
    return alice, bob


def watch_for_violations(page):
    """Collect what Chromium says the policy refused, and any script error."""
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: refused.append(f"script error: {error}"))
    return refused


def visit(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"], url
    page.wait_for_load_state("load")


def test_portal_pages_report_no_policy_violation(browser, live_server, people):
    alice, _bob = people
    page = browser.new_context(locale="fr-FR").new_page()
    page.set_default_timeout(WAIT_MS)
    refused = watch_for_violations(page)
    log_in(page, f"{live_server.url}/login/", alice.email)
    for name in [
        "home",
        "notifications:inbox",
        "notifications:preferences",
        "requests_center:list",
        "requests_center:new",
        "visitors:list",
        "visitors:new",  # its own script adds visitor rows
        "password_reset",
    ]:
        visit(page, live_server.url + reverse(name))
    page.goto(live_server.url + reverse("visitors:new"))
    page.locator("#add-visitor").click()  # the static script ran, under the policy
    assert refused == []


def test_back_office_pages_report_no_policy_violation(browser, live_server, people):
    _alice, bob = people
    page = browser.new_context(locale="fr-FR").new_page()
    page.set_default_timeout(WAIT_MS)
    refused = watch_for_violations(page)
    log_in(page, f"{live_server.url}/admin/login/", bob.email)
    email = Delivery.objects.get(channel="email")
    rule = Rule.objects.get()
    for url in [
        reverse("admin:index"),
        reverse("admin:notifications_delivery_changelist") + "?channel__exact=email",
        reverse("admin:notifications_delivery_change", args=[email.pk]),
        reverse("admin:notifications_rule_changelist"),
        reverse("admin:notifications_rule_change", args=[rule.pk]),
        reverse("admin:requests_center_request_add"),
        reverse("admin:accounts_user_changelist"),
    ]:
        visit(page, live_server.url + url)
    page.goto(live_server.url + reverse("admin:notifications_delivery_change", args=[email.pk]))
    preview = page.frame_locator("iframe[srcdoc]").locator("body")  # the email as it renders
    expect(preview).to_contain_text("Bonjour")
    expect(preview).to_have_css("background-color", "rgb(238, 241, 245)")  # its inline style
    assert refused == []
