"""Check-in at the resource (B-1): the poster printed from the admin carries a signed QR
code; scanned by a phone, it checks in the scanner's own booking there, inside its window.
The GET only shows what it would do; the POST acts. Forged codes, other organisations'
resources and check-ins outside the window answer clearly and change nothing."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from bookings import tokens
from bookings.models import Booking
from tests.bookings.conftest import TOMORROW_10
from tests.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db
MINUTE = datetime.timedelta(minutes=1)
CHECKED_IN_MESSAGE = "Votre check-in est fait."


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def code_path(resource):
    return urlsplit(tokens.resource_check_in_url(resource)).path


def poster_code(bob, resource):
    """The check-in address printed on the resource's poster, read back from the page."""
    page = client_for(bob).get(
        reverse("admin:bookings_resource_check_in_poster", args=[resource.pk])
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert '<svg viewBox="' in html and 'class="qr"' in html
    path = re.search(r'<p class="url">https?://[^/]+(/[^<]+)</p>', html).group(1)
    return path


def test_b1_the_poster_opens_the_check_in_of_the_scanners_booking(
    book, room, alice, bob, time_machine
):
    booking = book(room)
    path = poster_code(bob, room)
    time_machine.move_to(TOMORROW_10 - 10 * MINUTE, tick=False)
    phone = client_for(alice)

    page = phone.get(path)
    assert page.status_code == 200
    assert f'name="booking" value="{booking.pk}"' in page.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED, "a GET never checks in"

    done = phone.post(path, {"booking": booking.pk}, follow=True)
    assert done.redirect_chain[-1][0] == booking.get_absolute_url()
    assert CHECKED_IN_MESSAGE in done.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CHECKED_IN
    assert "Check-in fait à 09:50." in phone.get(path).content.decode()


def test_b1_a_participant_checks_the_booking_in_from_the_poster(
    book, room, alice, chloe, time_machine
):
    booking = book(room, participants=[{"user": chloe}])
    time_machine.move_to(TOMORROW_10 + 5 * MINUTE, tick=False)
    path = code_path(room)
    client_for(chloe).post(path, {"booking": booking.pk})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CHECKED_IN


def test_b1_scanning_before_the_window_says_when_it_opens(book, room, alice):
    booking = book(room)  # tomorrow 10:00, now is today 08:00
    path = code_path(room)
    phone = client_for(alice)
    html = phone.get(path).content.decode()
    assert "de 09:45 à 10:15" in html
    assert 'name="booking"' not in html
    refused = phone.post(path, {"booking": booking.pk}, follow=True)
    assert "Aucun check-in n’est ouvert pour vous ici" in refused.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_b1_a_post_for_another_booking_than_the_one_shown_checks_nothing_in(
    book, room, alice, time_machine
):
    booking = book(room)
    time_machine.move_to(TOMORROW_10, tick=False)
    path = code_path(room)
    client_for(alice).post(path, {"booking": booking.pk + 1})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_b1_without_a_booking_there_the_page_offers_to_book(room, alice, frozen):
    path = code_path(room)
    html = client_for(alice).get(path).content.decode()
    assert "Vous n’avez pas de réservation ici" in html
    assert reverse("bookings:resource", args=[room.pk]) in html


def test_b1_a_forged_code_or_another_organisations_resource_is_unknown(book, room, frozen):
    stranger = member(OrganisationFactory(name="Autre"), email="stranger@example.test")
    good = code_path(room)
    forged = reverse("bookings:check_in_at_resource", args=[f"{room.pk}:forged"])
    assert client_for(stranger).get(good).status_code == 404
    assert client_for(stranger).post(good, {"booking": 1}).status_code == 404
    neighbour = client_for(member(room.organisation, email="neighbour@example.test"))
    assert neighbour.get(forged).status_code == 404


def test_b1_an_anonymous_scan_asks_to_sign_in_and_comes_back(room):
    path = code_path(room)
    response = Client().get(path)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login")) and "next=" in response.url


def test_p3_another_organisations_manager_cannot_print_the_poster(room):
    other = OrganisationFactory(name="Autre")
    manager = member(other, Role.MANAGER, email="other-manager@example.test")
    url = reverse("admin:bookings_resource_check_in_poster", args=[room.pk])
    assert client_for(manager).get(url).status_code == 404
