"""Waitlists (SPEC B-12): a freed slot held for the next person waiting, a claim window that
pauses at night (across a DST change too), the hold moving on by itself, an earlier slot
moving one's own appointment, and exactly one claim winning."""

import contextlib
import datetime
import threading
import zoneinfo

import pytest
from django.db import connection, connections

from bookings import links
from bookings.availability import BookingRefused
from bookings.models import Booking, Waitlist, WaitlistEntry, WaitlistOffer
from bookings.services import appointments, waitlists
from notifications import api as notifications_api
from notifications.channels.sms import segment_info
from notifications.consent.models import ConsentRecord
from tests.bookings.conftest import CLIENT, HOUR, TUESDAY_10, deliveries, emails_to, has_ics

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NIGHT = (datetime.time(20), datetime.time(8))
UTC = datetime.UTC


def paris(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


def test_b12_an_offer_at_1950_with_two_hours_runs_out_at_0950_the_next_morning():
    deadline = waitlists.claim_deadline(paris(2026, 12, 1, 19, 50), 2 * HOUR, *NIGHT, PARIS)
    assert deadline == paris(2026, 12, 2, 9, 50)
    assert waitlists.claim_deadline(paris(2026, 12, 1, 10), 2 * HOUR, *NIGHT, PARIS) == paris(
        2026, 12, 1, 12
    )
    at_night = waitlists.claim_deadline(paris(2026, 12, 1, 23, 30), 2 * HOUR, *NIGHT, PARIS)
    assert at_night == paris(2026, 12, 2, 10)


def test_b12_the_night_pause_follows_the_wall_clock_across_the_dst_change():
    # Saturday 24 October 2026, 19:50 summer time; the clocks go back that night.
    deadline = waitlists.claim_deadline(paris(2026, 10, 24, 19, 50), 2 * HOUR, *NIGHT, PARIS)
    assert deadline.astimezone(PARIS).replace(tzinfo=None) == datetime.datetime(2026, 10, 25, 9, 50)
    assert deadline == datetime.datetime(2026, 10, 25, 8, 50, tzinfo=UTC)  # winter time, UTC+1


@pytest.fixture
def full_slot(salon, frozen, on_commit):
    """Zoé has Léa's Tuesday 10:00; Yann then Inès wait for it."""
    with on_commit():
        taken = appointments.book_appointment(salon["cut"], salon["lea"], TUESDAY_10, dict(CLIENT))
    yann = waitlists.join(
        salon["cut"], {"name": "Yann", "email": "yann@example.test"}, wanted_start=TUESDAY_10
    )
    ines = waitlists.join(
        salon["cut"],
        {"name": "Inès", "email": "ines@example.test"},
        agenda=salon["lea"],
        wanted_start=TUESDAY_10,
    )
    return taken, yann, ines


def test_b12_a_cancelled_slot_is_held_for_the_first_waiting_with_a_claim_link(
    full_slot, salon, on_commit
):
    taken, yann, ines = full_slot
    with on_commit():
        appointments.cancel_appointment(taken, None)
    offer = WaitlistOffer.objects.get()
    assert (offer.entry, offer.status, offer.hold.status) == (yann, "live", Booking.Status.HELD)
    assert offer.expires_at == offer.offered_at + 2 * HOUR  # Monday 08:00 + 2 h: daytime
    [email] = emails_to("yann@example.test")
    assert email.subject.startswith("Un créneau s’est libéré\u00a0: Coupe le mardi 1 décembre")
    assert "jusqu’au lundi 30 novembre 2026 à 10:00" in email.body
    assert links.claim_url(offer) in email.body
    with pytest.raises(BookingRefused):  # held: nobody else books it meanwhile
        appointments.book_appointment(salon["cut"], salon["lea"], TUESDAY_10, dict(CLIENT))
    assert not emails_to("ines@example.test")


def test_b12_unclaimed_the_hold_moves_on_by_itself_and_every_step_is_recorded(
    full_slot, time_machine, on_commit, client, settings
):
    taken, yann, ines = full_slot
    with on_commit():
        appointments.cancel_appointment(taken, None)
    first = WaitlistOffer.objects.get()
    time_machine.move_to(first.expires_at + datetime.timedelta(minutes=1), tick=False)
    with on_commit():
        assert waitlists.move_holds_on() == 1
    steps = list(WaitlistOffer.objects.order_by("pk").values_list("entry", "status"))
    assert steps == [(yann.pk, "expired"), (ines.pk, "live")]
    first.refresh_from_db()
    assert first.hold.status == Booking.Status.AUTO_CANCELLED and first.decided_at
    assert any("non réservé" in m.subject for m in emails_to("yann@example.test"))
    assert any("s’est libéré" in m.subject for m in emails_to("ines@example.test"))
    # Yann's late claim is answered clearly and changes nothing.
    response = client.post(links.claim_url(first).removeprefix(settings.SITE_URL))
    assert response.status_code == 409
    assert "Trop tard" in response.content.decode() or "Too late" in response.content.decode()
    assert WaitlistOffer.objects.get(entry=ines).status == "live"


def test_b12_claiming_sends_the_modification_with_the_state_before_and_now_not_a_new_booking(
    full_slot, on_commit, client, settings
):
    """OpenFlyers: the booking waiting, confirmed after a withdrawal, gets the modification."""
    taken, yann, ines = full_slot
    with on_commit():
        appointments.cancel_appointment(taken, None)
    offer = WaitlistOffer.objects.get()
    path = links.claim_url(offer).removeprefix(settings.SITE_URL)
    assert "Réserver ce créneau" in client.get(path).content.decode()
    assert WaitlistOffer.objects.get().status == "live"  # GET never acts
    with on_commit():
        response = client.post(path)
    offer.refresh_from_db()
    assert offer.status == "claimed" and response.status_code == 302
    assert offer.hold.status == Booking.Status.CONFIRMED
    assert response.url == links.manage_url(offer.hold).removeprefix(settings.SITE_URL)
    [changed] = [m for m in emails_to("yann@example.test") if "Modification" in m.subject]
    assert changed.subject.startswith("Modification de votre rendez-vous\u00a0: Coupe le mardi")
    assert "Avant\u00a0: sur liste d’attente, le mardi 1 décembre 2026 à 10:00" in changed.body
    assert "Maintenant\u00a0: confirmé, le mardi 1 décembre 2026 à 10:00" in changed.body
    assert links.manage_url(offer.hold) in changed.body and has_ics(changed)
    not_new = deliveries("bookings.appointment_booked_online", address="yann@example.test")
    assert not not_new.exists()  # not a new booking's confirmation
    [staff] = emails_to("lea@example.test")[-1:]
    assert staff.subject.startswith("Nouveau rendez-vous (liste d’attente)\u00a0: Yann")
    assert deliveries("bookings.appointment_confirmed", status="scheduled").exists()  # reminders
    assert WaitlistEntry.objects.get(pk=yann.pk).status == "served"
    assert client.post(path).status_code == 409  # a second claim finds it taken
    tampered = path[:-4] + "abc/"
    assert client.get(tampered).status_code == 404


def test_b12_a_waitlist_that_confirms_at_once_books_the_first_waiting_with_the_modification(
    salon, frozen, on_commit
):
    """OpenFlyers' overbooking: no claim window, the booking waiting holds as soon as the
    slot frees; the client reads the change in their own language."""
    Waitlist.objects.create(
        organisation=salon["page"].organisation, service=salon["cut"], confirms_at_once=True
    )
    with on_commit():
        taken = appointments.book_appointment(salon["cut"], salon["lea"], TUESDAY_10, dict(CLIENT))
    waitlists.join(
        salon["cut"],
        {"name": "Ian", "email": "ian@example.test", "language": "en"},
        wanted_start=TUESDAY_10,
    )
    with on_commit():
        appointments.cancel_appointment(taken, None)
    offer = WaitlistOffer.objects.get()
    assert (offer.status, offer.hold.status) == ("claimed", Booking.Status.CONFIRMED)
    assert not deliveries("bookings.waitlist_offered").exists()
    [changed] = emails_to("ian@example.test")
    assert changed.subject.startswith("Your appointment is changed: Coupe on Tuesday, December 1")
    assert "Before: on the waitlist, on Tuesday, December 1, 2026 at 10:00 AM" in changed.body
    assert "Now: confirmed, on Tuesday, December 1, 2026 at 10:00 AM" in changed.body
    assert has_ics(changed)


def test_b12_the_offer_is_texted_with_its_claim_link_to_whoever_agreed_to_texts(
    salon, frozen, on_commit, client
):
    with on_commit():
        taken = appointments.book_appointment(salon["cut"], salon["lea"], TUESDAY_10, dict(CLIENT))
    start = TUESDAY_10.isoformat().replace("+", "%2B")
    url = f"/bookings/rdv/salon-lea/attente/?service={salon['cut'].pk}&staff=any&start={start}"
    form = {"name": "Léo", "email": "leo@example.test", "phone": "06 11 22 33 44"}
    client.post(url, form | {"sms_consent": "on"})
    [consent] = ConsentRecord.objects.filter(address="+33611223344")
    assert (consent.kind, consent.method) == ("opt_in_given", "page")
    assert consent.text.startswith("J’accepte de recevoir un SMS à ce numéro si ce créneau")
    assert consent.page == "/bookings/rdv/salon-lea/attente/"
    with on_commit():
        appointments.cancel_appointment(taken, None)
    offer = WaitlistOffer.objects.get()
    [text] = deliveries("bookings.waitlist_offered", channel="sms", status="sent")
    assert text.address == "+33611223344" and links.claim_url(offer) in text.body
    assert text.body.startswith(
        "Résidence Les Tilleuls - créneau libre pour Coupe le 1 décembre 2026 à 10:00. "
        "Réservez-le avant le 30 novembre 2026 à 10:00 sur http"
    )
    assert segment_info(text.body).encoding == "GSM-7"
    assert emails_to("leo@example.test")  # and by email, as always
    with on_commit():
        waitlists.claim(offer)
    sent = deliveries("bookings.appointment_promoted", channel="sms", status="sent")
    [changed] = sent.filter(address="+33611223344")
    assert "votre rendez-vous en attente du 1 décembre 2026 à 10:00 (Coupe) est confirmé" in (
        changed.body
    )
    assert segment_info(changed.body).encoding == "GSM-7"


def test_b12_no_text_without_the_numbers_consent_in_the_ledger(salon, frozen, on_commit):
    with on_commit():
        taken = appointments.book_appointment(salon["cut"], salon["lea"], TUESDAY_10, dict(CLIENT))
    waitlists.join(
        salon["cut"],
        {"name": "Léo", "email": "leo@example.test", "phone": "+33611223344"},
        wanted_start=TUESDAY_10,
    )
    with on_commit():
        appointments.cancel_appointment(taken, None)
    assert deliveries("bookings.waitlist_offered", address="leo@example.test").exists()
    [text] = deliveries("bookings.waitlist_offered", channel="sms")
    assert (text.status, text.address) == ("suppressed", ""), text.reason


def test_b12_an_earlier_slot_moves_ones_own_appointment_with_old_and_new(
    salon, frozen, on_commit, client, settings
):
    with on_commit():
        taken = appointments.book_appointment(salon["cut"], salon["lea"], TUESDAY_10, dict(CLIENT))
        later = appointments.book_appointment(
            salon["cut"],
            salon["lea"],
            TUESDAY_10 + 6 * HOUR,
            {"name": "Yann", "email": "yann@example.test", "phone": ""},
        )
    manage = links.manage_url(later.booking).removeprefix(settings.SITE_URL)
    client.post(manage + "earlier/")
    with on_commit():
        appointments.cancel_appointment(taken, None)
    offer = WaitlistOffer.objects.get()
    with on_commit():
        waitlists.claim(offer)
    later.booking.refresh_from_db()
    assert later.booking.start == TUESDAY_10 and later.booking.status == "confirmed"
    [moved] = [m for m in emails_to("yann@example.test") if "déplacé" in m.subject]
    assert "Il était prévu le mardi 1 décembre 2026 à 16:00" in moved.body


def test_b12_a_client_waits_for_a_full_slot_from_the_public_page(salon, full_slot, client):
    day = client.get(
        f"/bookings/rdv/salon-lea/?service={salon['cut'].pk}&staff={salon['lea'].pk}&day=2026-12-01"
    ).content.decode()
    assert "attente/?service=" in day
    start = TUESDAY_10.isoformat().replace("+", "%2B")
    query = f"service={salon['cut'].pk}&staff={salon['lea'].pk}&start={start}"
    url = f"/bookings/rdv/salon-lea/attente/?{query}"
    client.post(url, {"name": "Léo", "email": "leo@example.test"})
    entry = WaitlistEntry.objects.get(email="leo@example.test")
    assert (entry.wanted_start, entry.agenda) == (TUESDAY_10, salon["lea"])


@pytest.fixture
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "concurrent transactions are real only on PostgreSQL: DATABASE_URL=postgres://…"
        )


