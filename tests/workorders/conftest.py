"""A repair shop: Bob manages it, Théo repairs, Claire is a client without an account."""

import pytest
from django.core.cache import cache

from accounts.models import Organisation, Role
from notifications.models import Delivery
from tests.factories import OrganisationFactory, member
from workorders import services
from workorders.models import Client


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """The status page counts wrong links in the cache, which outlives a test's transaction."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def shop(db):
    return OrganisationFactory(
        name="Atelier Réparfix", sending_mode=Organisation.SendingMode.PRODUCTION
    )


@pytest.fixture
def bob(shop):
    """Bob manages the shop."""
    return member(shop, Role.MANAGER, email="bob@example.test", display_name="Bob Martin")


@pytest.fixture
def theo(shop):
    """Théo repairs: the shop's specialist."""
    return member(shop, Role.STAFF, email="theo@example.test", display_name="Théo Lambert")


@pytest.fixture
def claire(shop):
    """Claire brought her phone in; she has no account, only an email address and a mobile."""
    return services.save_client(
        Client(
            organisation=shop,
            name="Claire Petit",
            email="claire.petit@example.fr",
            phone="+33612345678",
        )
    )


@pytest.fixture
def statuses(shop):
    """The shop's statuses by kind: Nouveau, En cours, Prêt, Fermé."""
    return {status.kind: status for status in services.ensure_statuses(shop)}


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what waits for the commit: planning and sending, eagerly."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def phone_order(shop, claire, bob, statuses, on_commit):
    """Claire's iPhone, registered by Bob."""
    from decimal import Decimal

    with on_commit():
        return services.open_order(
            shop,
            client=claire,
            asset="iPhone 12",
            serial_number="F2LZK1ABCD",
            malfunction="L’écran ne s’allume plus.",
            price=Decimal("189.00"),
            prepaid=Decimal("50.00"),
            actor=bob,
        )


def sent(event_code, channel=None):
    """(address, channel, subject) of what left for an event, in a stable order."""
    deliveries = Delivery.objects.filter(event__code=event_code, status=Delivery.Status.SENT)
    if channel:
        deliveries = deliveries.filter(channel=channel)
    return sorted((d.address, d.channel, d.subject) for d in deliveries)
