"""B-18: one-tap answers from the message: signed, single-use, expiring; the GET never acts."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client

from bookings import services, tokens
from bookings.models import Booking
from tests.bookings.conftest import HOUR, emails_to

pytestmark = pytest.mark.django_db


def link(message, action):
    return re.search(rf"http://\S+/bookings/tap/{action}/\S+/", message.body).group()


def path_of(url):
    return (
        url.split("127.0.0.1:8000", 1)[-1]
        if "127.0.0.1:8000" in url
        else "/" + url.split("/", 3)[3]
    )


@pytest.fixture
def asked(book, boardroom, remi):
    booking = book(boardroom)
    [message] = emails_to(remi.email)
    return booking, message


def test_b18_the_approvers_link_shows_a_page_and_acts_only_on_post(asked, on_commit):
    booking, message = asked
    url = path_of(link(message, "approve"))
    anonymous = Client()  # no login: the link is the proof
    page = anonymous.get(url)
    assert page.status_code == 200 and "Approuver cette réservation" in page.content.decode()
    anonymous.get(url)  # a mail scanner opening it twice
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING_APPROVAL
    mail.outbox.clear()
    with on_commit():
        done = anonymous.post(url)
    assert done.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.decided_by.email) == (
        Booking.Status.CONFIRMED,
        "remi@example.test",
    )
    assert [m.subject for m in mail.outbox if "alice" in m.to[0]][0].startswith(
        "Réservation approuvée"
    )


def test_b18_a_used_link_never_acts_again(asked, alice, on_commit):
    booking, message = asked
    url = path_of(link(message, "approve"))
    client = Client()
    client.post(url)
    again = client.post(url)
    assert again.status_code == 410
    assert "plus" in again.content.decode()  # « ne fonctionne plus »


def test_b18_the_reject_link_is_dead_once_the_booking_is_approved(asked, remi):
    booking, message = asked
    services.approve(booking, remi)
    response = Client().post(path_of(link(message, "reject")))
    assert response.status_code == 410
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_b18_a_tampered_link_is_refused_and_changes_nothing(asked):
    booking, message = asked
    url = path_of(link(message, "approve"))
    tampered = url[:-3] + ("A" if url[-3] != "A" else "B") + url[-2:]
    for bad in (tampered, url.replace("/approve/", "/reject/"), "/bookings/tap/approve/junk/"):
        response = Client().post(bad)
        assert response.status_code == 404, bad
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING_APPROVAL


def test_b18_an_expired_link_is_refused(asked, time_machine):
    booking, message = asked
    time_machine.move_to(booking.created_at + tokens.MAX_AGE + datetime.timedelta(minutes=1))
    assert Client().post(path_of(link(message, "approve"))).status_code == 404


def test_b18_the_booker_confirms_attendance_or_cancels_from_the_reminder(
    book, room, alice, on_commit
):
    booking = book(room)
    booker = booking.participants.get(is_booker=True)
    attend = path_of(tokens.url("attend", booker.pk))
    cancel = path_of(tokens.url("cancel", booker.pk))
    Client().post(attend)
    booker.refresh_from_db()
    assert booker.attendance_confirmed_at is not None
    with on_commit():
        Client().post(cancel)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED_BY_BOOKER
    assert Client().get(attend).status_code == 410  # nothing left to answer


def test_b18_a_reject_from_the_link_carries_its_reason(asked, on_commit):
    booking, message = asked
    with on_commit():
        Client().post(path_of(link(message, "reject")), {"note": "Salle prise par le CA."})
    booking.refresh_from_db()
    assert (booking.status, booking.decision_note) == (
        Booking.Status.REJECTED,
        "Salle prise par le CA.",
    )
    assert booking.end - booking.start == HOUR
