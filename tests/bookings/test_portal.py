"""The portal (P-1, B-1 … B-9): book, see the reminders, move, cancel, check in — and bad
input answers clearly, keeping nothing half-done; someone else's booking is not found."""

import pytest
from django.test import Client

from bookings import services
from bookings.models import Booking
from notifications.models import Delivery
from tests.bookings.conftest import HOUR, TOMORROW_10
from tests.factories import member

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def form(day="2026-12-01", start="10:00", end="11:00", **extra):
    return {"date": day, "start_time": start, "end_time": end, "title": "", "guests": "", **extra}


def test_b2_booking_on_the_portal_confirms_and_lists_the_reminders(alice, room, frozen, on_commit):
    client = client_for(alice)
    assert "Salle Everest" in client.get("/bookings/resources/").content.decode()
    day = client.get(f"/bookings/resources/{room.pk}/?day=2026-12-01").content.decode()
    assert "mardi 1 décembre 2026" in day and "libre" in day
    with on_commit():
        response = client.post(f"/bookings/resources/{room.pk}/", form(guests="claire@atlas.test"))
    booking = Booking.objects.get()
    assert response.url == f"/bookings/{booking.pk}/"
    assert (booking.booker, booking.source, booking.start) == (alice, "client", TOMORROW_10)
    page = client.get(response.url).content.decode()
    assert "claire@atlas.test" in page
    # 3 reminders by email (no push device: those are suppressed, and say so)
    assert page.count("prévu le 1 décembre 2026") == 3


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (form(day="2026-11-29"), "déjà passée"),
        (form(start="19:30", end="20:30"), "pas ouverte"),
        (form(start="11:00", end="10:00"), "se terminer après"),
        (form(guests="not-an-address"), "n’est pas une adresse e-mail"),
        (form(date="junk"), "Saisissez une date valide"),
    ],
)
def test_b1_bad_input_on_the_booking_form_says_why_and_keeps_nothing(
    alice, room, frozen, fields, message
):
    response = client_for(alice).post(f"/bookings/resources/{room.pk}/", fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Booking.objects.exists()


def test_b19_an_overlap_on_the_portal_says_it_is_taken(book, room, chloe, frozen):
    book(room)
    response = client_for(chloe).post(f"/bookings/resources/{room.pk}/", form(start="10:30"))
    assert "Déjà réservée à cette heure-là" in response.content.decode()
    assert Booking.objects.count() == 1


def test_b6_moving_on_the_portal_moves_the_reminders(book, room, alice, on_commit):
    booking = book(room)
    with on_commit():
        client_for(alice).post(f"/bookings/{booking.pk}/move/", form(start="14:00", end="15:00"))
    booking.refresh_from_db()
    assert booking.start == TOMORROW_10 + 4 * HOUR
    scheduled = Delivery.objects.for_target(booking).filter(status="scheduled")
    assert min(d.send_at for d in scheduled) == booking.start - HOUR


def test_b7_cancelling_on_the_portal(book, room, alice, on_commit):
    booking = book(room)
    with on_commit():
        client_for(alice).post(f"/bookings/{booking.pk}/cancel/")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED_BY_BOOKER


def test_b1_check_in_outside_the_window_says_when_it_opens(book, room, alice):
    booking = book(room)
    response = client_for(alice).post(f"/bookings/{booking.pk}/check-in/", follow=True)
    assert "Le check-in est ouvert de 09:45 à 10:15." in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_p3_someone_elses_booking_is_not_found_and_not_changed(book, room, organisation):
    booking = book(room)
    stranger = client_for(member(organisation, email="stranger@example.test"))
    for url in ("", "move/", "cancel/", "check-in/", "participants/", "add-ons/"):
        method = stranger.get if not url else stranger.post
        assert method(f"/bookings/{booking.pk}/{url}").status_code == 404, url
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_b8_a_participant_sees_the_booking_but_cannot_change_it(book, room, chloe):
    booking = book(room, participants=[{"user": chloe}])
    client = client_for(chloe)
    assert client.get(f"/bookings/{booking.pk}/").status_code == 200
    assert client.post(f"/bookings/{booking.pk}/cancel/").status_code == 404


def test_b15_a_manager_opts_in_to_every_booking_with_the_volume_warning(bob, room):
    client = client_for(bob)
    page = client.get("/bookings/notifications/").content.decode()
    assert "beaucoup de messages par jour" in page
    client.post("/bookings/notifications/", {"every_booking": "digest", "maintenance": "on"})
    topics = set(bob.booking_subscriptions.values_list("topic", "delivery"))
    assert topics == {("every_booking", "digest"), ("maintenance", "each")}


def test_b15_an_occupant_cannot_subscribe_to_every_booking(alice, room):
    client_for(alice).post("/bookings/notifications/", {"every_booking": "each"})
    assert not alice.booking_subscriptions.exists()


def test_b3_the_development_payment_page_confirms_the_booking(book, aircraft, alice, on_commit):
    booking = book(aircraft)
    with on_commit():
        client_for(alice).post(f"/bookings/{booking.pk}/pay/")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.payment_reference.startswith("dev-")
    assert services.is_changeable(booking)
