"""Bookings in a real Chromium at phone width: Alice books, sees her reminders, moves the
booking and sees them move, cancels and gets the cancelling .ics; Rémi approves a booking
from the one-tap link in his email, without logging in (B-2, B-6, B-7, B-9, B-18, P-1)."""

import datetime
import re
import zoneinfo

import icalendar
import pytest
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import expect

from accounts.models import Role
from bookings import services
from bookings.models import Booking, OpeningHours, Resource
from tests.browser.login import PASSWORD, log_in
from tests.factories import SiteFactory, member

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
PHONE = {"width": 390, "height": 844}
# Monday 30 November 2026, 08:00 in Paris; the booking is for Tuesday.
NOW = datetime.datetime(2026, 11, 30, 8, 0, tzinfo=PARIS)


@pytest.fixture
def place(organisation, settings, live_server, time_machine):
    time_machine.move_to(NOW, tick=True)
    cache.clear()  # earlier tests' wrong links from 127.0.0.1 count against one-tap guesses
    settings.SITE_URL = live_server.url  # the links in the emails lead to this server
    alice = member(
        organisation, email="alice@example.test", display_name="Alice Durand", password=PASSWORD
    )
    remi = member(organisation, Role.MANAGER, email="remi@example.test", display_name="Rémi Roux")
    site = SiteFactory(organisation=organisation, name="Bâtiment A", address="12 rue des Tilleuls")
    room = services.save_resource(
        Resource(organisation=organisation, site=site, name="Salle Everest"), None
    )
    for weekday in range(5):
        OpeningHours.objects.create(
            resource=room, weekday=weekday, opens=datetime.time(8), closes=datetime.time(19)
        )
    boardroom = services.save_resource(
        Resource(
            organisation=organisation, site=site, name="Salle du conseil", requires_approval=True
        ),
        None,
    )
    boardroom.approvers.add(remi)
    mail.outbox.clear()
    return alice, remi, room, boardroom


def phone_page(new_context):
    return new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()


def planned(page):
    return page.locator("#timeline li.delivery-scheduled")


def test_b9_book_see_the_reminders_move_them_cancel_with_a_cancelling_ics(
    new_context, live_server, place
):
    alice, _remi, room, _boardroom = place
    page = phone_page(new_context)
    log_in(page, f"{live_server.url}/login/", alice.email)
    page.locator(".nav a[href='/bookings/']").click()
    page.locator("a.button[href='/bookings/resources/']").click()
    page.get_by_role("link", name="Salle Everest").click()
    page.locator("#id_date").fill("2026-12-01")
    page.locator("#id_start_time").fill("10:00")
    page.locator("#id_end_time").fill("11:00")
    page.locator(".booking-form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Salle Everest")
    expect(page.locator("#booking-status")).to_have_text("Confirmée")
    # The three reminders, 1 h and 30 min before and when check-in opens.
    expect(planned(page)).to_have_count(3)
    expect(planned(page).first).to_contain_text("prévu le 1 décembre 2026, 09:00")

    page.locator("details.move summary").click()
    page.locator("details.move #id_start_time").fill("14:00")
    page.locator("details.move #id_end_time").fill("15:00")
    page.locator("details.move button[type=submit]").click()
    expect(page.locator("#booking-when")).to_contain_text("14:00")
    expect(planned(page)).to_have_count(3)
    expect(planned(page).first).to_contain_text("prévu le 1 décembre 2026, 13:00")
    expect(planned(page).filter(has_text="09:00")).to_have_count(0)

    page.locator("details.confirm:not(.move) summary").click()
    page.get_by_role("button", name="Oui, annuler la réservation").click()
    expect(page.locator("#booking-status")).to_have_text("Annulée par le réservant")
    expect(planned(page)).to_have_count(0)
    booking = Booking.objects.get()
    [cancellation] = [m for m in mail.outbox if m.subject.startswith("Réservation annulée")]
    part = next(p for p in cancellation.message().walk() if p.get_content_type() == "text/calendar")
    event = next(iter(icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")))
    assert (part.get_param("method"), event["STATUS"], event["SEQUENCE"]) == (
        "CANCEL",
        "CANCELLED",
        2,
    )
    assert event.decoded("DTSTART") == booking.start


def test_b18_an_approver_approves_from_the_one_tap_link_without_logging_in(
    new_context, live_server, place
):
    alice, remi, _room, boardroom = place
    start = datetime.datetime(2026, 12, 1, 14, 0, tzinfo=PARIS)
    booking = services.book(alice, boardroom, start=start, end=start + datetime.timedelta(hours=2))
    [asked] = [m for m in mail.outbox if remi.email in m.to[0]]
    link = re.search(r"http://\S+/bookings/tap/approve/\S+/", asked.body).group()

    page = phone_page(new_context)  # Rémi's phone, not logged in
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Approuver cette réservation\u00a0?")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING_APPROVAL  # opening the link did nothing
    page.get_by_role("button", name="Oui, approuver").click()
    expect(page.locator(".done")).to_contain_text("ce lien a servi")
    booking.refresh_from_db()
    assert (booking.status, booking.decided_by) == (Booking.Status.CONFIRMED, remi)
    page.goto(link)  # used: it never acts again
    expect(page.locator(".done")).to_be_visible()
    expect(page.get_by_role("button", name="Oui, approuver")).to_have_count(0)


def test_b1_scanning_the_poster_at_the_room_checks_alices_booking_in(
    new_context, live_server, place, log_in_as, time_machine, screenshot_dir
):
    """The manager prints the room's poster; Alice scans it on her phone when she arrives,
    signs in, and checks in the booking she holds there."""
    alice, _remi, room, _boardroom = place
    bob = member(room.organisation, Role.MANAGER, email="bob@example.test", password=PASSWORD)
    start = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=PARIS)
    booking = services.book(alice, room, start=start, end=start + datetime.timedelta(hours=1))

    desk = new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in_as(desk.context, bob)
    desk.goto(f"{live_server.url}/admin/bookings/resource/{room.pk}/change/")
    desk.get_by_role("link", name="Imprimer l’affiche de check-in").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Salle Everest")
    expect(desk.locator("figure svg.qr")).to_be_visible()
    desk.screenshot(path=screenshot_dir / "bookings-check-in-poster.png", full_page=True)
    code = desk.locator("p.url").inner_text()

    time_machine.move_to(start - datetime.timedelta(minutes=5), tick=True)
    phone = phone_page(new_context)
    phone.goto(code)  # what the camera opens
    log_in(phone, phone.url, alice.email)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Salle Everest")
    phone.screenshot(path=screenshot_dir / "bookings-check-in-phone.png", full_page=True)
    phone.get_by_role("button", name="Enregistrer l’arrivée").click()
    expect(phone.locator(".messages")).to_contain_text("Votre check-in est fait.")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CHECKED_IN
