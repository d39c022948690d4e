"""Demo requests for `make run`: a new user sees the product working at once."""

from requests_center import services
from requests_center.models import Category, Request


def seed(demo):
    if Request.objects.filter(organisation=demo.organisation).exists():
        return
    bob = demo.people["bob@relais.test"]
    alice = demo.people["alice@relais.test"]
    chloe = demo.people["chloe@relais.test"]
    demo.site.default_manager = bob
    demo.site.save(update_fields=["default_manager"])
    plumbing, heating, common = (
        Category.objects.get_or_create(organisation=demo.organisation, name=name)[0]
        for name in ("Plomberie", "Chauffage", "Parties communes")
    )
    plumbing.managers.add(bob)
    heating.managers.add(bob)

    leak = services.submit(
        alice,
        site=demo.site,
        category=plumbing,
        title="Fuite sous l'évier",
        description="L'eau coule sous l'évier de la cuisine depuis ce matin.",
    )
    services.update(leak, bob, assigned_to=bob, status=Request.Status.IN_PROGRESS)
    services.comment(leak, bob, "Le plombier passe demain entre 9 h et 11 h.")
    services.comment(leak, bob, "Devis demandé à Plomberie Martin.", internal=True)

    cold = services.submit(
        chloe,
        site=demo.site,
        category=heating,
        title="Radiateur froid",
        description="Le radiateur du salon reste froid.",
    )
    services.follow(cold, alice)

    services.submit(
        alice,
        site=demo.site,
        category=common,
        title="Ampoule grillée dans le hall",
        description="L'ampoule près des boîtes aux lettres ne s'allume plus.",
    )
