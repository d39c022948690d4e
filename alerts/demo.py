"""Demo data for `make run`: two Quebec operators, three routes, 240 contracts whose people
are in every colour (received, pending, accepted, refused, STOP).

Contracts go through the services; the contact points' consent is written as ledger
records marked as a demo import (no 500 confirmation texts to the console), exactly as
the ledger would have it after requests and answers.
"""

from accounts.models import Membership, Organisation, Role
from alerts import services
from alerts.consent import purpose_of
from alerts.models import Company, ContactPoint, Contract, Occupant, Route, Service
from notifications.consent.ledger import record
from notifications.consent.models import ConsentRecord
from notifications.consent.state import phone_sender

Kind, Method = ConsentRecord.Kind, ConsentRecord.Method
COMPANIES = [
    ("Déneigement Boréal", "Laval", ["Nord", "Sud"], 160),
    ("Neige Express", "Longueuil", ["Vieux-Longueuil"], 80),
]
STREETS = ["rue des Érables", "rue du Lac", "boulevard des Pins", "rue Principale", "rue Cartier"]
FIRST = ["Alice", "Benoît", "Chloé", "Denis", "Émilie", "François", "Geneviève", "Hugo"]
LAST = ["Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie"]
# The colour each person's points end in, in turn: every state is on screen.
HOW = {"sms": Method.SMS, "email": Method.LINK, "voice": Method.PROVIDER}  # a reply, a link, a key
STATES = ["accepted", "accepted", "accepted", "pending", "received", "refused", "stop"]


def seed(demo):
    bob = demo.people["bob@relais.test"]
    number = iter(range(2_000_000, 9_000_000, 7))
    for name, city, route_names, count in COMPANIES:
        organisation, _ = Organisation.objects.get_or_create(
            name=name,
            defaults={
                "sending_mode": Organisation.SendingMode.PRODUCTION,
                "time_zone": "America/Toronto",
            },
        )
        Membership.objects.get_or_create(
            user=bob, organisation=organisation, defaults={"role": Role.MANAGER}
        )
        if Company.objects.filter(organisation=organisation).exists():
            continue
        company = Company.objects.create(
            organisation=organisation, name=name, time_zone="America/Toronto"
        )
        _contracts(company, city, route_names, count, bob, number)


def _contracts(company, city, route_names, count, bob, number):
    driveway = Service.objects.create(company=company, name="Entrée")
    Service.objects.create(company=company, name="Toiture")
    routes = [Route.objects.create(company=company, name=name) for name in route_names]
    for n in range(count):
        route = routes[n % len(routes)]
        contract = services.save_contract(
            Contract(
                company=company,
                number=f"{company.pk}-{n + 1:04d}",
                holder=_name(n),
                address=f"{10 + 2 * n}, {STREETS[n % len(STREETS)]}",
                city=city,
                route=route,
                position=n // len(routes) + 1,
                alerts_enabled=n % 23 != 0,  # a few switched off
            ),
            bob,
        )
        contract.services.add(driveway)
        # Every fifth property is rented: the tenant is told, not the holder.
        occupant = Occupant.objects.create(
            company=company,
            name=_name(n + 3 if n % 5 == 0 else n),
            language="en" if n % 9 == 0 else "fr",
        )
        occupant.contracts.add(contract)
        state = STATES[n % len(STATES)]
        phone = f"+1514{next(number):07d}"
        _point(company, occupant, "sms", phone, state, bob)
        if n % 2 == 0:
            email = f"{_name(n).lower().replace(' ', '.')}.{n}@example.org"
            _point(company, occupant, "email", email, state if state != "stop" else "accepted", bob)
        if n % 10 == 3:  # a landline to call, answered on the keypad
            _point(company, occupant, "voice", f"+1450{next(number):07d}", "accepted", bob)


def _point(company, occupant, method, address, state, bob):
    ContactPoint.objects.create(
        company=company, occupant=occupant, method=method, address=address, created_by=bob
    )
    common = {
        "channel": method,
        "address": address,
        "organisation": company.organisation,
        "purpose": purpose_of(company),
        "text": "Demo import",
    }
    if state == "received":
        return
    record(Kind.OPT_IN_REQUESTED, method=Method.SYSTEM, **common)
    if state in ("accepted", "stop"):
        record(Kind.OPT_IN_GIVEN, method=HOW[method], **common)
    elif state == "refused":
        record(Kind.OPT_IN_REFUSED, method=HOW[method], **common)
    if state == "stop":
        record(
            Kind.STOP, channel="sms", address=address, method=Method.SMS, keyword="STOP",
            text="STOP", sender=phone_sender(),
        )  # fmt: skip


def _name(n):
    return f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]}"
