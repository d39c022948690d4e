"""Appointments: booked online or from the back office, each group told in its own words
(SPEC B-2, B-11, B-17), moved and cancelled from the signed link, two reminders (B-9)."""

import datetime

import pytest
from django.core import mail

from bookings import links
from bookings.availability import BookingRefused
from bookings.models import SMS_PURPOSE, Booking, TimeOff
from bookings.services import appointments
from bookings.services import bookings as booking_services
from bookings.signals import BACK_OFFICE
from notifications.consent.models import ConsentRecord, ContactConsent
from notifications.models import Delivery
from tests.bookings.conftest import CLIENT, HOUR, TUESDAY_10, deliveries, emails_to, has_ics

pytestmark = pytest.mark.django_db
Status = Delivery.Status
MINUTE = datetime.timedelta(minutes=1)


def give_sms_consent(booking):
    participant = booking.participants.get(is_booker=True)
    from bookings.services import clients

    clients.record_sms_consent(participant, "J’accepte", "/test", confirmed=True)


@pytest.fixture
def online(salon, frozen, on_commit):
    """Zoé books a cut with Léa on the public page, SMS consent ticked."""

    def booking(service="cut", agenda="lea", start=TUESDAY_10, **client):
        with on_commit():
            return appointments.book_online(
                salon[service],
                salon[agenda] if agenda else None,
                start,
                CLIENT | client,
                sms_text="J’accepte de recevoir des SMS",
                page="/bookings/rdv/salon-lea/",
            )

    return booking


def test_b17_booked_online_tells_client_staff_and_owner_each_in_their_words(online, salon):
    appointment = online()
    booking = appointment.booking
    assert booking.booker is None and booking.end == TUESDAY_10 + 40 * MINUTE  # with its buffer
    [client] = emails_to("zoe@example.test")
    assert client.subject == "Rendez-vous confirmé\u00a0: Coupe le mardi 1 décembre 2026 à 10:00"
    assert "Prestation\u00a0: Coupe avec Léa Martin" in client.body
    assert "Prix\u00a0: 35,00\u00a0€" in client.body
    assert links.manage_url(booking) in client.body
    assert has_ics(client)
    [staff] = emails_to("lea@example.test")
    assert staff.subject.startswith("Nouveau rendez-vous\u00a0: Zoé Petit, mardi 1 décembre")
    assert "Zoé Petit a pris rendez-vous en ligne." in staff.body
    assert "Client\u00a0: Zoé Petit, +33612345678" in staff.body
    assert links.manage_url(booking) not in staff.body  # the client's link is theirs alone
    [owner] = emails_to("patron@example.test")
    assert "avec Léa Martin" in owner.subject
    sms = deliveries("bookings.appointment_booked_online", channel="sms")
    assert set(sms.values_list("address", "status")) == {
        ("+33612345678", Status.SENT),  # the client ticked the consent
        ("+33699999999", Status.SENT),  # the owner's mobile typed on the page
    }
    assert links.manage_url(booking) in sms.get(address="+33612345678").body


def test_b17_booked_from_the_back_office_is_its_own_event(salon, bob, frozen, on_commit):
    with on_commit():
        appointments.book_appointment(
            salon["cut"], salon["marc"], TUESDAY_10, dict(CLIENT), actor=bob, by=BACK_OFFICE
        )
    [staff] = emails_to("marc@example.test")
    assert staff.subject.startswith("Nouveau rendez-vous (back-office)")
    assert "Bob Martin a pris un rendez-vous pour Zoé Petit." in staff.body
    [client] = emails_to("zoe@example.test")
    assert "Bob Martin a enregistré votre rendez-vous." in client.body
    assert not deliveries("bookings.appointment_booked_online").exists()
    # No consent given in the back office: no text to the client.
    assert not deliveries("bookings.appointment_booked_by_back_office", address="+33612345678")


