"""The admin's dashboard in a real Chromium, as a manager, at desktop and phone width (SPEC P-4):
it fits the screen, its chart is drawn, its figures lead to the delivery log, axe finds nothing
serious in it."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import Delivery
from tests.browser.axe import AXE, FAILING, OPTIONS
from tests.notifications.test_admin import _delivery, _event

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
Status = Delivery.Status
# (days ago, channel, status, reason code, failure cause, segments) of the manager's messages.
MIX = [
    (0, "email", Status.DELIVERED, "", "", None),
    (0, "sms", Status.SENT, "", "", 2),
    (1, "email", Status.OPENED, "", "", None),
    (1, "sms", Status.FAILED, "", "twilio:21610", None),
    (2, "sms", Status.FAILED, "", "twilio:30007", None),
    (2, "email", Status.BOUNCED, "", "email:bounced", None),
    (3, "push", Status.FAILED, "", "push:dead_token", None),
    (3, "sms", Status.SUPPRESSED, "stop", "", None),
    (4, "email", Status.CANCELLED, "quiet_hours", "", None),
    (5, "email", Status.QUEUED, "", "", None),
]


@pytest.fixture
def manager(bob, organisation):
    """Bob, with three weeks' worth of his organisation's messages of every kind."""
    event = _event(organisation)
    for n, (days, channel, status, reason, failure, segments) in enumerate(MIX * 3):
        delivery = _delivery(
            event,
            f"+336000000{n:02d}" if channel == "sms" else f"person{n}@example.test",
            channel=channel,
            status=status,
            reason_code=reason,
            failure=failure,
            segments=segments,
        )
        moment = timezone.now() - datetime.timedelta(days=days + n % 3, hours=n)
        Delivery.objects.filter(pk=delivery.pk).update(created_at=moment)  # the tally follows
    return bob


def _axe_violations(page):
    """axe-core's serious and critical violations inside the dashboard (not Django's admin)."""
    report = page.evaluate(
        f"""async () => {{
          const result = await axe.run({{include: [".relais-dashboard"]}}, {OPTIONS});
          return result.violations.filter(v => {list(FAILING)}.includes(v.impact))
            .map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
        }}"""
    )
    return report


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_p4_a_manager_reads_the_dashboard_at_desktop_and_phone_width(
    new_context, live_server, log_in_as, manager, viewport, screenshot_dir
):
    phone = viewport is PHONE
    context = new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
    context.add_init_script(script=AXE)  # as tests/browser/axe.py does, for an admin page
    log_in_as(context, manager)
    page = context.new_page()
    page.goto(live_server.url + "/admin/")
    expect(page.get_by_role("heading", name="Échecs à traiter")).to_be_visible()
    expect(page.locator(".dashboard-chart svg")).to_be_visible()
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()
    name = "desktop" if not phone else "phone"
    page.screenshot(path=screenshot_dir / f"dashboard-{name}.png", full_page=True)
    for part in ("over-time", "by-channel", "failures", "machinery"):
        section = page.locator(f"section[aria-labelledby='{part}']")
        section.screenshot(path=screenshot_dir / f"dashboard-{name}-{part}.png")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"the dashboard is {width}px wide: it scrolls sideways"
    assert _axe_violations(page) == []
    # A figure opens the delivery log showing its rows: the three "replied STOP".
    stop = page.locator(".dashboard-failures li", has_text="A répondu STOP")
    expect(stop.locator(".dashboard-count")).to_have_text("3")
    stop.locator(".dashboard-count").click()
    expect(page).to_have_url(re.compile("failure=twilio%3A21610"))
    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    page.screenshot(path=screenshot_dir / f"dashboard-{name}-log.png", full_page=True)


def test_p4_the_hourly_view_on_a_phone(
    new_context, live_server, log_in_as, manager, screenshot_dir
):
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in_as(context, manager)
    page = context.new_page()
    page.goto(live_server.url + "/admin/?period=hours")
    page.get_by_text("Les chiffres du graphique").click()  # the table, for the numbers
    expect(page.locator(".relais-dashboard details table tbody tr")).to_have_count(48)
    page.screenshot(path=screenshot_dir / "dashboard-phone-hours.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the dashboard is {width}px wide: it scrolls sideways"
