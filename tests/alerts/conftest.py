"""Déneigement Boréal, a Quebec operator: Bob manages it; route Nord has three contracts.

Alice lives at 12, rue des Érables and is told by SMS and email; Carl next door by SMS.
The clock stands at noon in Montréal unless a test moves it.
"""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.cache import cache

from accounts.models import Organisation, Role
from alerts import services
from alerts.models import Company, Contract, Occupant, Route, Service
from notifications.models import Delivery
from tests.factories import OrganisationFactory, member
from tests.notifications.test_channels import signed_post

MONTREAL = zoneinfo.ZoneInfo("America/Toronto")
NOON = datetime.datetime(2026, 12, 10, 12, 0, tzinfo=MONTREAL)
ALICE_MOBILE, CARL_MOBILE, DORA_MOBILE = "+15142345678", "+15142345679", "+15142345680"


@pytest.fixture(autouse=True)
def noon():
    cache.clear()  # rate limits of the signed pages
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller
    cache.clear()


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what waits for the commit: planning and sending, eagerly."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def boreal(db):
    organisation = OrganisationFactory(
        name="Déneigement Boréal", sending_mode=Organisation.SendingMode.PRODUCTION,
        time_zone="America/Toronto",
    )  # fmt: skip
    return Company.objects.create(
        organisation=organisation, name="Déneigement Boréal", time_zone="America/Toronto"
    )


@pytest.fixture
def bob(boreal):
    return member(boreal.organisation, Role.MANAGER, email="bob@example.test", display_name="Bob")


@pytest.fixture
def nord(boreal):
    return Route.objects.create(company=boreal, name="Nord")


def make_contract(company, route, position, address, **fields):
    service, _ = Service.objects.get_or_create(company=company, name="Entrée")
    contract = Contract.objects.create(
        company=company,
        number=f"C-{company.pk}-{position}-{Contract.objects.count()}",
        holder=fields.pop("holder", "Titulaire"),
        address=address,
        city=fields.pop("city", "Laval"),
        route=route,
        position=position,
        **fields,
    )
    contract.services.add(service)
    return contract


def make_occupant(company, name, *contracts, language="fr"):
    occupant = Occupant.objects.create(company=company, name=name, language=language)
    occupant.contracts.add(*contracts)
    return occupant


def reply(client, number, text):
    return signed_post(client, "notifications:twilio_inbound", {"From": number, "Body": text})


@pytest.fixture
def contracts(boreal, nord):
    return [
        make_contract(boreal, nord, 1, "12, rue des Érables"),
        make_contract(boreal, nord, 2, "14, rue des Érables"),
        make_contract(boreal, nord, 3, "16, rue des Érables"),
    ]


@pytest.fixture
def alice(boreal, contracts):
    return make_occupant(boreal, "Alice Tremblay", contracts[0])


@pytest.fixture
def carl(boreal, contracts):
    return make_occupant(boreal, "Carl Gagnon", contracts[1])


@pytest.fixture
def dora(boreal, contracts):
    return make_occupant(boreal, "Dora Roy", contracts[2], language="en")


def confirm_sms(client, occupant, number, on_commit, bob=None):
    """Add a mobile number and answer OUI: the point is green."""
    with on_commit():
        point = services.add_contact_point(occupant, "sms", number, bob)
    reply(client, number, "oui")
    return point


def sent_to(fake_provider, kind, address):
    key = {"sms": "To", "call": "To"}.get(kind)
    if key:
        return [r.body for r in fake_provider.sent(kind) if r.body[key] == address]
    return [r.body for r in fake_provider.sent("email") if r.body["to"][0]["email"] == address]


def alerts_of(batch):
    return Delivery.objects.filter(batch=batch).order_by("pk")
