"""The public appointment page and the client's signed pages (SPEC B-2, B-6, B-7, B-10, P-2):
phone first, no account; bad input answered clearly, nothing half-done."""

from urllib.parse import quote

import pytest
from django.core import signing
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from bookings import links
from bookings.models import Booking
from bookings.services import appointments
from bookings.services import bookings as booking_services
from notifications.consent.models import ConsentRecord, ContactConsent
from tests.bookings.conftest import CLIENT, HOUR, TUESDAY_10, deliveries, emails_to

pytestmark = pytest.mark.django_db
PAGE = "/bookings/rdv/salon-lea/"


@pytest.fixture(autouse=True)
def _fresh_limits_and_language():
    cache.clear()
    yield
    cache.clear()
    translation.activate("fr")  # a page read in English leaves the thread in English


def form_url(salon, staff="lea", start=TUESDAY_10):
    staff_id = salon[staff].pk if staff != "any" else "any"
    return f"{PAGE}?service={salon['cut'].pk}&staff={staff_id}&start={quote(start.isoformat())}"


def post_client(client, salon, on_commit, **fields):
    data = {"name": "Zoé Petit", "email": "zoe@example.test", "phone": "06 12 34 56 78"}
    data |= {"sms_consent": "on"} | fields
    with on_commit():
        return client.post(form_url(salon), data)


def test_b2_the_page_walks_service_staff_slot_then_details(client, salon, frozen):
    page = client.get(PAGE).content.decode()
    assert "Coupe" in page and "Couleur" in page
    page = client.get(f"{PAGE}?service={salon['cut'].pk}").content.decode()
    assert "Léa Martin" in page and "Marc Blanc" in page
    day = client.get(f"{PAGE}?service={salon['cut'].pk}&staff=any&day=2026-12-01")
    assert ">10:00<" in day.content.decode()
    details = client.get(form_url(salon)).content.decode()
    assert 'name="sms_consent"' in details and 'type="tel"' in details


def test_b2_booking_on_the_page_records_consent_and_opens_the_manage_link(
    client, salon, frozen, on_commit
):
    response = post_client(client, salon, on_commit)
    booking = Booking.objects.get()
    assert response.status_code == 302 and response.url == links.manage_url(booking)
    client_row = booking.participants.get(is_booker=True)
    assert (client_row.name, client_row.phone) == ("Zoé Petit", "+33612345678")
    entry = ConsentRecord.objects.get(address="+33612345678")
    assert entry.kind == "opt_in_given" and "STOP" in entry.text and entry.page == PAGE
    assert deliveries("bookings.appointment_booked_online", address="+33612345678").exists()


def test_b2_a_french_landline_is_refused_with_a_clear_message(client, salon, frozen, on_commit):
    response = post_client(client, salon, on_commit, phone="01 42 68 53 00")
    assert response.status_code == 200
    assert "ne peut pas recevoir de SMS" in response.content.decode() or (
        "cannot receive text messages" in response.content.decode()
    )
    assert not Booking.objects.exists()


def test_b2_a_north_american_number_is_accepted_its_kind_unknown(client, salon, frozen, on_commit):
    post_client(client, salon, on_commit, phone="+1 514 555 0123")
    assert Booking.objects.get().participants.get(is_booker=True).phone == "+15145550123"


def test_b19_a_slot_taken_meanwhile_is_answered_and_nothing_kept(client, salon, frozen, on_commit):
    appointments.book_appointment(salon["cut"], salon["lea"], TUESDAY_10, dict(CLIENT))
    response = post_client(client, salon, on_commit, email="yann@example.test")
    assert response.status_code == 409
    assert (
        "Déjà réservé" in response.content.decode() or "Already booked" in response.content.decode()
    )
    assert Booking.objects.count() == 1
    assert not ConsentRecord.objects.filter(address="+33612345678").exists()


