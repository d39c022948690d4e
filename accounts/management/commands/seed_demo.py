"""Demo data for `make run`: safe to run again, it creates nothing twice.

This command makes the organisation, its site and its people; each domain app
adds its own demo objects in a `demo.py` with `seed(demo)` (found like events.py).
"""

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation
from django.utils.module_loading import module_has_submodule

from accounts.models import Membership, Organisation, Role, Site, User

DEMO_PASSWORD = "relais-demo"

# (email, display name, role or None for the platform superuser)
DEMO_PEOPLE = [
    ("admin@relais.test", "Admin Relais", None),
    ("bob@relais.test", "Bob Martin", Role.MANAGER),
    ("alice@relais.test", "Alice Durand", Role.OCCUPANT),
    ("chloe@relais.test", "Chloé Bernard", Role.OCCUPANT),
]


@dataclass
class Demo:
    """What the domain apps' demo seeds build on."""

    organisation: Organisation
    site: Site
    people: dict  # email -> User


class Command(BaseCommand):
    help = "Create (or refresh) the demo organisation, site and people, and print their logins."

    @transaction.atomic
    def handle(self, *args, **options):
        # Production mode: in development the channels only print, so nothing leaves anyway.
        organisation, _ = Organisation.objects.get_or_create(
            name="Résidence Les Tilleuls",
            defaults={"sending_mode": Organisation.SendingMode.PRODUCTION},
        )
        site, _ = Site.objects.get_or_create(
            organisation=organisation,
            name="Bâtiment A",
            defaults={"address": "12 rue des Tilleuls, 69003 Lyon"},
        )
        people = {}
        for email, name, role in DEMO_PEOPLE:
            people[email] = user = self._person(email, name, superuser=role is None)
            if role:
                Membership.objects.update_or_create(
                    user=user, organisation=organisation, defaults={"role": role}
                )
        self._seed_apps(Demo(organisation, site, people))
        self._print_logins()

    def _person(self, email, name, superuser):
        user, created = User.objects.get_or_create(email=email, defaults={"display_name": name})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_superuser = user.is_staff = superuser
            user.save()
        return user

    def _seed_apps(self, demo):
        for config in apps.get_app_configs():
            if module_has_submodule(config.module, "demo"):
                module = __import__(f"{config.name}.demo", fromlist=["seed"])
                module.seed(demo)

    @translation.override("en")
    def _print_logins(self):
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password: {DEMO_PASSWORD})"))
        for email, name, role in DEMO_PEOPLE:
            label = role.label if role else "platform administrator"
            self.stdout.write(f"  {email:<22} {name:<16} {label}")
        site = settings.SITE_URL
        self.stdout.write(f"  Back office: {site}/admin/  Portal: {site}/")
