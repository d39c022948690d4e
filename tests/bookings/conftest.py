import datetime
from decimal import Decimal

import icalendar
import pytest
from django.core import mail

from accounts.models import Role
from bookings import services
from bookings.models import AddOn, BookingPage, OpeningHours, Resource, Service
from notifications.models import Delivery
from tests.factories import SiteFactory, member

# Monday 30 November 2026, 08:00 in Paris.
NOW = datetime.datetime(2026, 11, 30, 7, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
# Tuesday 1 December 2026, 10:00–11:00 in Paris.
TOMORROW_10 = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def site(organisation):
    return SiteFactory(
        organisation=organisation, name="Bâtiment A", address="12 rue des Tilleuls, 69003 Lyon"
    )


@pytest.fixture
def chloe(organisation):
    return member(organisation, email="chloe@example.test", display_name="Chloé Bernard")


@pytest.fixture
def remi(organisation):
    """Rémi approves the boardroom's bookings."""
    return member(organisation, Role.MANAGER, email="remi@example.test", display_name="Rémi Roux")


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def make_resource(site, **fields):
    fields.setdefault("name", "Salle Everest")
    return services.save_resource(
        Resource(organisation=site.organisation, site=site, **fields), actor=None
    )


@pytest.fixture
def room(site, bob):
    """A meeting room, free, open 08:00–19:00 on weekdays, Bob responsible for it."""
    room = make_resource(site, manager=bob)
    for weekday in range(5):
        OpeningHours.objects.create(
            resource=room, weekday=weekday, opens=datetime.time(8), closes=datetime.time(19)
        )
    AddOn.objects.create(resource=room, name="Café", price=Decimal("3.50"))
    return room


@pytest.fixture
def desks(site, bob):
    """A pool of three desks."""
    return make_resource(
        site, name="Plateau ouvert", kind=Resource.Kind.DESK, capacity=3, manager=bob
    )


@pytest.fixture
def aircraft(site, bob):
    """A paid aircraft (OpenFlyers)."""
    return make_resource(
        site, name="F-GABC", kind=Resource.Kind.AIRCRAFT, price=Decimal("150.00"), manager=bob
    )


@pytest.fixture
def boardroom(site, bob, remi):
    """Approval required: Rémi approves."""
    boardroom = make_resource(site, name="Salle du conseil", requires_approval=True, manager=bob)
    boardroom.approvers.add(remi)
    return boardroom


@pytest.fixture
def book(alice, frozen, on_commit):
    """Alice books `resource` (tomorrow 10:00–11:00 unless told), and the messages go out."""

    def booking(resource, start=TOMORROW_10, length=HOUR, **options):
        with on_commit():
            return services.book(
                options.pop("booker", alice), resource, start=start, end=start + length, **options
            )

    return booking


def emails_to(address):
    return [m for m in mail.outbox if any(address in to for to in m.to)]


def ics_of(message):
    """(Content-Type method, parsed calendar event) of the .ics attached to an email."""
    part = next(p for p in message.message().walk() if p.get_content_type() == "text/calendar")
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    return part.get_param("method"), next(iter(calendar.walk("VEVENT")))


def has_ics(message):
    return any(p.get_content_type() == "text/calendar" for p in message.message().walk())


def deliveries(code, **filters):
    return Delivery.objects.filter(event__code=code, **filters)


# Appointments (issue 21): a hair salon, Léa and Marc, three services, a public page.
# Tuesday 1 December 2026, 10:00 in Paris.
TUESDAY_10 = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
CLIENT = {"name": "Zoé Petit", "email": "zoe@example.test", "phone": "+33612345678"}


@pytest.fixture
def lea(organisation):
    return member(organisation, Role.STAFF, email="lea@example.test", display_name="Léa Martin")


@pytest.fixture
def marc(organisation):
    return member(organisation, email="marc@example.test", display_name="Marc Blanc")


def agenda_of(site, person, name):
    agenda = make_resource(site, name=name, kind=Resource.Kind.AGENDA, staff_member=person)
    for weekday in range(1, 6):  # Tuesday to Saturday, 09:00–18:00
        OpeningHours.objects.create(
            resource=agenda, weekday=weekday, opens=datetime.time(9), closes=datetime.time(18)
        )
    return agenda


@pytest.fixture
def salon(organisation, site, lea, marc):
    """Léa's and Marc's agendas; a cut (30 min + 10 min buffer), a colour (90 min), and a
    consultation that waits for acceptance; the page's owner & manager contacts."""
    page = BookingPage.objects.create(
        organisation=organisation,
        slug="salon-lea",
        manager_email="patron@example.test",
        manager_phone="+33699999999",
    )
    agendas = [agenda_of(site, lea, "Agenda de Léa"), agenda_of(site, marc, "Agenda de Marc")]
    cut = Service.objects.create(
        organisation=organisation,
        name="Coupe",
        duration_minutes=30,
        buffer_minutes=10,
        price=Decimal("35.00"),
    )
    colour = Service.objects.create(organisation=organisation, name="Couleur", duration_minutes=90)
    consult = Service.objects.create(
        organisation=organisation,
        name="Consultation",
        duration_minutes=30,
        requires_acceptance=True,
    )
    for service in (cut, colour, consult):
        service.agendas.set(agendas)
    return {
        "page": page,
        "lea": agendas[0],
        "marc": agendas[1],
        "cut": cut,
        "colour": colour,
        "consult": consult,
    }