def test_b17_moved_and_cancelled_by_client_and_by_back_office_are_four_events(
    online, bob, on_commit
):
    booking = online().booking
    with on_commit():
        appointments.move_appointment(booking.appointment, None, TUESDAY_10 + HOUR)
    with on_commit():
        appointments.move_appointment(
            booking.appointment, bob, TUESDAY_10 + 2 * HOUR, by=BACK_OFFICE
        )
    with on_commit():
        booking_services.cancel(booking, bob, by=BACK_OFFICE)
    subjects = [m.subject for m in emails_to("lea@example.test")]
    assert [s.split("\u00a0:")[0] for s in subjects] == [
        "Nouveau rendez-vous",
        "Rendez-vous déplacé",
        "Rendez-vous déplacé",
        "Rendez-vous annulé",
    ]
    staff = emails_to("lea@example.test")
    assert (
        "Zoé Petit a déplacé son rendez-vous (prévu le mardi 1 décembre 2026 à 10:00)."
        in staff[1].body
    )
    assert "Bob Martin a déplacé le rendez-vous de Zoé Petit" in staff[2].body
    assert "Bob Martin a annulé le rendez-vous de Zoé Petit." in staff[3].body
    for code in (
        "bookings.appointment_moved_by_client",
        "bookings.appointment_moved_by_back_office",
        "bookings.appointment_cancelled_by_back_office",
    ):
        assert deliveries(code, address="patron@example.test").exists(), code


def test_b17_the_client_cancelling_is_told_to_staff_and_owner(online, on_commit):
    booking = online().booking
    with on_commit():
        booking_services.cancel(booking, None)
    assert deliveries("bookings.appointment_cancelled_by_client", address="lea@example.test")
    assert deliveries("bookings.appointment_cancelled_by_client", address="patron@example.test")
    [cancelled] = [m for m in emails_to("zoe@example.test") if "annulé" in m.subject]
    assert "Votre rendez-vous est annulé." in cancelled.body


def test_b11_a_request_waits_for_acceptance_and_tells_client_staff_and_owner(online, salon):
    booking = online(service="consult").booking
    assert booking.status == Booking.Status.PENDING_APPROVAL
    [client] = emails_to("zoe@example.test")
    assert client.subject.startswith("Demande de rendez-vous reçue")
    assert "Elle n’est pas encore confirmée" in client.body
    [staff] = emails_to("lea@example.test")  # the staff member accepts it
    assert "Accepter\u00a0: http" in staff.body
    assert emails_to("patron@example.test")
    assert not deliveries("bookings.appointment_confirmed").exists()  # no reminder yet


def test_b11_accepted_tells_the_client_and_plans_the_reminders(online, lea, on_commit):
    booking = online(service="consult").booking
    mail.outbox.clear()
    with on_commit():
        assert booking_services.approve(booking, lea)
    [client] = emails_to("zoe@example.test")
    assert client.subject.startswith("Rendez-vous accepté")
    assert deliveries("bookings.appointment_confirmed", status=Status.SCHEDULED).count() == 4


def test_b11_refused_tells_the_client_with_the_reason_and_the_owner(online, lea, on_commit):
    booking = online(service="consult").booking
    mail.outbox.clear()
    with on_commit():
        assert booking_services.reject(booking, lea, note="Je suis en formation ce jour-là.")
    [client] = emails_to("zoe@example.test")
    assert client.subject.startswith("Demande de rendez-vous refusée")
    assert "Motif\u00a0: Je suis en formation ce jour-là." in client.body
    [owner] = emails_to("patron@example.test")
    assert "Léa Martin a refusé la demande de Zoé Petit." in owner.body
    assert not emails_to("lea@example.test")


def test_b9_two_reminders_by_email_and_sms_move_and_cancel_with_the_appointment(online, on_commit):
    booking = online().booking
    planned = deliveries("bookings.appointment_confirmed", status=Status.SCHEDULED)
    assert sorted(set(planned.values_list("send_at", flat=True))) == [
        TUESDAY_10 - 24 * HOUR,
        TUESDAY_10 - 2 * HOUR,
    ]
    assert set(planned.values_list("channel", flat=True)) == {"email", "sms"}
    with on_commit():
        appointments.move_appointment(booking.appointment, None, TUESDAY_10 + 3 * HOUR)
    assert sorted(set(planned.values_list("send_at", flat=True))) == [
        TUESDAY_10 + 3 * HOUR - 24 * HOUR,
        TUESDAY_10 + HOUR,
    ]
    with on_commit():
        booking_services.cancel(booking, None)
    assert not planned.exists()