def test_b2_the_sms_limit_per_number_makes_texts_wait_for_the_email(
    client, salon, frozen, on_commit, settings
):
    from bookings.services import clients
    from core.ratelimit import Limit

    clients.SMS_LIMITS["number"], saved = Limit(1, 3600), clients.SMS_LIMITS["number"]
    try:
        post_client(client, salon, on_commit, email="first@example.test")
        with on_commit():
            client.post(
                form_url(salon, start=TUESDAY_10 + HOUR),
                {
                    "name": "Bot",
                    "email": "bot@example.test",
                    "phone": "0612345678",
                    "sms_consent": "on",
                },
            )
    finally:
        clients.SMS_LIMITS["number"] = saved
    second = Booking.objects.order_by("pk").last()
    kinds = list(
        ConsentRecord.objects.filter(address="+33612345678")
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == ["opt_in_given", "opt_in_requested"]
    assert ContactConsent.objects.get(address="+33612345678").state == "pending"
    texts = deliveries("bookings.appointment_booked_online", target_id=second.pk, channel="sms")
    assert not texts.filter(address="+33612345678").exists()  # no text to an unconfirmed number
    [ask] = [m for m in emails_to("bot@example.test") if "Confirmez" in m.subject]
    participant = second.participants.get(is_booker=True)
    url = links.confirm_sms_url(participant)
    assert url in ask.body
    path = url.removeprefix(settings.SITE_URL)
    assert "Oui" in client.get(path).content.decode() or "Yes" in client.get(path).content.decode()
    assert ContactConsent.objects.get(address="+33612345678").state == "pending"  # GET never acts
    with on_commit():
        client.post(path)
    assert ContactConsent.objects.get(address="+33612345678").state == "accepted"
    entry = ConsentRecord.objects.filter(address="+33612345678").first()
    assert entry.kind == "opt_in_given" and entry.method == "link"
    # From now on its messages are texted too (a cancellation, here).
    with on_commit():
        booking_services.cancel(second, None)
    cancelled = deliveries("bookings.appointment_cancelled_by_client", target_id=second.pk)
    assert cancelled.filter(channel="sms", address="+33612345678", status="sent").exists()


def _path(url, settings):
    return url.removeprefix(settings.SITE_URL)


def test_b6_b7_the_client_moves_then_cancels_from_the_signed_link(
    client, salon, frozen, on_commit, settings
):
    booking = appointments.book_appointment(
        salon["cut"], salon["lea"], TUESDAY_10, dict(CLIENT)
    ).booking
    path = _path(links.manage_url(booking), settings)
    page = client.get(path + "?day=2026-12-01").content.decode()
    assert "Coupe" in page and "11:00" in page
    new_start = (TUESDAY_10 + HOUR).isoformat()
    with on_commit():
        client.post(path, {"action": "move", "start": new_start})
    booking.refresh_from_db()
    assert booking.start == TUESDAY_10 + HOUR
    assert deliveries("bookings.appointment_moved_by_client").exists()
    with on_commit():
        client.post(path, {"action": "cancel"})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED_BY_BOOKER
    assert deliveries("bookings.appointment_cancelled_by_client").exists()
    # Used again: it says the appointment can no longer be changed, and changes nothing.
    response = client.post(path, {"action": "move", "start": new_start}, follow=True)
    assert "ne peut plus être modifié" in response.content.decode() or (
        "can no longer be changed" in response.content.decode()
    )


def test_p2_a_tampered_or_foreign_link_opens_nothing(client, salon, frozen, settings):
    booking = appointments.book_appointment(
        salon["cut"], salon["lea"], TUESDAY_10, dict(CLIENT)
    ).booking
    path = _path(links.manage_url(booking), settings)
    assert client.get(path[:-3] + "xx/").status_code == 404
    review_token = links.review_url(booking).rstrip("/").rsplit("/", 1)[1]
    response = client.post(
        reverse("bookings:appointment_manage", args=[review_token]), {"action": "cancel"}
    )
    assert response.status_code == 404  # a review link never opens the manage page
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert client.get("/bookings/rdv/unknown-salon/").status_code == 404
    other = f"{PAGE}?service=999999"
    assert client.get(other).status_code == 404
    with pytest.raises(signing.BadSignature):
        links.read(links.MANAGE, "junk")


def test_b2_a_page_never_offers_another_organisations_service(
    client, salon, other_organisation, frozen
):
    from bookings.models import Service

    theirs = Service.objects.create(
        organisation=other_organisation, name="Massage", duration_minutes=60
    )
    assert client.get(f"{PAGE}?service={theirs.pk}").status_code == 404


def test_b10_completed_thanks_the_client_with_a_review_link_and_keeps_the_review(
    client, salon, lea, frozen, on_commit, time_machine, settings
):
    booking = appointments.book_appointment(
        salon["cut"], salon["lea"], TUESDAY_10, dict(CLIENT)
    ).booking
    time_machine.move_to(TUESDAY_10 + HOUR, tick=False)
    with on_commit():
        assert appointments.complete(booking.appointment, lea)
    [thanks] = [m for m in emails_to("zoe@example.test") if "Merci" in m.subject]
    url = links.review_url(booking)
    assert url in thanks.body
    path = _path(url, settings)
    assert client.post(path, {"stars": "9"}).status_code == 200  # junk: a form error
    client.post(path, {"stars": "5", "comment": "Parfait, merci Léa"})
    booking.appointment.refresh_from_db()
    assert (booking.appointment.review_stars, booking.appointment.review_comment) == (
        5,
        "Parfait, merci Léa",
    )
    client.post(path, {"stars": "1", "comment": "changé d’avis"})
    booking.appointment.refresh_from_db()
    assert booking.appointment.review_stars == 5  # once only


def test_b10_a_no_show_tells_the_client_and_counts_per_client(
    salon, lea, frozen, on_commit, time_machine
):
    booking = appointments.book_appointment(
        salon["cut"], salon["lea"], TUESDAY_10, dict(CLIENT)
    ).booking
    from bookings.availability import BookingRefused

    with pytest.raises(BookingRefused):
        appointments.no_show(booking.appointment, lea)  # not started yet
    time_machine.move_to(TUESDAY_10 + HOUR, tick=False)
    with on_commit():
        assert appointments.no_show(booking.appointment, lea)
    [told] = [m for m in emails_to("zoe@example.test") if "manqué" in m.subject]
    assert "vous n’êtes pas venu" in told.body
    assert list(appointments.no_shows_of(salon["page"].organisation)) == [
        {"email": "zoe@example.test", "count": 1}
    ]
    assert booking_services.complete_ended(TUESDAY_10 + 5 * HOUR) == 0  # closed by staff only


def test_b2_the_page_answers_in_english_when_asked(client, salon, frozen):
    client.cookies.load({"django_language": "en"})
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Book an appointment" in page
