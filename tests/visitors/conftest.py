import datetime

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from notifications.models import Delivery
from tests.factories import SiteFactory, member
from visitors import services

# Monday 30 November 2026, 08:00 in Paris.
NOW = datetime.datetime(2026, 11, 30, 7, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def site(organisation):
    return SiteFactory(
        organisation=organisation, name="Bâtiment A", address="12 rue des Tilleuls, 69003 Lyon"
    )


@pytest.fixture
def chloe(organisation):
    """Chloé co-hosts Alice's visits."""
    return member(organisation, email="chloe@example.test", display_name="Chloé Bernard")


@pytest.fixture
def reception(organisation):
    """Rémi keeps the front desk: a manager of the residence."""
    return member(organisation, Role.MANAGER, email="remi@example.test", display_name="Rémi")


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what waits for the commit: planning and sending, eagerly."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


CLAIRE = {"name": "Claire Petit", "email": "claire@atlas.test", "company": "Atlas SA"}
JOHN = {"name": "John Smith", "email": "john@boilers.test", "language": "en"}


@pytest.fixture
def plan_visit(alice, site, chloe, frozen, on_commit):
    """Alice plans a visit `ahead` from now, Chloé co-hosting, and the invitations go out."""

    def plan(ahead=72 * HOUR, visitors=(CLAIRE,), length=HOUR):
        with on_commit():
            return services.create_visit(
                alice,
                site=site,
                start=timezone.now() + ahead,
                end=timezone.now() + ahead + length,
                purpose="Réunion projet Atlas",
                co_hosts=[chloe],
                visitors=[dict(v) for v in visitors],
            )

    return plan


@pytest.fixture
def visit(plan_visit):
    return plan_visit()


def emails_to(address):
    return [m for m in mail.outbox if any(address in to for to in m.to)]


def ics_of(message):
    """(Content-Type method, parsed calendar) of the .ics attached to an email."""
    part = next(p for p in message.message().walk() if p.get_content_type() == "text/calendar")
    return part.get_param("method"), icalendar.Calendar.from_ical(part.get_payload(decode=True))


def event_of(calendar):
    return next(iter(calendar.walk("VEVENT")))


def deliveries(code, **filters):
    return Delivery.objects.filter(event__code=code, **filters)
