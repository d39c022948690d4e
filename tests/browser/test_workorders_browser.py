"""A work order in a real Chromium: Bob closes Claire's repair in the back office; Claire, who
has no account, opens the link of her email on her phone (R-8, P-2)."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import expect

from accounts.models import Role
from tests.browser.login import PASSWORD, log_in
from tests.browser.waits import WAIT_MS
from tests.factories import member
from workorders import services
from workorders.models import Client

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def repair(organisation, settings, live_server):
    """Claire's iPhone at the shop, registered by Bob; she got its first email."""
    settings.SITE_URL = live_server.url  # the links in the emails lead to this server
    cache.clear()  # wrong links tried by earlier tests from this address count in the cache
    bob = member(
        organisation, Role.MANAGER, email="bob@example.test", display_name="Bob Martin",
        password=PASSWORD,
    )  # fmt: skip
    claire = services.save_client(
        Client(
            organisation=organisation,
            name="Claire Petit",
            email="claire@example.fr",
            phone="+33612345678",
        )  # fmt: skip
    )
    order = services.open_order(
        organisation, client=claire, asset="iPhone 12", malfunction="L’écran ne s’allume plus.",
        price=Decimal("189.00"), prepaid=Decimal("50.00"), actor=bob,
    )  # fmt: skip
    mail.outbox.clear()
    return bob, order


def test_r8_bob_closes_the_order_and_claire_opens_her_link_on_a_phone(
    new_context, live_server, repair, screenshot_dir
):
    bob, order = repair
    manager = new_context().new_page()
    manager.set_default_timeout(WAIT_MS)
    log_in(manager, f"{live_server.url}/admin/login/", bob.email)
    manager.goto(f"{live_server.url}/admin/workorders/workorder/{order.pk}/change/")
    manager.locator("#id_work_done").fill("Écran remplacé, batterie contrôlée.")
    manager.locator("#id_status").select_option(label="Fermé")
    manager.locator("input[name=_save]").click()
    expect(manager.locator(".messagelist")).to_be_visible()

    (email,) = mail.outbox
    assert email.to == ["Claire Petit <claire@example.fr>"]
    assert email.subject == f"Commande n°\u00a0{order.pk} fermée\u00a0: iPhone 12"
    link = re.search(r"http://\S+/orders/status/\S+/", email.body).group()

    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.set_default_timeout(WAIT_MS)
    phone.goto(link)  # no login: Claire has no account
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Commande n°\u00a0{order.pk}")
    expect(phone.locator(".order-status-name")).to_have_text("Fermé")
    expect(phone.locator("[aria-current=step]")).to_have_text("Fermé")
    expect(phone.get_by_text("Écran remplacé, batterie contrôlée.")).to_be_visible()
    expect(phone.get_by_text("139,00 €")).to_be_visible()
    phone.screenshot(path=screenshot_dir / "order-status-phone.png", full_page=True)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the status page is {width}px wide: it scrolls sideways"