def test_b1_time_off_and_working_hours_shape_the_slots_on_the_staff_clock(salon, lea, frozen):
    day = datetime.date(2026, 12, 1)
    starts = appointments.slots(salon["cut"], salon["lea"], day)
    local = [s.astimezone(salon["lea"].zone).time() for s in starts]
    assert local[0] == datetime.time(9) and local[-1] == datetime.time(17, 15)  # 40 min held
    TimeOff.objects.create(
        resource=salon["lea"], start=TUESDAY_10, end=TUESDAY_10 + 2 * HOUR, reason="Formation"
    )
    local = [
        s.astimezone(salon["lea"].zone).time()
        for s in appointments.slots(salon["cut"], salon["lea"], day)
    ]
    assert datetime.time(10) not in local and datetime.time(11, 30) not in local
    assert datetime.time(12) in local
    with pytest.raises(BookingRefused, match="absent|away"):
        appointments.book_appointment(salon["cut"], salon["lea"], TUESDAY_10, dict(CLIENT))
    lea.time_zone = "America/Montreal"
    lea.save()
    salon["lea"].staff_member.refresh_from_db()
    assert str(salon["lea"].zone) == "America/Montreal"  # her working hours are hers


def test_b17_any_staff_member_takes_the_first_free_agenda(online, salon):
    first = online(agenda=None).booking
    second = online(agenda=None, email="yann@example.test").booking
    assert {first.resource, second.resource} == {salon["lea"], salon["marc"]}
    with pytest.raises(BookingRefused, match="Already booked|Déjà réservé"):
        online(agenda=None, email="third@example.test")


def test_n20_the_sms_tick_is_in_the_ledger_with_its_text_and_time(online, frozen):
    online()
    [entry] = ConsentRecord.objects.filter(address="+33612345678")
    assert (entry.kind, entry.method, entry.purpose) == ("opt_in_given", "page", SMS_PURPOSE)
    assert entry.text == "J’accepte de recevoir des SMS" and entry.created_at == frozen
    assert entry.page == "/bookings/rdv/salon-lea/"
    assert ContactConsent.objects.get(address="+33612345678").state == "accepted"


def test_b17_the_clients_messages_answer_to_the_staff_member_and_alerts_to_no_reply(
    online, settings
):
    """Sender per rule (N-2): the client's rules reply to the staff member, the staff's own
    alerts come from the no-reply address."""
    online()
    [client] = emails_to("zoe@example.test")
    assert client.reply_to == ["Léa Martin <lea@example.test>"]
    assert client.from_email.startswith("Léa Martin <")
    [staff] = emails_to("lea@example.test")
    assert staff.reply_to == [] and staff.from_email == settings.DEFAULT_FROM_EMAIL


def test_b2_a_north_american_landline_is_marked_by_the_providers_permanent_error(
    salon, frozen, on_commit, fake_provider
):
    """A French landline is refused on the page; a North American number cannot be told
    apart, so it is accepted and the provider's permanent "not a mobile" marks it, once."""
    from tests.fake_provider import twilio_error

    fake_provider.fail = lambda request: (
        twilio_error(21614, message="'To' number is not a valid mobile number")
        if request.path.endswith("/Messages.json") and request.body["To"] == "+15145550123"
        else None
    )
    with on_commit():
        appointments.book_online(
            salon["cut"], salon["lea"], TUESDAY_10, CLIENT | {"phone": "+15145550123"},
            sms_text="J’accepte", page="/p",
        )  # fmt: skip
    text = deliveries(
        "bookings.appointment_booked_online", channel="sms", address="+15145550123"
    ).get()
    assert text.status == Status.FAILED and "Not a mobile number" in text.last_error
    assert text.attempts == 1  # permanent: never retried
    email = deliveries("bookings.appointment_booked_online", address="zoe@example.test").get()
    assert email.status == Status.SENT  # the client still has their confirmation
