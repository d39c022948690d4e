"""One person's data spread over every app, beside another person's in the same rows.

Alice Durand lives in the Tilleuls residence: she declared a request, was invited to a visit,
booked a room, is told about snow removal and brought her phone in for repair. Carole Petit,
her neighbour, is in the same rows (a follower, a fellow visitor, a participant, a contract's
holder); Bob Martin manages the residence; Denis, a guest without an account, joins a booking.
"""

import datetime

import pytest
from axes.models import AccessFailureLog

from accounts.models import Role
from alerts.models import Company, ContactPoint, Contract, Occupant, Route
from bookings.models import Booking, Participant, Resource
from notifications.consent.ledger import record
from notifications.consent.models import ConsentRecord
from notifications.consent.state import phone_sender
from notifications.models import Delivery, Device, Event, Preference
from notifications.recipients import Recipient
from requests_center.models import Comment, Request
from tests.factories import SiteFactory, member
from visitors.models import Visit, Visitor
from workorders import services as workorders
from workorders.models import Client, WorkOrder

NOW = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)
ALICE_PHONE, CAROLE_PHONE = "+33611111111", "+33622222222"
# What must never be in Alice's archive, and what must not be left once she is erased.
OTHERS = ["Carole Petit", "carole@example.test", CAROLE_PHONE, "Bob Martin", "bob@example.test"]
OTHERS += ["Denis Roux", "denis@example.test", "06 22 22 22 22"]
ALICE = ["Alice Durand", "alice@example.test", ALICE_PHONE, "06 11 11 11 11"]


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def carole(organisation):
    return member(
        organisation, email="carole@example.test", display_name="Carole Petit", phone=CAROLE_PHONE
    )


@pytest.fixture
def world(frozen, organisation, alice, bob, carole, settings):
    """Every app's rows about Alice, most of them naming Carole or Bob too."""
    settings.TWILIO_SMS_FROM = "+33700000000"
    alice.phone = ALICE_PHONE
    alice.save()
    site = SiteFactory(organisation=organisation, name="Bâtiment A")
    rows = {"site": site}
    rows["request"] = request = Request.objects.create(
        organisation=organisation,
        site=site,
        declarant=alice,
        assigned_to=bob,
        title="Fuite chez Alice Durand",
        description=f"Le radiateur fuit, rappeler au {ALICE_PHONE}.",
    )
    request.followers.add(carole)
    Comment.objects.create(
        request=request, author=bob, body="Bob Martin passe demain avec Carole Petit."
    )
    Comment.objects.create(request=request, author=alice, body="Merci, je serai là.")
    rows["visit"] = visit = Visit.objects.create(
        organisation=organisation,
        site=site,
        host=bob,
        start=NOW + datetime.timedelta(days=3),
        end=NOW + datetime.timedelta(days=3, hours=1),
        purpose="Visite de l'appartement",
    )
    Visitor.objects.create(
        visit=visit, name="Alice Durand", email="Alice@Example.test", phone=ALICE_PHONE
    )
    Visitor.objects.create(visit=visit, name="Carole Petit", email="carole@example.test")
    room = Resource.objects.create(organisation=organisation, site=site, name="Salle Everest")
    rows["booking"] = booking = Booking.objects.create(
        organisation=organisation,
        resource=room,
        booker=alice,
        title="Réunion des voisins",
        start=NOW + datetime.timedelta(days=1),
        end=NOW + datetime.timedelta(days=1, hours=1),
    )
    Participant.objects.create(booking=booking, user=alice, is_booker=True)
    Participant.objects.create(booking=booking, user=carole)
    Participant.objects.create(booking=booking, name="Denis Roux", email="denis@example.test")
    caroles = Booking.objects.create(
        organisation=organisation,
        resource=room,
        booker=carole,
        start=NOW + datetime.timedelta(days=2),
        end=NOW + datetime.timedelta(days=2, hours=1),
    )
    Participant.objects.create(booking=caroles, user=carole, is_booker=True)
    rows["guest"] = Participant.objects.create(
        booking=caroles, name="Alice D.", email="alice@example.test", phone=ALICE_PHONE
    )
    company = Company.objects.create(organisation=organisation, name="Déneigement des Tilleuls")
    route = Route.objects.create(company=company, name="Nord")
    contract = Contract.objects.create(
        company=company, number="C-1", holder="Carole Petit", address="12, rue des Tilleuls",
        city="Lyon", route=route, position=1,
    )  # fmt: skip
    rows["occupant"] = occupant = Occupant.objects.create(company=company, name="Alice Durand")
    occupant.contracts.add(contract)
    ContactPoint.objects.create(
        company=company, occupant=occupant, method="sms", address=ALICE_PHONE
    )
    carole_occupant = Occupant.objects.create(company=company, name="Carole Petit")
    carole_occupant.contracts.add(contract)
    ContactPoint.objects.create(
        company=company, occupant=carole_occupant, method="sms", address=CAROLE_PHONE
    )
    statuses = workorders.ensure_statuses(organisation)
    rows["client"] = client = Client.objects.create(
        organisation=organisation,
        name="Alice Durand",
        email="alice@example.test",
        phone=ALICE_PHONE,
    )
    rows["order"] = WorkOrder.objects.create(
        organisation=organisation,
        client=client,
        status=statuses[0],
        manager=bob,
        asset="Téléphone",
        malfunction="Écran cassé ; Alice Durand laisse le code à Bob Martin, au 06 11 11 11 11.",
    )
    rows["to_alice"] = message(
        alice,
        f"Bonjour Alice Durand, Bob Martin ({bob.email}) vous attend ; Carole : 06 22 22 22 22.",
    )
    rows["to_carole"] = message(carole, "Bonjour Carole Petit, votre code est 1234.")
    sms = {"channel": "sms", "method": ConsentRecord.Method.SMS, "sender": phone_sender()}
    record(ConsentRecord.Kind.STOP, address=ALICE_PHONE, text="STOP", **sms)
    record(
        ConsentRecord.Kind.PREFERENCE, channel="email", method="page", user=alice,
        group="requests", enabled=False, text="Demandes : e-mail désactivé",
    )  # fmt: skip
    Device.objects.create(user=alice, token="token-alice", platform="android", name="Pixel")
    for person, address in ((alice, "203.0.113.5"), (carole, "198.51.100.7")):
        AccessFailureLog.objects.create(
            username=person.email, ip_address=address, user_agent="Firefox", path_info="/login/",
            attempt_time=NOW, locked_out=False,
        )  # fmt: skip
    assert Preference.objects.filter(user=alice).exists()
    return rows


def message(person, body):
    """A delivery sent to `person` by email, its text as given."""
    event = Event.objects.create(
        code="testapp.booked", organisation=person.memberships.first().organisation
    )
    delivery = Delivery.to(
        Recipient.from_user(person),
        event=event,
        channel="email",
        address=person.email,
        priority="default",
        dedupe_key=f"{event.pk}:{person.pk}",
        status=Delivery.Status.DELIVERED,
        send_at=NOW,
        subject="Votre demande",
        body=body,
    )
    delivery.save()
    return delivery


@pytest.fixture
def root():
    from tests.factories import UserFactory

    return UserFactory(email="root@example.test", is_staff=True, is_superuser=True)


@pytest.fixture
def manager_of(organisation):
    def make(*organisations, email="mona@example.test"):
        person = member(organisations[0], Role.MANAGER, email=email, display_name="Mona Lisa")
        for other in organisations[1:]:
            person.memberships.create(organisation=other, role=Role.MANAGER)
        return person

    return make
