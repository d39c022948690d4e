"""Snow alerts in a real Chromium (A-5, N-18): the operator runs a buffered route from the
truck's tablet; the back office's run page counts the messages as they leave."""

import datetime
import zoneinfo

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from alerts import services
from alerts.models import Company, Route, RouteRun
from notifications import outbox, sending
from tests.alerts.conftest import make_contract, make_occupant, reply
from tests.browser.login import PASSWORD
from tests.browser.waits import WAIT_MS
from tests.factories import OrganisationFactory, member

TABLET = {"width": 768, "height": 1024}
NUMBERS = ["+15142345678", "+15142345679", "+15142345680"]


@pytest.fixture(autouse=True)
def _deliveries_gone_before_the_flush():
    """The live server's tests end with a flush of every table; the batch tally's triggers
    (notifications, migration 0014) would count a delivery deleted after its batch, and
    fail the flush's commit. Deleted first, the tally follows them while the batch is there."""
    yield
    from notifications.models import Delivery

    Delivery.objects.all().delete()


def _daytime():
    """A zone where it is daytime now: texts go out between 07:00 and 20:00 only."""
    zones = ["America/Toronto", "Europe/Paris", "Asia/Kolkata", "Asia/Tokyo", "Pacific/Auckland"]
    now = datetime.datetime.now(datetime.UTC)
    return next(z for z in zones if 9 <= now.astimezone(zoneinfo.ZoneInfo(z)).hour < 18)


@pytest.fixture
def route(db, fake_provider):
    """Route Nord: three contracts, each person green by SMS; Bob manages the company."""
    from django.test import Client

    organisation = OrganisationFactory(name="Déneigement Boréal", sending_mode="production")
    company = Company.objects.create(
        organisation=organisation, name="Déneigement Boréal", time_zone=_daytime()
    )
    nord = Route.objects.create(company=company, name="Nord")
    texter = Client()
    for position, number in enumerate(NUMBERS, 1):
        contract = make_contract(company, nord, position, f"{10 + position}, rue des Érables")
        occupant = make_occupant(company, f"Personne {position}", contract)
        services.add_contact_point(occupant, "sms", number)
        reply(texter, number, "OUI")  # no request left (not committed): OUI is still an answer
    bob = member(organisation, Role.MANAGER, email="bob@example.test", password=PASSWORD)
    fake_provider.received.clear()
    return nord, bob


def test_a5_the_operator_runs_a_buffered_route_from_the_trucks_tablet(
    new_context, live_server, log_in_as, route, fake_provider, screenshot_dir
):
    nord, bob = route
    context = new_context(viewport=TABLET, has_touch=True)
    log_in_as(context, bob)
    tablet = context.new_page()
    tablet.set_default_timeout(WAIT_MS)
    tablet.goto(f"{live_server.url}/alerts/operator/")
    tablet.get_by_label("Mode").select_option("buffer")
    tablet.get_by_label("Contrats alertés en avance sur le camion").fill("1")
    tablet.get_by_role("button", name="Lancer Nord").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("Nord")
    expect(tablet.locator("[data-stop='1']")).to_contain_text("alerté à")
    expect(tablet.locator("[data-stop='2']")).to_contain_text("pas encore alerté")
    assert [r.body["To"] for r in fake_provider.sent("sms")] == NUMBERS[:1]

    tablet.get_by_role("button", name="Servi\u00a0: 11, rue des Érables").click()
    expect(tablet.locator("[data-stop='1']")).to_contain_text("servi à")
    expect(tablet.locator("[data-stop='2']")).to_contain_text("alerté à")
    assert [r.body["To"] for r in fake_provider.sent("sms")] == NUMBERS[:2]
    expect(tablet.locator("[data-count='sent']")).to_have_text("2")
    tablet.screenshot(path=screenshot_dir / "alerts-operator-tablet.png", full_page=True)
    width = tablet.evaluate("document.documentElement.scrollWidth")
    assert width <= TABLET["width"], f"the operator page is {width}px wide: it scrolls sideways"


def test_n18_a5_the_admin_run_page_counts_the_messages_as_they_leave(
    new_context, live_server, route, fake_provider, monkeypatch
):
    from notifications.admin import batches as batch_admin
    from tests.browser.login import log_in

    monkeypatch.setattr(batch_admin, "REFRESH_SECONDS", 1)
    held = []
    monkeypatch.setattr(outbox, "queue_sends", lambda rows, countdown=None: held.extend(rows))
    nord, bob = route
    page = new_context().new_page()
    page.set_default_timeout(WAIT_MS)
    log_in(page, f"{live_server.url}/admin/login/", bob.email)
    page.goto(f"{live_server.url}/admin/alerts/route/{nord.pk}/start-run/")
    page.locator("#id_mode").select_option("all")
    page.get_by_role("button", name="Lancer la tournée").click()
    counts = page.locator(".relais-batch-counts")
    expect(counts.locator("tr").nth(2)).to_contain_text("3")  # "Waiting to go"
    assert RouteRun.objects.count() == 1 and len(held) == 3
    for delivery_id, _priority in held:  # the workers send while the page is open
        sending.send(delivery_id)
    expect(counts.locator("tr").nth(3)).to_contain_text("3")  # "Sent", refreshed by itself


def test_a5_the_operator_page_counts_the_messages_as_they_leave_without_a_reload(
    new_context, live_server, log_in_as, route, fake_provider, monkeypatch
):
    from alerts.views import operator

    monkeypatch.setattr(operator, "REFRESH_SECONDS", 1)
    held = []
    monkeypatch.setattr(outbox, "queue_sends", lambda rows, countdown=None: held.extend(rows))
    nord, bob = route
    context = new_context(viewport=TABLET, has_touch=True)
    log_in_as(context, bob)
    tablet = context.new_page()
    tablet.set_default_timeout(WAIT_MS)
    tablet.goto(f"{live_server.url}/alerts/operator/")
    tablet.get_by_label("Mode").select_option("all")
    tablet.get_by_role("button", name="Lancer Nord").click()
    expect(tablet.locator("[data-count='pending']")).to_have_text("3")
    tablet.evaluate("window.stillTheSamePage = true")
    for delivery_id, _priority in held:  # the workers send while the truck drives
        sending.send(delivery_id)
    expect(tablet.locator("[data-count='sent']")).to_have_text("3")
    expect(tablet.locator("[data-count='pending']")).to_have_text("0")
    assert tablet.evaluate("window.stillTheSamePage") is True, "the page reloaded itself"
