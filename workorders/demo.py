"""Demo data for `make run`: a repair shop with orders in several statuses, two tasks and a
lead that did not answer, all made through the services (their messages included)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.management.commands.seed_demo import DEMO_PASSWORD
from accounts.models import Membership, Organisation, Role, User
from workorders import services
from workorders.models import Client, Lead, WorkOrder

SHOP = "Atelier Réparfix"


def seed(demo):
    shop, _ = Organisation.objects.get_or_create(
        name=SHOP, defaults={"sending_mode": Organisation.SendingMode.PRODUCTION}
    )
    if WorkOrder.objects.filter(organisation=shop).exists():
        return
    bob = demo.people["bob@relais.test"]
    Membership.objects.get_or_create(user=bob, organisation=shop, defaults={"role": Role.MANAGER})
    theo = _specialist(shop)
    statuses = {status.kind: status for status in services.ensure_statuses(shop)}
    claire, marc, julie = (
        services.save_client(Client(organisation=shop, **fields))
        for fields in (
            {"name": "Claire Petit", "email": "claire.petit@example.fr", "phone": "+33612345678"},
            {"name": "Marc Dubois", "phone": "+33698765432", "accepts_email": False},
            {"name": "Julie Morel", "email": "julie.morel@example.fr", "language": "en"},
        )
    )
    now = timezone.now()
    screen = services.open_order(
        shop,
        client=claire,
        asset="iPhone 12",
        serial_number="F2LZK1ABCD",
        malfunction="L’écran ne s’allume plus après une chute.",
        price=Decimal("189.00"),
        prepaid=Decimal("50.00"),
        due_at=now + datetime.timedelta(days=3),
        actor=bob,
    )
    services.assign_specialist(screen, theo, bob)
    washer = services.open_order(
        shop, client=marc, asset="Lave-linge Bosch Serie 6", malfunction="Ne vidange plus.",
        price=Decimal("95.00"), actor=bob,
    )  # fmt: skip
    services.assign_specialist(washer, theo, bob)
    services.change_status(washer, statuses["in_progress"], theo)
    laptop = services.open_order(
        shop, client=julie, asset="MacBook Air 2020", malfunction="Clavier\u00a0: touches mortes.",
        price=Decimal("240.00"), actor=bob,
    )  # fmt: skip
    services.change_status(laptop, statuses["ready"], theo)
    laptop.work_done = "Clavier remplacé, nettoyage interne."
    services.change_status(laptop, statuses["closed"], bob)
    tablet = services.open_order(
        shop, client=claire, asset="iPad Air", malfunction="Batterie faible.", actor=bob
    )
    services.change_status(tablet, statuses["ready"], theo)
    services.create_task(
        shop, bob, title="Commander un écran d’iPhone 12", assignees=[theo],
        due_at=now + datetime.timedelta(days=1), work_order=screen,
    )  # fmt: skip
    done = services.create_task(
        shop, bob, title="Rappeler le fournisseur de pièces", assignees=[theo]
    )
    services.complete_task(done, theo)
    prospect = services.save_client(
        Client(
            organisation=shop,
            name="Sophie Leroy",
            phone="+33611223344",
            email="sophie.leroy@example.fr",
        )  # fmt: skip
    )
    lead = services.create_lead(
        shop, client=prospect, actor=bob, source=Lead.Source.WEBSITE, responsible=theo,
        interest="Devis pour un écran de Samsung Galaxy S21",
    )  # fmt: skip
    services.record_no_answer(lead, theo, callback_at=now + datetime.timedelta(days=1))


def _specialist(shop):
    theo, created = User.objects.get_or_create(
        email="theo@relais.test", defaults={"display_name": "Théo Lambert"}
    )
    if created:
        theo.set_password(DEMO_PASSWORD)
        theo.save()
    Membership.objects.get_or_create(user=theo, organisation=shop, defaults={"role": Role.STAFF})
    return theo
