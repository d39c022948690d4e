"""A visit in a real Chromium: Alice invites Claire, Claire checks herself in with the link
from her invitation, Alice hears of it (V-1, V-5, P-1, P-2)."""

import datetime
import re
import zoneinfo
from email.utils import parseaddr

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Role
from tests.browser.login import PASSWORD, log_in
from tests.browser.waits import WAIT_MS
from tests.factories import SiteFactory, member
from visitors import services
from visitors.models import Visit, Visitor

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def morning(time_machine):
    """Today at 09:00 in Paris, the clock running: the visit at 10:00 opens its check-in."""
    today = datetime.datetime.now(PARIS).date()
    now = datetime.datetime.combine(today, datetime.time(9, 0), tzinfo=PARIS)
    time_machine.move_to(now, tick=True)
    return now


@pytest.fixture
def people(organisation, settings, live_server):
    settings.SITE_URL = live_server.url  # the links in the emails lead to this server
    alice = member(
        organisation, email="alice@example.test", display_name="Alice Durand", password=PASSWORD
    )
    chloe = member(organisation, email="chloe@example.test", display_name="Chloé Bernard")
    member(organisation, Role.MANAGER, email="bob@example.test", display_name="Bob Martin")
    SiteFactory(organisation=organisation, name="Bâtiment A", address="12 rue des Tilleuls")
    mail.outbox.clear()  # welcome messages
    return alice, chloe


def test_v1_v5_alice_invites_claire_who_checks_herself_in_and_alice_hears_it(
    new_context, live_server, people, morning
):
    alice, chloe = people
    host = new_context().new_page()
    host.set_default_timeout(WAIT_MS)
    log_in(host, f"{live_server.url}/login/", alice.email)
    host.locator(".nav a[href='/visits/']").click()
    host.locator("a.button[href='/visits/new/']").click()
    host.locator("#id_site").select_option(label="Bâtiment A")
    host.locator("#id_date").fill(morning.date().isoformat())
    host.locator("#id_start_time").fill("10:00")
    host.locator("#id_end_time").fill("11:30")
    host.locator("#id_purpose").fill("Réunion projet Atlas")
    host.get_by_label("Chloé Bernard").check()
    host.locator("#id_visitors-0-name").fill("Claire Petit")
    host.locator("#id_visitors-0-email").fill("claire@atlas.test")
    host.locator("#id_visitors-0-company").fill("Atlas SA")
    host.locator("#add-visitor").click()  # a second row appears; left blank, it is ignored
    expect(host.locator("#id_visitors-1-name")).to_be_focused()
    host.locator(".visit-form button[type=submit]").click()
    expect(host.get_by_role("heading", level=1)).to_have_text("Réunion projet Atlas")

    visit = Visit.objects.get()
    assert (visit.host, list(visit.co_hosts.all())) == (alice, [chloe])
    [invitation] = mail.outbox
    assert invitation.to == ["Claire Petit <claire@atlas.test>"]
    link = re.search(r"http://\S+/visits/check-in/\S+/", invitation.body).group()

    visitor = new_context().new_page()  # no login: a stranger's phone
    visitor.set_default_timeout(WAIT_MS)
    visitor.goto(link)
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Claire Petit")
    visitor.locator("button[value=check_in]").click()
    expect(visitor.locator(".done")).to_contain_text(visit.host.display_name)
    claire = Visitor.objects.get()
    assert claire.check_in_source == Visitor.Source.SELF

    host.reload()
    expect(host.locator(".visitor .tag-in")).to_be_visible()
    expect(host.locator(".nav .badge")).to_have_text("2")  # welcome, and the check-in
    host.locator(".nav a[href='/inbox/']").click()
    expect(host.locator(".message-subject", has_text="Arrivée de Claire Petit")).to_be_visible()
    told = sorted(
        parseaddr(m.to[0])[1] for m in mail.outbox if m.subject == "Arrivée de Claire Petit"
    )
    assert told == [alice.email, chloe.email]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_p1_visit_pages_fit_the_screen(
    new_context, live_server, log_in_as, people, morning, screenshot_dir, viewport
):
    """Screenshots for a person to look at; a phone never scrolls sideways."""
    alice, chloe = people
    phone = viewport is PHONE
    context = new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    size = "phone" if phone else "desktop"
    site = alice.memberships.get().organisation.sites.get()
    at = morning.replace(hour=10)
    visit = services.create_visit(
        alice,
        site=site,
        start=at,
        end=at + datetime.timedelta(hours=1, minutes=30),
        purpose="Réunion projet Atlas, lot 2 : revue des plans du 3e étage",
        co_hosts=[chloe],
        visitors=[
            {"name": "Claire Petit", "email": "claire@atlas.test", "company": "Atlas SA"},
            {"name": "Jean-Baptiste Delacroix-Montfort", "email": "jb@atlas.test"},
        ],
    )
    claire = visit.visitors.get(name="Claire Petit")
    services.check_in(claire, Visitor.Source.RECEPTION)
    log_in_as(context, alice)

    page.goto(f"{live_server.url}/visits/")
    shoot(page, screenshot_dir / f"visits-{size}.png", viewport)
    page.goto(f"{live_server.url}{visit.get_absolute_url()}")
    page.locator("details.confirm summary").click()
    shoot(page, screenshot_dir / f"visit-{size}.png", viewport)
    page.goto(f"{live_server.url}/visits/new/")
    page.locator(".visit-form button[type=submit]").click()  # empty: the errors show
    expect(page.locator(".form-errors").first).to_be_visible()
    shoot(page, screenshot_dir / f"visit-new-{size}.png", viewport)

    from visitors.tokens import self_check_in_url

    stranger = new_context(viewport=viewport, is_mobile=phone, has_touch=phone).new_page()
    jb = visit.visitors.get(name__startswith="Jean")
    stranger.goto(self_check_in_url(jb))
    shoot(stranger, screenshot_dir / f"check-in-{size}.png", viewport)
    stranger.locator("button[value=check_in]").click()
    expect(stranger.locator(".done")).to_be_visible()
    shoot(stranger, screenshot_dir / f"checked-in-{size}.png", viewport)


def shoot(page, path, viewport):
    expect(page.locator("h1")).to_be_visible()
    page.screenshot(path=path, full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{path.name} is {width}px wide: it scrolls sideways"
