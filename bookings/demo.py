"""Demo bookings for `make run`: a room, a desk pool, an aircraft in maintenance next week,
members' validities and a balance threshold, made through the services."""

import datetime
from decimal import Decimal

from django.utils import timezone

from bookings import demo_salon, services
from bookings.models import (
    Account,
    AddOn,
    BalanceThreshold,
    Maintenance,
    OpeningHours,
    Resource,
    Validity,
    ValidityType,
)


def seed(demo):
    organisation = demo.organisation
    demo_salon.seed(demo)
    if Resource.objects.filter(organisation=organisation).exists():
        return
    alice = demo.people["alice@relais.test"]
    bob = demo.people["bob@relais.test"]
    chloe = demo.people["chloe@relais.test"]
    zone = organisation.time_zone
    today = timezone.localtime(timezone.now(), zone).date()

    def at(day, hour):
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)

    def resource(**fields):
        return services.save_resource(
            Resource(organisation=organisation, site=demo.site, manager=bob, **fields), bob
        )

    room = resource(name="Salle Everest", description="10 places, écran")
    for weekday in range(5):
        OpeningHours.objects.create(
            resource=room, weekday=weekday, opens=datetime.time(8), closes=datetime.time(20)
        )
    AddOn.objects.create(resource=room, name="Café et viennoiseries", price=Decimal("4.50"))
    resource(
        name="Plateau ouvert",
        kind=Resource.Kind.DESK,
        capacity=8,
        auto_cancel_without_check_in=True,
    )
    aircraft = resource(name="F-GABC (DR400)", kind=Resource.Kind.AIRCRAFT, price=Decimal("150.00"))
    boardroom = resource(name="Salle du conseil", requires_approval=True)
    boardroom.approvers.add(bob)

    tomorrow = today + datetime.timedelta(days=1)
    services.book(
        alice,
        room,
        start=at(tomorrow, 10),
        end=at(tomorrow, 11),
        title="Point projet Atlas",
        participants=[{"user": chloe}],
    )
    services.book(chloe, boardroom, start=at(tomorrow, 14), end=at(tomorrow, 16), title="Bureau")
    next_week = today + datetime.timedelta(days=7)
    services.save_maintenance(
        Maintenance(
            resource=aircraft,
            start=at(next_week, 8),
            end=at(next_week + datetime.timedelta(days=2), 18),
            description="Visite des 50 heures",
        ),
        bob,
    )
    medical = ValidityType.objects.create(
        organisation=organisation,
        name="Certificat médical",
        kind=ValidityType.Kind.MEDICAL,
        lead_days=30,
        repeat_days=7,
        alerted_roles=["manager"],
    )
    licence = ValidityType.objects.create(
        organisation=organisation, name="Licence FFA", kind=ValidityType.Kind.LICENCE
    )
    services.save_validity(
        Validity(
            validity_type=medical, member=alice, expires_on=today + datetime.timedelta(days=20)
        ),
        bob,
    )
    services.save_validity(
        Validity(
            validity_type=licence, member=chloe, expires_on=today + datetime.timedelta(days=200)
        ),
        bob,
    )
    BalanceThreshold.objects.create(organisation=organisation, amount=Decimal("50.00"))
    account = Account.objects.create(organisation=organisation, member=alice)
    services.record_balance(account, Decimal("120.00"), bob)
