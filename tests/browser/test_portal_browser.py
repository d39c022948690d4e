"""The portal in a real Chromium: log in, preferences, inbox, unsubscribe (N-5, N-13, P-1, P-2)."""

import datetime
import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

import notifications
from notifications import unsubscribe
from notifications.models import Delivery, Preference, Rule
from tests.browser.waits import WAIT_MS
from tests.factories import RuleFactory, member
from tests.testapp.models import Appointment

PASSWORD = "Tilleuls-2026!"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def alice(organisation, rules):
    """Alice, an occupant, with a password she can type (joining after the rules are set)."""
    return member(
        organisation, email="alice@example.test", display_name="Alice Durand", password=PASSWORD
    )


@pytest.fixture
def rules(db):
    """Appointments reach people by email, SMS and in-app; the security code by email, always."""
    Rule.objects.all().delete()  # the shipped defaults would add subjects of every domain
    return [
        RuleFactory(roles=["client"], channels=["email", "sms", "inapp"]),
        RuleFactory(
            event_code="testapp.secret_code",
            roles=["client"],
            channels=["email"],
            templates={"fr": ("Votre code", "Code : {{ code }}")},
        ),
    ]


def book(organisation, alice, title="Coupe"):
    """An appointment whose in-app message goes through the engine (tasks run eagerly)."""
    appointment = Appointment.objects.create(
        organisation=organisation,
        client=alice,
        title=title,
        start=datetime.datetime(2026, 12, 10, 9, 0, tzinfo=datetime.UTC),
    )
    # No transaction is open here, so planning and sending run at once.
    notifications.emit("testapp.booked", appointment)
    return appointment


def test_n5_alice_logs_in_and_turns_an_email_off(page, live_server, alice, rules):
    page.goto(f"{live_server.url}/preferences/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/preferences/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.locator("#id_username").fill(alice.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{live_server.url}/preferences/")

    email = page.locator('input[name="on"][value="appointments:email"]')
    expect(email).to_be_checked()
    email.uncheck()
    page.locator(".prefs-card button[type=submit]").click()
    expect(page.get_by_role("status")).to_be_visible()
    page.reload()

    expect(page.locator('input[value="appointments:email"]')).not_to_be_checked()
    expect(page.locator('input[value="appointments:inapp"]')).to_be_checked()
    security = page.locator('input[value="security:email"]')
    expect(security).to_be_checked()
    expect(security).to_be_disabled()
    assert not Preference.objects.get(user=alice, group="appointments", channel="email").enabled


def test_n13_inapp_message_shows_unread_then_read(
    page, live_server, log_in_as, organisation, alice, rules
):
    appointment = book(organisation, alice)
    delivery = Delivery.objects.get(channel="inapp", event__code="testapp.booked")
    assert delivery.status == Delivery.Status.SENT
    log_in_as(page.context, alice)

    page.goto(f"{live_server.url}/inbox/")
    expect(page.locator(".nav .badge")).to_have_text("1")
    message = page.locator(".message").filter(has_text="Rendez-vous : Coupe")
    expect(message).to_have_class(re.compile(r"\bunread\b"))
    message.locator("button").click()
    expect(page).to_have_url(f"{live_server.url}{appointment.get_absolute_url()}")

    page.goto(f"{live_server.url}/inbox/")
    expect(page.locator(".nav .badge")).to_have_count(0)
    expect(page.locator(".message.unread")).to_have_count(0)
    expect(page.locator(".message")).to_have_count(1)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_p1_p2_pages_fit_the_screen(
    new_context, live_server, log_in_as, organisation, alice, rules, screenshot_dir, viewport
):
    """Screenshots for a person to look at; a phone never scrolls sideways."""
    phone = viewport is PHONE
    context = new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    size = "phone" if phone else "desktop"

    page.goto(f"{live_server.url}/login/")
    shoot(page, screenshot_dir / f"login-{size}.png", viewport)

    book(organisation, alice, title="Coupe")
    book(organisation, alice, title="Contrôle annuel de la chaudière, bâtiment A, 3e étage")
    first = Delivery.objects.filter(channel="inapp").order_by("pk")[:1]
    Delivery.objects.filter(pk__in=first).update(read_at=datetime.datetime.now(datetime.UTC))
    Preference.objects.create(user=alice, group="appointments", channel="sms", enabled=False)
    log_in_as(context, alice)

    page.goto(f"{live_server.url}/preferences/")
    shoot(page, screenshot_dir / f"preferences-{size}.png", viewport)
    page.goto(f"{live_server.url}/inbox/")
    expect(page.locator(".nav .badge")).to_have_text("1")
    shoot(page, screenshot_dir / f"inbox-{size}.png", viewport)

    email = Delivery.objects.filter(channel="email").first()
    page.goto(unsubscribe.url_for(email).replace(settings.SITE_URL, live_server.url))
    shoot(page, screenshot_dir / f"unsubscribe-{size}.png", viewport)


def shoot(page, path, viewport):
    expect(page.locator("h1")).to_be_visible()
    page.screenshot(path=path, full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{path.name} is {width}px wide: it scrolls sideways"
