"""An appointment in a real Chromium at phone width: Zoé, who has no account, books a cut on
the salon's public page, gets the confirmation with its .ics, moves it from the signed
link of the email, then cancels it (SPEC B-2, B-6, B-7, B-17, P-2); waits for a full slot,
offered by email and text, and claims it (B-12); pays to confirm one (B-11)."""

import datetime
import re

from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Booking
from notifications.models import Delivery
from tests.bookings.conftest import has_ics, lea, marc, salon, site  # noqa: F401  (fixtures)
from tests.browser.waits import WAIT_MS

PHONE = {"width": 390, "height": 844}


def next_open_day(zone):
    """A Tuesday-to-Saturday day at least two days ahead, on the salon's clock."""
    day = timezone.localtime(timezone.now(), zone).date() + datetime.timedelta(days=2)
    while day.weekday() not in range(1, 6):
        day += datetime.timedelta(days=1)
    return day


def test_b2_zoe_books_on_her_phone_moves_from_the_link_and_cancels(
    new_context,
    live_server,
    salon,  # noqa: F811
    settings,
    screenshot_dir,
):
    settings.SITE_URL = live_server.url
    cache.clear()
    day = next_open_day(salon["lea"].zone)
    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.set_default_timeout(WAIT_MS)
    phone.goto(f"{live_server.url}/bookings/rdv/salon-lea/")
    phone.get_by_role("link", name=re.compile("Coupe")).click()
    phone.get_by_role("link", name="Léa Martin").click()
    phone.goto(f"{phone.url}&day={day:%Y-%m-%d}")
    phone.get_by_role("link", name="10:00", exact=True).click()
    phone.get_by_label("Votre nom").fill("Zoé Petit")
    phone.get_by_label("Votre adresse e-mail").fill("zoe@example.test")
    phone.get_by_label("Votre numéro de mobile").fill("06 12 34 56 78")
    phone.get_by_label(re.compile("SMS")).check()
    phone.get_by_role("button", name="Réserver").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Votre rendez-vous")
    expect(phone.locator(".status")).to_have_text("Confirmée")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide: it scrolls sideways"
    phone.screenshot(path=screenshot_dir / "appointment-booked-phone.png", full_page=True)

    [confirmation] = [m for m in mail.outbox if m.to == ["Zoé Petit <zoe@example.test>"]]
    assert has_ics(confirmation)
    link = re.search(r"http://\S+/bookings/rdv/g/\S+/", confirmation.body).group()
    phone.goto(f"{link}?day={day:%Y-%m-%d}")
    phone.get_by_role("button", name="11:00", exact=True).click()
    expect(phone.get_by_text("Votre rendez-vous est déplacé.")).to_be_visible()
    booking = Booking.objects.get()
    assert timezone.localtime(booking.start, salon["lea"].zone).time() == datetime.time(11)

    phone.get_by_role("button", name="Annuler le rendez-vous").click()
    expect(phone.get_by_text("Votre rendez-vous est annulé.")).to_be_visible()
    expect(phone.locator(".status")).to_have_text("Annulée par le réservant")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED_BY_BOOKER


def test_b12_a_waiting_client_gets_the_offer_and_claims_it_on_her_phone(
    new_context,
    live_server,
    salon,  # noqa: F811
    settings,
    screenshot_dir,
):
    from bookings.services import appointments, waitlists

    settings.SITE_URL = live_server.url
    cache.clear()
    zone = salon["lea"].zone
    start = datetime.datetime.combine(next_open_day(zone), datetime.time(15), tzinfo=zone)
    taken = appointments.book_appointment(
        salon["cut"], salon["lea"], start, {"name": "Yann", "email": "yann@example.test"}
    )
    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.set_default_timeout(WAIT_MS)
    phone.goto(
        f"{live_server.url}/bookings/rdv/salon-lea/?service={salon['cut'].pk}"
        f"&staff={salon['lea'].pk}&day={start:%Y-%m-%d}"
    )
    phone.get_by_role("link", name="Attendre 15:00").click()
    phone.get_by_label("Votre nom").fill("Zoé Petit")
    phone.get_by_label("Votre adresse e-mail").fill("zoe@example.test")
    phone.get_by_label("Votre numéro de mobile").fill("06 12 34 56 78")
    phone.get_by_label(re.compile("si ce créneau se libère")).check()
    phone.screenshot(path=screenshot_dir / "waitlist-join-phone.png", full_page=True)
    phone.get_by_role("button", name="M’inscrire sur la liste d’attente").click()
    expect(phone.get_by_text("Vous êtes sur la liste d’attente")).to_be_visible()

    mail.outbox.clear()
    appointments.cancel_appointment(taken, None)  # Yann cancels: the slot is Zoé's to claim
    [offer] = [m for m in mail.outbox if m.to == ["Zoé Petit <zoe@example.test>"]]
    link = re.search(r"http://\S+/bookings/rdv/attente/\S+/", offer.body).group()
    texted = Delivery.objects.get(event__code="bookings.waitlist_offered", channel="sms")
    assert texted.address == "+33612345678" and link in texted.body  # the same claim link
    phone.goto(link)
    phone.get_by_role("button", name="Réserver ce créneau").click()
    expect(phone.get_by_text("Le créneau est à vous")).to_be_visible()
    expect(phone.locator(".status")).to_have_text("Confirmée")
    assert waitlists.WaitlistOffer.objects.get().status == "claimed"
    [changed] = [m for m in mail.outbox if m.subject.startswith("Modification")]
    assert "Avant\u00a0: sur liste d’attente" in changed.body  # OpenFlyers' modification


def test_b11_a_client_pays_on_her_phone_to_confirm_her_appointment(
    new_context,
    live_server,
    salon,  # noqa: F811
    settings,
    screenshot_dir,
):
    from bookings import links
    from bookings.services import appointments

    settings.SITE_URL = live_server.url
    settings.BOOKINGS_FAKE_PAYMENTS = True
    cut = salon["cut"]
    cut.requires_payment = True
    cut.save()
    zone = salon["lea"].zone
    start = datetime.datetime.combine(next_open_day(zone), datetime.time(15), tzinfo=zone)
    booking = appointments.book_online(cut, salon["lea"], start, {"name": "Zoé", "email": "z@x.fr"})
    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.set_default_timeout(WAIT_MS)
    phone.goto(links.manage_url(booking.booking))
    expect(phone.locator(".status")).to_have_text("En attente de paiement")
    expect(phone.get_by_text("dès que vous aurez payé 35,00\u00a0€, avant le")).to_be_visible()
    phone.screenshot(path=screenshot_dir / "appointment-to-pay-phone.png", full_page=True)
    phone.get_by_role("button", name="Payer (simulation)").click()
    expect(phone.get_by_text("Paiement reçu")).to_be_visible()
    expect(phone.locator(".status")).to_have_text("Confirmée")
