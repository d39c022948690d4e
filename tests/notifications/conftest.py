import datetime

import pytest

from accounts.models import Organisation
from notifications.models import Rule
from tests.testapp.models import Appointment


@pytest.fixture(autouse=True)
def only_the_rules_a_test_makes(db):
    """Shipped default rules would send alongside the rules each test builds."""
    Rule.objects.all().delete()


@pytest.fixture
def organisation(organisation):
    organisation.sending_mode = Organisation.SendingMode.PRODUCTION
    organisation.save()
    return organisation


@pytest.fixture
def appointment_factory(organisation, alice):
    def make(**fields):
        fields.setdefault("start", datetime.datetime(2026, 12, 10, 9, 0, tzinfo=datetime.UTC))
        fields.setdefault("title", "Coupe")
        fields.setdefault("client", alice)
        return Appointment.objects.create(organisation=organisation, **fields)

    return make
