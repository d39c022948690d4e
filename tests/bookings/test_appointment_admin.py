"""Appointments in the back office: the day's list, closing them with their messages,
reviews and no-shows per client — another organisation's manager sees none (B-10, P-3)."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from bookings.models import Appointment, Booking, Service
from bookings.services import appointments
from notifications.consent.models import ConsentRecord
from tests.bookings.conftest import CLIENT, HOUR, TUESDAY_10, deliveries
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(salon, frozen, on_commit):
    with on_commit():
        return appointments.book_appointment(salon["cut"], salon["lea"], TUESDAY_10, dict(CLIENT))


def test_b10_the_admin_closes_an_appointment_with_its_message(
    client, bob, booked, time_machine, on_commit
):
    client.force_login(bob)
    page = client.get(reverse("admin:bookings_appointment_changelist")).content.decode()
    assert "Zoé Petit" in page and "Coupe" in page
    time_machine.move_to(TUESDAY_10 + HOUR, tick=False)
    with on_commit():
        client.post(
            reverse("admin:bookings_appointment_changelist"),
            {"action": "no_show", "_selected_action": [booked.pk]},
        )
    booked.booking.refresh_from_db()
    assert booked.booking.status == Booking.Status.NO_SHOW
    assert deliveries("bookings.appointment_no_show", address="zoe@example.test").exists()
    listing = client.get(reverse("admin:bookings_appointmentnoshow_changelist")).content.decode()
    assert "zoe@example.test" in listing


def test_b10_reviews_are_listed_for_the_manager(client, bob, booked, lea, time_machine):
    time_machine.move_to(TUESDAY_10 + HOUR, tick=False)
    appointments.complete(booked, lea)
    appointments.review(booked, 4, "Très bien")
    client.force_login(bob)
    page = client.get(reverse("admin:bookings_appointmentreview_changelist")).content.decode()
    assert "Très bien" in page


def test_p3_another_organisations_manager_sees_no_appointment(client, booked, other_organisation):
    intruder = member(other_organisation, Role.MANAGER, email="eve@example.test")
    client.force_login(intruder)
    page = client.get(reverse("admin:bookings_appointment_changelist")).content.decode()
    assert "Zoé Petit" not in page
    url = reverse("admin:bookings_appointment_change", args=[booked.pk])
    assert client.get(url).status_code in (302, 404)
    services_page = client.get(reverse("admin:bookings_service_changelist")).content.decode()
    assert "Coupe" not in services_page


def test_b1_the_demo_has_a_salon_with_two_staff_and_three_services(db):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # nothing twice
    salon = Service.objects.filter(organisation__name="Salon Coiffure Léa")
    assert salon.count() == 3
    assert {a.booking.resource.staff_member.display_name for a in Appointment.objects.all()} <= {
        "Léa Martin",
        "Karim Benali",
    }
    assert Appointment.objects.count() == 3


def test_b12_waitlists_show_live_offers_and_their_expiry(client, bob, salon, frozen, on_commit):
    from bookings.services import waitlists

    taken = appointments.book_appointment(salon["cut"], salon["lea"], TUESDAY_10, dict(CLIENT))
    waitlists.join(
        salon["cut"], {"name": "Yann", "email": "yann@example.test"}, wanted_start=TUESDAY_10
    )
    with on_commit():
        appointments.cancel_appointment(taken, None)
    client.force_login(bob)
    page = client.get(reverse("admin:bookings_waitlistoffer_changelist")).content.decode()
    assert "Yann" in page and "2026-12-01 10:00" in page
    entry = reverse("admin:bookings_waitlistentry_changelist")
    assert "yann@example.test" in client.get(entry).content.decode()


GRID = "/admin/notifications/rule/grid/"


def switch(client, organisation, role, channel, on, event="bookings.appointment_booked_online"):
    return client.post(
        GRID,
        {"organisation": organisation.pk, "event": event, "role": role, "channel": channel,
         "on": "1" if on else "0"},
    )  # fmt: skip


def test_n2_the_grid_shows_and_switches_each_event_recipient_group_and_channel(
    client, bob, salon, lea, frozen, on_commit, other_organisation
):
    from notifications.models import Rule

    organisation = salon["page"].organisation
    client.force_login(bob)
    page = client.get(GRID).content.decode()
    assert "Rendez-vous pris en ligne par le client" in page and 'aria-pressed="true"' in page
    assert switch(client, organisation, "staff_member", "email", on=False).status_code == 302
    lea.phone = "+33611111111"
    lea.save()
    switch(client, organisation, "staff_member", "sms", on=True)
    with on_commit():
        appointments.book_online(salon["cut"], salon["lea"], TUESDAY_10, dict(CLIENT))
    code = "bookings.appointment_booked_online"
    assert not deliveries(code, channel="email", address="lea@example.test").exists()
    assert deliveries(code, channel="sms", address="+33611111111", status="sent").exists()
    assert deliveries(code, channel="email", address="patron@example.test").exists()  # untouched
    shipped = Rule.objects.get(default_key=f"{code}/staff")
    assert shipped.enabled and shipped.channels == ["email"]  # the default stays as shipped
    assert Rule.objects.filter(overrides=shipped, organisation=organisation).exists()


def test_n2_another_organisations_manager_cannot_switch_its_grid(client, salon, other_organisation):
    intruder = member(other_organisation, Role.MANAGER, email="eve@example.test")
    client.force_login(intruder)
    organisation = salon["page"].organisation
    assert switch(client, organisation, "staff_member", "email", on=False).status_code == 404
    assert client.get(f"{GRID}?organisation={organisation.pk}").status_code == 404


def test_b2_a_public_page_cannot_take_the_address_of_the_client_links(client, bob, salon):
    """/bookings/rdv/g/…, /avis/…, /sms/…, /attente/… and /my-recap/ are Relais's own."""
    from django.core.exceptions import ValidationError

    page = salon["page"]
    for taken in ("g", "avis", "sms", "attente", "my-recap"):
        page.slug = taken
        with pytest.raises(ValidationError, match="choisissez-en une autre"):
            page.full_clean()
    page.slug = "salon-lea-2"
    page.full_clean()