@pytest.mark.django_db(transaction=True)
def test_b12_two_clients_claiming_at_the_same_moment_exactly_one_gets_it(
    postgresql_only, salon, monkeypatch
):
    """The offer's link forwarded: two people tap it at once. Both read the offer live, wait
    for each other, then claim: the hold's row lock makes the second find it claimed."""
    from django.utils import timezone

    start = (timezone.now() + 48 * HOUR).replace(minute=0, second=0, microsecond=0)
    monkeypatch.setattr(notifications_api, "plan_on_commit", lambda event_id, priority: None)
    waitlists.join(salon["cut"], {"name": "Yann", "email": "yann@example.test"}, wanted_start=start)
    hold = Booking.objects.create(
        organisation=salon["page"].organisation,
        resource=salon["lea"],
        start=start,
        end=start + salon["cut"].held_for,
        status=Booking.Status.HELD,
    )
    from bookings.models import Appointment, Participant

    Appointment.objects.create(booking=hold, service=salon["cut"])
    Participant.objects.create(booking=hold, is_booker=True, name="Yann", email="yann@example.test")
    offer = WaitlistOffer.objects.create(
        entry=WaitlistEntry.objects.get(), hold=hold, offered_at=timezone.now(),
        expires_at=timezone.now() + HOUR,
    )  # fmt: skip
    barrier = threading.Barrier(2, timeout=3)
    outcomes = []

    def attempt():
        try:
            seen = WaitlistOffer.objects.get(pk=offer.pk)
            assert seen.status == "live"
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()
            waitlists.claim(seen)
            outcomes.append("claimed")
        except BookingRefused as refused:
            outcomes.append(refused.message)
        except BaseException as error:
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, daemon=True) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == sorted(["claimed", "Ce créneau a déjà été réservé."]) or sorted(
        outcomes
    ) == sorted(["claimed", "This slot has already been claimed."])
    assert Booking.objects.get(pk=hold.pk).status == Booking.Status.CONFIRMED
