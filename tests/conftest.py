import pytest

from accounts.models import Role
from tests.factories import OrganisationFactory, SiteFactory, member


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Résidence Les Tilleuls")


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Parc Horizon")


@pytest.fixture
def site(organisation):
    return SiteFactory(organisation=organisation, name="Bâtiment A")


@pytest.fixture
def bob(organisation):
    """Bob manages the Tilleuls residence."""
    return member(organisation, Role.MANAGER, email="bob@example.test", display_name="Bob Martin")


@pytest.fixture
def alice(organisation):
    """Alice lives in the Tilleuls residence."""
    return member(organisation, email="alice@example.test", display_name="Alice Durand")
