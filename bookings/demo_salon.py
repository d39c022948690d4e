"""Demo appointments: a hair salon with two staff members, three services, its public page
(/bookings/rdv/salon-coiffure-lea/), a few appointments, someone on the waitlist and the
staff's daily recaps, made through the services."""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.management.commands.seed_demo import DEMO_PASSWORD
from accounts.models import Membership, Organisation, Role, Site, User
from bookings import services
from bookings.models import BookingPage, OpeningHours, Resource, Service, StaffRecap
from bookings.services import appointments, waitlists
from bookings.signals import BACK_OFFICE

SALON = "Salon Coiffure Léa"


def seed(demo):
    salon, _ = Organisation.objects.get_or_create(
        name=SALON, defaults={"sending_mode": Organisation.SendingMode.PRODUCTION}
    )
    if Service.objects.filter(organisation=salon).exists():
        return
    bob = demo.people["bob@relais.test"]
    Membership.objects.get_or_create(user=bob, organisation=salon, defaults={"role": Role.MANAGER})
    site = Site.objects.create(
        organisation=salon, name="Salon", address="4 place Bellecour, 69002 Lyon"
    )
    BookingPage.objects.create(
        organisation=salon,
        slug="salon-coiffure-lea",
        manager_email="patronne@salon-lea.test",
        manager_phone="+33611223344",
    )
    agendas = [
        _agenda(salon, site, bob, "lea@salon-lea.test", "Léa Martin"),
        _agenda(salon, site, bob, "karim@salon-lea.test", "Karim Benali"),
    ]
    cut = Service.objects.create(
        organisation=salon,
        name="Coupe et brushing",
        duration_minutes=45,
        buffer_minutes=15,
        price=Decimal("42.00"),
    )
    colour = Service.objects.create(
        organisation=salon, name="Couleur", duration_minutes=90, price=Decimal("68.00")
    )
    advice = Service.objects.create(
        organisation=salon,
        name="Conseil mariage",
        duration_minutes=30,
        requires_acceptance=True,
    )
    for service in (cut, colour, advice):
        service.agendas.set(agendas)
    _appointments(salon, agendas, cut, colour, advice, bob)


def _agenda(salon, site, bob, email, name):
    staff, created = User.objects.get_or_create(email=email, defaults={"display_name": name})
    if created:
        staff.set_password(DEMO_PASSWORD)
        staff.save()
    Membership.objects.get_or_create(user=staff, organisation=salon, defaults={"role": Role.STAFF})
    agenda = services.save_resource(
        Resource(
            organisation=salon,
            site=site,
            kind=Resource.Kind.AGENDA,
            name=f"Agenda de {name}",
            staff_member=staff,
            manager=bob,
        ),
        bob,
    )
    for weekday in range(1, 6):  # Tuesday to Saturday
        OpeningHours.objects.create(
            resource=agenda, weekday=weekday, opens=datetime.time(9), closes=datetime.time(19)
        )
    return agenda


def _appointments(salon, agendas, cut, colour, advice, bob):
    zone = agendas[0].zone
    day = timezone.localtime(timezone.now(), zone).date() + datetime.timedelta(days=1)
    while day.weekday() in (0, 6):  # the salon is closed on Sundays and Mondays
        day += datetime.timedelta(days=1)

    def at(hour):
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)

    clients = [
        {"name": "Claire Petit", "email": "claire.petit@example.fr", "phone": "", "language": "fr"},
        {"name": "Julia Moreno", "email": "julia@example.com", "phone": "", "language": "en"},
        {"name": "Hugo Laurent", "email": "hugo.laurent@example.fr", "phone": "", "language": "fr"},
    ]
    appointments.book_online(cut, agendas[0], at(10), clients[0])
    appointments.book_appointment(
        colour, agendas[1], at(14), dict(clients[1]), actor=bob, by=BACK_OFFICE
    )
    appointments.book_online(advice, None, at(17), clients[2])  # waits for acceptance
    # Someone waits for Claire's slot (B-12); Léa and Bob get their daily recaps (B-13).
    waitlists.join(
        cut,
        {"name": "Inès Roy", "email": "ines.roy@example.fr"},
        agenda=agendas[0],
        wanted_start=at(10),
    )
    appointments.save_staff_recap(
        StaffRecap(organisation=salon, user=agendas[0].staff_member, send_time=datetime.time(19))
    )
    appointments.save_staff_recap(
        StaffRecap(
            organisation=salon,
            user=bob,
            send_time=datetime.time(8),
            day=StaffRecap.Day.SAME_DAY,
            whole_day=True,
        )
    )
