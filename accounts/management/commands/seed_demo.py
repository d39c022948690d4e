"""Demo data for `make run`: safe to run again, it creates nothing twice."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

from accounts.models import Membership, Organisation, Role, Site, User

DEMO_PASSWORD = "relais-demo"

# (email, display name, role or None for the platform superuser)
DEMO_PEOPLE = [
    ("admin@relais.test", "Admin Relais", None),
    ("bob@relais.test", "Bob Martin", Role.MANAGER),
    ("alice@relais.test", "Alice Durand", Role.OCCUPANT),
    ("chloe@relais.test", "Chloé Bernard", Role.OCCUPANT),
]


class Command(BaseCommand):
    help = "Create (or refresh) the demo organisation, site and people, and print their logins."

    @transaction.atomic
    def handle(self, *args, **options):
        # Production mode: in development the channels only print, so nothing leaves anyway.
        organisation, _ = Organisation.objects.get_or_create(
            name="Résidence Les Tilleuls",
            defaults={"sending_mode": Organisation.SendingMode.PRODUCTION},
        )
        Site.objects.get_or_create(
            organisation=organisation,
            name="Bâtiment A",
            defaults={"address": "12 rue des Tilleuls, 69003 Lyon"},
        )
        for email, name, role in DEMO_PEOPLE:
            user = self._person(email, name, superuser=role is None)
            if role:
                Membership.objects.update_or_create(
                    user=user, organisation=organisation, defaults={"role": role}
                )
        self._print_logins()

    def _person(self, email, name, superuser):
        user, created = User.objects.get_or_create(email=email, defaults={"display_name": name})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_superuser = user.is_staff = superuser
            user.save()
        return user

    @translation.override("en")
    def _print_logins(self):
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password: {DEMO_PASSWORD})"))
        for email, name, role in DEMO_PEOPLE:
            label = role.label if role else "platform administrator"
            self.stdout.write(f"  {email:<22} {name:<16} {label}")
        self.stdout.write(
            "  Back office: http://127.0.0.1:8000/admin/  Portal: http://127.0.0.1:8000/"
        )
