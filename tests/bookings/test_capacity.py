"""B-19: a resource never holds more overlapping blocking bookings than its capacity, even
when two people book at the same moment."""

import contextlib
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from bookings import constraints, services
from bookings.models import Booking, Participant, Resource
from bookings.services import bookings as booking_services
from notifications import api as notifications_api
from notifications.models import Event
from tests.bookings.conftest import HOUR, TOMORROW_10
from tests.factories import SiteFactory, member


def race(resource, people, start, end, monkeypatch, wait=3):
    """Each person books at once; each waits for the others after passing the check and
    before writing, so both pass it before either inserts (unless a lock keeps the second
    from checking until the first has committed: then the wait runs out, and it goes on)."""
    barrier = threading.Barrier(len(people), timeout=wait)
    checked = booking_services.check_availability

    def check_then_wait(*args, **kwargs):
        checked(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()

    monkeypatch.setattr(booking_services, "check_availability", check_then_wait)
    # Events are stored, not planned: Celery's eager runs flip a process-wide flag that two
    # threads at once would leave set ("Never call result.get() within a task") for the
    # tests after this one.
    monkeypatch.setattr(notifications_api, "plan_on_commit", lambda event_id, priority: None)
    outcomes = []

    def attempt(person):
        try:
            services.book(person, resource, start=start, end=end)
            outcomes.append("booked")
        except services.BookingRefused:
            outcomes.append("refused")
        except BaseException as error:  # shown by the assertion, not lost in the thread
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(p,), daemon=True) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a booking never finished"
    return sorted(outcomes)


@pytest.fixture
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "concurrent transactions are real only on PostgreSQL: DATABASE_URL=postgres://…"
        )


@pytest.fixture
def place(transactional_db):
    from accounts.models import Organisation

    organisation = Organisation.objects.create(
        name="Coworking Horizon", sending_mode=Organisation.SendingMode.PRODUCTION
    )
    site = SiteFactory(organisation=organisation, name="Étage 2")
    people = [member(organisation, email=f"person{n}@example.test") for n in range(3)]
    return site, people


def _later():
    return timezone.now().replace(microsecond=0) + 48 * HOUR


@pytest.mark.django_db(transaction=True)
def test_b19_two_people_booking_a_room_at_the_same_moment_get_it_once(
    postgresql_only, place, monkeypatch
):
    site, people = place
    room = services.save_resource(
        Resource(organisation=site.organisation, site=site, name="Salle"), None
    )
    start = _later()
    outcomes = race(room, people[:2], start, start + HOUR, monkeypatch)
    assert outcomes == ["booked", "refused"]
    assert Booking.objects.filter(resource=room).count() == 1
    # The refused one left nothing half-done: no participant, no event announcing it.
    assert Participant.objects.filter(booking__resource=room).count() == 1
    assert Event.objects.filter(code="bookings.booked_by_client").count() == 1


@pytest.mark.django_db(transaction=True)
def test_b19_a_pool_of_two_desks_is_never_booked_three_times_at_once(
    postgresql_only, place, monkeypatch
):
    site, people = place
    desks = services.save_resource(
        Resource(organisation=site.organisation, site=site, name="Bureaux", capacity=2), None
    )
    start = _later()
    outcomes = race(desks, people, start, start + HOUR, monkeypatch)
    assert outcomes == ["booked", "booked", "refused"]
    assert Booking.objects.filter(resource=desks).count() == 2


@pytest.mark.django_db(transaction=True)
def test_b19_the_database_refuses_an_overlap_even_when_the_code_does_not_check(
    postgresql_only, place
):
    """The exclusion constraint itself, written around the service."""
    from django.db import IntegrityError

    site, people = place
    room = services.save_resource(
        Resource(organisation=site.organisation, site=site, name="Salle"), None
    )
    start = _later()
    fields = {"organisation": site.organisation, "resource": room, "exclusive": True}
    Booking.objects.create(booker=people[0], start=start, end=start + HOUR, **fields)
    with pytest.raises(IntegrityError) as refused:
        Booking.objects.create(
            booker=people[1], start=start + HOUR / 2, end=start + 2 * HOUR, **fields
        )
    assert constraints.is_violation(refused.value)
    # A cancelled booking holds nothing, and back-to-back bookings do not overlap.
    Booking.objects.filter(booker=people[0]).update(status=Booking.Status.CANCELLED_BY_BOOKER)
    Booking.objects.create(booker=people[1], start=start, end=start + HOUR, **fields)
    Booking.objects.create(booker=people[2], start=start + HOUR, end=start + 2 * HOUR, **fields)


def test_b19_the_insert_postgresql_fails_to_break_two_overlapping_waits_is_refused(
    db, room, alice, frozen, monkeypatch
):
    """Two overlapping inserts at once each wait for the other while checking the exclusion
    constraint; PostgreSQL fails one with "deadlock detected": that booker is refused, as if
    a moment late, and nothing is kept (seen once in CI)."""
    from django.db import OperationalError

    class Deadlock(Exception):
        sqlstate = "40P01"

    def lost_the_race(booking, *args, **kwargs):
        raise OperationalError("deadlock detected") from Deadlock()

    monkeypatch.setattr(Booking, "save", lost_the_race)
    with pytest.raises(services.BookingRefused, match="Déjà réservée"):
        services.book(alice, room, start=TOMORROW_10, end=TOMORROW_10 + HOUR)
    monkeypatch.undo()
    assert not Booking.objects.exists()


pytestmark = pytest.mark.django_db


def test_b19_an_overlapping_booking_is_refused_and_nothing_is_kept(book, room, chloe):
    book(room)
    with pytest.raises(services.BookingRefused, match="Déjà réservée"):
        book(room, start=TOMORROW_10 + HOUR / 2, booker=chloe)
    assert Booking.objects.count() == 1
    assert not chloe.bookings.exists()


def test_b19_back_to_back_bookings_are_fine(book, room, chloe):
    book(room)
    book(room, start=TOMORROW_10 + HOUR, booker=chloe)
    assert Booking.objects.count() == 2


def test_b19_a_pool_takes_as_many_as_its_capacity_at_any_moment(book, desks, alice, chloe, bob):
    book(desks)
    book(desks, booker=chloe)
    book(desks, start=TOMORROW_10 + HOUR, booker=bob)  # 11:00–12:00: only one then
    book(desks, start=TOMORROW_10 - HOUR, length=2 * HOUR, booker=bob)  # 09:00–11:00: the third
    with pytest.raises(services.BookingRefused):
        book(desks, start=TOMORROW_10 + HOUR / 2, booker=member(desks.organisation))


def test_b19_a_cancelled_booking_frees_its_time(book, room, alice, chloe):
    first = book(room)
    services.cancel(first, alice)
    book(room, booker=chloe)
    assert Booking.objects.filter(status=Booking.Status.CONFIRMED).count() == 1


def test_b19_moving_onto_another_booking_is_refused_and_the_booking_stays(book, room, alice, chloe):
    book(room)
    second = book(room, start=TOMORROW_10 + 2 * HOUR, booker=chloe)
    with pytest.raises(services.BookingRefused):
        services.move(second, chloe, start=TOMORROW_10, end=TOMORROW_10 + HOUR)
    second.refresh_from_db()
    assert (second.start, second.sequence) == (TOMORROW_10 + 2 * HOUR, 0)
