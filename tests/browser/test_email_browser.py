"""The emails as a mail client shows them, in a real Chromium: the layout and its footer at
phone and desktop width, light and dark, in French and English (issue 16, items 5 and 14)."""

import datetime

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Membership, Role, User
from notifications.defaults import install_default_rules
from tests.factories import SiteFactory, member
from visitors import services as visits

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
START = datetime.datetime(2027, 3, 4, 9, 30, tzinfo=datetime.UTC)


def welcome(organisation, language):
    """A person created as the admin creates one: no password yet."""
    user = User.objects.create_user(
        f"dana.{language}@example.test", display_name="Dana Roux", language=language
    )
    Membership.objects.create(user=user, organisation=organisation, role=Role.OCCUPANT)
    return [m for m in mail.outbox if user.email in m.to[0]][-1]


def invitation(organisation, language):
    """A visitor's invitation: no account, so no preferences page and no button."""
    host = member(organisation, email=f"host.{language}@example.test", language=language)
    site = SiteFactory(organisation=organisation, name="Bâtiment A", address="12 rue des Tilleuls")
    visits.create_visit(
        host,
        site=site,
        start=START,
        end=START + datetime.timedelta(hours=1),
        purpose="Réunion projet Atlas, lot 2 : revue des plans",
        visitors=[
            {"name": "Claire Petit", "email": f"claire.{language}@atlas.test", "language": language}
        ],
    )
    return [m for m in mail.outbox if f"claire.{language}@atlas.test" in m.to[0]][-1]


EMAILS = {"welcome": welcome, "invitation": invitation}
WORDS = {
    "fr": {"sender": "Envoyé par", "unsubscribe": "Se désabonner", "button": "Voir le détail"},
    "en": {"sender": "Sent by", "unsubscribe": "Unsubscribe", "button": "See the details"},
}


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("kind", sorted(EMAILS))
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_i14_an_email_reads_well_in_a_browser(
    new_context, organisation, screenshot_dir, language, kind, viewport, scheme
):
    install_default_rules()
    message = EMAILS[kind](organisation, language)
    phone = viewport is PHONE
    page = new_context(viewport=viewport, is_mobile=phone, color_scheme=scheme).new_page()
    page.set_content(message.alternatives[0].content)
    words = WORDS[language]

    expect(page.locator("td.organisation")).to_have_text("Résidence Les Tilleuls")
    expect(page.get_by_role("heading", level=1)).to_have_text(message.subject)
    footer = page.locator("td.footer")
    expect(footer).to_contain_text(words["sender"] + " Résidence Les Tilleuls")
    unsubscribe = footer.get_by_role("link", name=words["unsubscribe"])
    expect(unsubscribe).to_be_visible()
    assert unsubscribe.get_attribute("href") in message.body  # the text part says the same
    button = page.get_by_role("link", name=words["button"])
    expect(button).to_have_count(1 if kind == "welcome" else 0)
    # Nothing wider than the screen: a phone never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    if kind == "welcome":
        box = button.bounding_box()
        assert box["height"] >= 40 and box["x"] + box["width"] <= viewport["width"]
    size = "phone" if phone else "desktop"
    page.screenshot(
        path=screenshot_dir / f"email-{kind}-{language}-{size}-{scheme}.png", full_page=True
    )