ADD = "/admin/bookings/appointment/add/"


def booking_form(salon, **fields):
    start = timezone.localtime(TUESDAY_10)
    return {
        "service": salon["cut"].pk,
        "agenda": salon["lea"].pk,
        "start_0": start.strftime("%Y-%m-%d"),
        "start_1": start.strftime("%H:%M"),
        "name": "Zoé Petit",
        "email": "zoe@example.test",
        "phone": "06 12 34 56 78",
        "language": "fr",
        **fields,
    }


def test_b17_booked_in_the_admin_the_sms_consent_ticked_for_the_client_is_in_the_ledger(
    client, bob, salon, frozen, on_commit
):
    client.force_login(bob)
    assert "Le client accepte de recevoir des SMS" in client.get(ADD).content.decode()
    with on_commit():
        response = client.post(ADD, booking_form(salon, sms_consent="on"))
    assert response.status_code == 302, response.content.decode()[-3000:]
    appointment = Appointment.objects.get()
    booking = appointment.booking
    assert (booking.source, booking.booked_by, booking.start) == ("back_office", bob, TUESDAY_10)
    [consent] = ConsentRecord.objects.filter(address="+33612345678")
    assert (consent.kind, consent.method) == ("opt_in_given", "admin")
    assert (consent.admin_user, consent.created_at, consent.page) == (bob, frozen, ADD)
    assert consent.text.startswith("Le client accepte de recevoir des SMS au sujet de ce rendez")
    code = "bookings.appointment_booked_by_back_office"
    assert deliveries(code, channel="sms", address="+33612345678", status="sent").exists()


def test_b17_unticked_or_refused_the_admin_books_for_nobody_else_and_records_no_consent(
    client, bob, booked, salon, frozen, other_organisation
):
    client.force_login(bob)
    taken = client.post(ADD, booking_form(salon, email="leo@example.test", sms_consent="on"))
    assert "Déjà réservée à cette heure-là" in str(taken.context["adminform"].form.errors)
    intruder = member(other_organisation, Role.MANAGER, email="eve@example.test")
    client.force_login(intruder)
    later = {"start_1": timezone.localtime(TUESDAY_10 + 2 * HOUR).strftime("%H:%M")}
    foreign = client.post(ADD, booking_form(salon, sms_consent="on", **later))
    assert foreign.status_code == 200 and "agenda" in foreign.context["adminform"].form.errors
    client.force_login(bob)
    no_number = client.post(ADD, booking_form(salon, phone="", sms_consent="on", **later))
    assert "phone" in no_number.context["adminform"].form.errors  # a tick needs a number
    assert Appointment.objects.count() == 1
    assert not ConsentRecord.objects.exists()
