"""Demo visits for `make run`: one today with a visitor already in, one later this week."""

import datetime

from django.utils import timezone

from visitors import services
from visitors.models import Visit, Visitor


def seed(demo):
    if Visit.objects.filter(organisation=demo.organisation).exists():
        return
    alice = demo.people["alice@relais.test"]
    bob = demo.people["bob@relais.test"]
    chloe = demo.people["chloe@relais.test"]
    zone = demo.organisation.time_zone
    today = timezone.localtime(timezone.now(), zone).date()

    def at(day, hour, minute=0):
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)

    meeting = services.create_visit(
        alice,
        site=demo.site,
        start=at(today, 10),
        end=at(today, 11, 30),
        purpose="Réunion projet Atlas",
        co_hosts=[chloe],
        visitors=[
            {"name": "Claire Petit", "email": "claire.petit@atlas.test", "company": "Atlas SA"},
            {"name": "Marc Leroy", "email": "marc.leroy@atlas.test", "company": "Atlas SA"},
        ],
    )
    claire = meeting.visitors.get(name="Claire Petit")
    services.check_in(claire, Visitor.Source.RECEPTION, actor=bob)

    later = today + datetime.timedelta(days=3)
    services.create_visit(
        bob,
        site=demo.site,
        start=at(later, 14),
        end=at(later, 15),
        purpose="Audit chaufferie",
        visitors=[
            {
                "name": "John Smith",
                "email": "john.smith@boilers.test",
                "company": "Boilers Ltd",
                "language": "en",
            }
        ],
    )
