import pytest

from accounts.models import Role
from notifications.models import Delivery
from requests_center.models import Category
from tests.factories import SiteFactory, member


@pytest.fixture
def dominique(organisation):
    """Dominique is the site's default manager."""
    return member(
        organisation, Role.MANAGER, email="dominique@example.test", display_name="Dominique"
    )


@pytest.fixture
def site(organisation, dominique):
    return SiteFactory(organisation=organisation, name="Bâtiment A", default_manager=dominique)


@pytest.fixture
def plumbing(organisation, bob):
    """Bob handles plumbing."""
    category = Category.objects.create(organisation=organisation, name="Plomberie")
    category.managers.add(bob)
    return category


@pytest.fixture
def chloe(organisation):
    """Chloé lives next door to Alice."""
    return member(organisation, email="chloe@example.test", display_name="Chloé Bernard")


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what waits for the commit: planning and sending, eagerly."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def leak(alice, site, plumbing, on_commit):
    """Alice's request about a leak, as her managers received it."""
    from requests_center import services

    with on_commit():
        return services.submit(
            alice, site=site, category=plumbing, title="Fuite d'eau", description="Sous l'évier."
        )


def sent(event_code, channel=None):
    """(recipient email, channel, subject) of what left for an event, in a stable order."""
    deliveries = Delivery.objects.filter(event__code=event_code, status=Delivery.Status.SENT)
    if channel:
        deliveries = deliveries.filter(channel=channel)
    return sorted((d.user.email if d.user else d.address, d.channel, d.subject) for d in deliveries)
