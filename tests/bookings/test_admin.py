"""The back office goes through the same services: a booking made, moved, approved, paid or
cancelled in the admin announces the back office's events, with the manager as the actor."""

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking, Maintenance
from notifications.models import Delivery, Event
from tests.admin_forms import change_form_data
from tests.bookings.conftest import HOUR, TOMORROW_10

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, bob):
    client.force_login(bob)
    return client


def codes(booking):
    return [(e.code, e.actor) for e in Event.objects.for_target(booking).order_by("pk")]


def local(moment):
    value = timezone.localtime(moment)
    return {"0": value.strftime("%Y-%m-%d"), "1": value.strftime("%H:%M:%S")}


def test_b2_a_booking_made_in_the_admin_is_booked_from_the_back_office(
    desk, room, alice, bob, frozen
):
    start, end = local(TOMORROW_10), local(TOMORROW_10 + HOUR)
    response = desk.post(
        reverse("admin:bookings_booking_add"),
        {
            "resource": room.pk,
            "booker": alice.pk,
            "title": "Comité",
            "start_0": start["0"],
            "start_1": start["1"],
            "end_0": end["0"],
            "end_1": end["1"],
            **{
                f"{prefix}-{key}": value
                for prefix in ("participants", "add_ons")
                for key, value in {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0}.items()
            },
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    booking = Booking.objects.get()
    assert (booking.booked_by, booking.source) == (bob, "back_office")
    assert codes(booking) == [("bookings.booked_by_back_office", bob), ("bookings.confirmed", bob)]


def test_b19_the_admin_refuses_an_overlap_with_its_reason(desk, room, alice, chloe, book):
    book(room)
    start, end = local(TOMORROW_10), local(TOMORROW_10 + HOUR)
    response = desk.post(
        reverse("admin:bookings_booking_add"),
        {
            "resource": room.pk,
            "booker": chloe.pk,
            "start_0": start["0"],
            "start_1": start["1"],
            "end_0": end["0"],
            "end_1": end["1"],
        },
    )
    assert "Déjà réservée à cette heure-là" in response.content.decode()
    assert Booking.objects.count() == 1


def test_b6_a_booking_moved_in_the_admin_is_moved_from_the_back_office(desk, room, bob, book):
    booking = book(room)
    url = reverse("admin:bookings_booking_change", args=[booking.pk])
    page = desk.get(url)
    later = local(TOMORROW_10 + 2 * HOUR)
    data = change_form_data(page, start_0=later["0"], start_1=later["1"])
    data["end_0"], data["end_1"] = local(TOMORROW_10 + 3 * HOUR).values()
    assert desk.post(url, data).status_code == 302
    assert codes(booking)[-1] == ("bookings.moved_by_back_office", bob)


def test_b4_the_approvals_queue_approves_and_lists_only_what_waits(
    desk, boardroom, room, bob, book
):
    waiting, confirmed = book(boardroom), book(room)
    queue = desk.get(reverse("admin:bookings_bookingtoapprove_changelist"))
    assert list(queue.context["cl"].result_list) == [waiting]
    desk.post(
        reverse("admin:bookings_bookingtoapprove_changelist"),
        {"action": "approve", "_selected_action": [waiting.pk, confirmed.pk]},
    )
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CONFIRMED
    assert ("bookings.approved", bob) in codes(waiting)


def test_b3_mark_as_paid_and_cancel_from_the_admin(desk, aircraft, bob, book):
    paid, cancelled = book(aircraft), book(aircraft, start=TOMORROW_10 + 2 * HOUR)
    changelist = reverse("admin:bookings_booking_changelist")
    desk.post(changelist, {"action": "mark_paid", "_selected_action": [paid.pk]})
    desk.post(changelist, {"action": "cancel", "_selected_action": [cancelled.pk]})
    paid.refresh_from_db()
    cancelled.refresh_from_db()
    assert (paid.status, cancelled.status) == (
        Booking.Status.CONFIRMED,
        Booking.Status.CANCELLED_BACK_OFFICE,
    )
    assert ("bookings.cancelled_by_back_office", bob) in codes(cancelled)


def test_n6_the_booking_page_shows_its_messages(desk, room, book):
    booking = book(room)
    page = desk.get(reverse("admin:bookings_booking_change", args=[booking.pk]))
    [history] = [
        inline
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model.__name__ == "Delivery"
    ]
    assert len(history.formset.queryset) == Delivery.objects.for_target(booking).count() > 0


def test_b14_a_maintenance_added_in_the_admin_is_announced(desk, room, bob, book, remi):
    book(room)
    start, end = local(TOMORROW_10 - HOUR), local(TOMORROW_10 + HOUR)
    desk.post(
        reverse("admin:bookings_maintenance_add"),
        {
            "resource": room.pk,
            "description": "Peinture",
            "start_0": start["0"],
            "start_1": start["1"],
            "end_0": end["0"],
            "end_1": end["1"],
        },
    )
    maintenance = Maintenance.objects.get()
    assert [e.code for e in Event.objects.for_target(maintenance)] == [
        "bookings.maintenance_announced"
    ]


def test_b19_a_slot_taken_between_the_check_and_the_save_answers_with_its_reason(
    desk, room, alice, frozen, monkeypatch
):
    """The form's check passed; another booker's insert wins: no 500, nothing kept."""
    from bookings import services

    def taken(*args, **kwargs):
        raise services.BookingRefused("Déjà réservée à cette heure-là.")

    monkeypatch.setattr(services, "save_booking", taken)
    start, end = local(TOMORROW_10), local(TOMORROW_10 + HOUR)
    url = reverse("admin:bookings_booking_add")
    data = {
        "resource": room.pk,
        "booker": alice.pk,
        "start_0": start["0"],
        "start_1": start["1"],
        "end_0": end["0"],
        "end_1": end["1"],
        **{
            f"{prefix}-{key}": value
            for prefix in ("participants", "add_ons")
            for key, value in {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0}.items()
        },
    }
    response = desk.post(url, data, follow=True)
    assert response.status_code == 200
    assert "Déjà réservée à cette heure-là" in response.content.decode()
    assert not Booking.objects.exists()
