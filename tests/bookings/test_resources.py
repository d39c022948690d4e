"""B-1: resources — opening hours, closures, check-in window and release when nobody checked in;
bad input answers clearly and keeps nothing half-done."""

import datetime

import pytest
from django.core import mail

from bookings import services
from bookings.models import Booking, Closure, Maintenance, Participant
from tests.bookings.conftest import HOUR, MINUTE, NOW, TOMORROW_10, deliveries, make_resource

pytestmark = pytest.mark.django_db


def refused(book, resource, message, **options):
    with pytest.raises(services.BookingRefused, match=message):
        book(resource, **options)
    assert not Booking.objects.exists() and not Participant.objects.exists()


def test_b1_a_booking_in_the_past_is_refused(book, room):
    refused(book, room, "déjà passée", start=NOW - HOUR)


def test_b1_a_booking_outside_opening_hours_is_refused(book, room):
    evening = datetime.datetime(2026, 12, 1, 18, 30, tzinfo=datetime.UTC)  # 19:30 in Paris
    refused(book, room, "pas ouverte", start=evening)
    saturday = datetime.datetime(2026, 12, 5, 9, 0, tzinfo=datetime.UTC)
    refused(book, room, "pas ouverte", start=saturday)


def test_b1_a_closed_day_is_refused(book, room):
    Closure.objects.create(resource=room, first_day=TOMORROW_10.date(), last_day=TOMORROW_10.date())
    refused(book, room, "pas ouverte")


def test_b1_a_resource_under_maintenance_is_refused(book, room):
    Maintenance.objects.create(
        organisation=room.organisation,
        resource=room,
        start=TOMORROW_10 - HOUR,
        end=TOMORROW_10 + HOUR,
    )
    refused(book, room, "en maintenance")


def test_b1_an_end_before_the_start_is_refused(book, room):
    refused(book, room, "se terminer après", length=-HOUR)


def test_b1_check_in_only_inside_its_window(book, room, alice, time_machine):
    booking = book(room)
    time_machine.move_to(booking.start - 16 * MINUTE, tick=False)
    with pytest.raises(services.BookingRefused, match="de 09:45 à 10:15"):
        services.check_in(booking, alice)
    time_machine.move_to(booking.start + 16 * MINUTE, tick=False)
    with pytest.raises(services.BookingRefused):
        services.check_in(booking, alice)
    booking.refresh_from_db()
    assert (booking.status, booking.checked_in_at) == (Booking.Status.CONFIRMED, None)
    time_machine.move_to(booking.start + 15 * MINUTE, tick=False)
    assert services.check_in(booking, alice)
    assert not services.check_in(booking, alice)  # a double tap


def test_b1_a_free_resource_nobody_checked_in_to_is_released_and_the_booker_told(
    book, site, alice, time_machine, on_commit
):
    desk = make_resource(site, name="Bureau 12", auto_cancel_without_check_in=True)
    taken, kept = book(desk), book(desk, start=TOMORROW_10 + 2 * HOUR)
    time_machine.move_to(taken.start + 16 * MINUTE, tick=False)
    mail.outbox.clear()
    with on_commit():
        assert services.release_unchecked() == 1
        assert services.release_unchecked() == 0  # once
    taken.refresh_from_db()
    kept.refresh_from_db()
    assert (taken.status, kept.status) == (Booking.Status.AUTO_CANCELLED, Booking.Status.CONFIRMED)
    assert deliveries("bookings.auto_cancelled", channel="email", user=alice).exists()
    [released] = [m for m in mail.outbox if m.subject.startswith("Réservation libérée")]
    assert "annulée automatiquement" in released.body


def test_b1_a_paid_resource_cannot_release_itself(site):
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    from bookings.models import Resource

    resource = Resource(
        organisation=site.organisation,
        site=site,
        name="Simulateur",
        price=Decimal("10"),
        auto_cancel_without_check_in=True,
    )
    with pytest.raises(ValidationError):
        resource.full_clean()


def test_b1_an_agenda_is_a_staff_members_time(site, bob, book):
    from bookings.models import Resource

    agenda = make_resource(site, name="Agenda de Bob", kind=Resource.Kind.AGENDA, staff_member=bob)
    book(agenda)
    # The staff member hears of the reminders too (Agendize), once the booking holds.
    assert deliveries("bookings.confirmed", user=bob, channel="email").count() == 3


def test_b1_a_site_in_another_zone_keeps_its_own_clock(book, room, site, alice):
    """A Paris organisation's room in Toronto opens 08:00–19:00 Toronto time (B-1, N-19)."""
    site.time_zone = "America/Toronto"
    site.save()
    room.refresh_from_db()
    nine_in_paris = datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.UTC)  # 03:00 in Toronto
    refused(book, room, "pas ouverte", start=nine_in_paris)
    ten_in_toronto = datetime.datetime(2026, 12, 1, 15, 0, tzinfo=datetime.UTC)  # 16:00 in Paris
    booking = book(room, start=ten_in_toronto)
    assert str(booking.zone) == "America/Toronto"
    # A plain contact reads its times on the site's clock; an empty zone is the organisation's.
    site.time_zone = None
    site.save()
    assert str(type(room).objects.get(pk=room.pk).zone) == "Europe/Paris"
