import datetime

import pytest
from django.utils import timezone

from notifications.models import Rule
from tests.testapp.models import Appointment


@pytest.fixture(autouse=True)
def only_the_rules_a_test_makes(db):
    """Shipped default rules would send alongside the rules each test builds."""
    Rule.objects.all().delete()


@pytest.fixture
def appointment_factory(organisation, alice):
    def make(**fields):
        fields.setdefault("start", datetime.datetime(2026, 12, 10, 9, 0, tzinfo=datetime.UTC))
        fields.setdefault("title", "Coupe")
        fields.setdefault("client", alice)
        return Appointment.objects.create(organisation=organisation, **fields)

    return make


@pytest.fixture
def emit_now(django_capture_on_commit_callbacks):
    """Emit as a domain app does, and run what waits for the commit (planning, sending)."""
    import notifications

    def emit(code, target, /, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return notifications.emit(code, target, **kwargs)

    return emit


@pytest.fixture
def plan_only(monkeypatch):
    """Plan events without sending: deliveries stay as planned, for inspection."""
    monkeypatch.setattr("notifications.outbox.queue_sends", lambda rows: None)


NOW = datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    assert timezone.now() == NOW
    return NOW
