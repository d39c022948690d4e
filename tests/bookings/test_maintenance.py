"""B-14: maintenance start and end reach the people booked then, those who turned maintenance
emails on, and subscribed managers."""

import pytest
from django.core import mail

from bookings import services
from bookings.models import Maintenance, Subscription
from tests.bookings.conftest import HOUR, TOMORROW_10, emails_to
from tests.factories import member

pytestmark = pytest.mark.django_db


def test_b14_a_maintenance_is_announced_to_those_concerned_and_its_end_too(
    book, room, alice, chloe, bob, remi, on_commit
):
    book(room)  # Alice, tomorrow 10:00
    book(room, start=TOMORROW_10 + 24 * HOUR, booker=chloe)  # the day after: not concerned
    watcher = member(room.organisation, email="watcher@example.test")
    services.subscribe(watcher, room.organisation, Subscription.Topic.MAINTENANCE)
    services.subscribe(bob, room.organisation, Subscription.Topic.EVERY_BOOKING)
    mail.outbox.clear()
    with on_commit():
        maintenance = services.save_maintenance(
            Maintenance(
                resource=room,
                start=TOMORROW_10 - HOUR,
                end=TOMORROW_10 + 2 * HOUR,
                description="Peinture",
            ),
            remi,
        )
    told = sorted(m.to[0].split("<")[-1].rstrip(">") for m in mail.outbox)
    assert told == ["alice@example.test", "bob@example.test", "watcher@example.test"]
    [to_alice] = emails_to(alice.email)
    assert to_alice.subject == "Maintenance\u00a0: Salle Everest indisponible du 1 décembre 2026"
    assert "du mardi 1 décembre 2026 à 09:00 au mardi 1 décembre 2026 à 12:00" in to_alice.body
    mail.outbox.clear()
    with on_commit():
        assert services.end_maintenance(maintenance, remi)
        assert not services.end_maintenance(maintenance, remi)
    assert [m.subject for m in emails_to("watcher@example.test")] == [
        "Fin de maintenance\u00a0: Salle Everest de nouveau disponible"
    ]


def test_b14_a_subscriber_of_only_their_resources_hears_nothing_of_others(
    room, site, bob, on_commit
):
    from tests.bookings.conftest import make_resource

    other = make_resource(site, name="Atelier")
    services.subscribe(bob, room.organisation, Subscription.Topic.MAINTENANCE, only_supervised=True)
    with on_commit():
        services.save_maintenance(
            Maintenance(resource=other, start=TOMORROW_10, end=TOMORROW_10 + HOUR), None
        )
        services.save_maintenance(
            Maintenance(resource=room, start=TOMORROW_10, end=TOMORROW_10 + HOUR), None
        )
    assert [m.subject for m in emails_to(bob.email)] == [
        "Maintenance\u00a0: Salle Everest indisponible du 1 décembre 2026"
    ]
