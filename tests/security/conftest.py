"""Two organisations for the attacks of the security tests (SPEC P-3).

Everything of the first, the Tilleuls residence, carries MARK: its name, sites,
categories, people, requests, comments, visits, visitors, rules, messages,
suppressions and devices. Whoever is not one of its managers must never read it.
Two people belong to both: Victor manages the Tilleuls and lives at Parc Horizon;
Root, a superuser, lives at Parc Horizon.
"""

import datetime
import logging
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Membership, Organisation, Role
from bookings import services as bookings
from bookings.models import Account, Maintenance, Resource, Subscription, Validity, ValidityType
from notifications import manual
from notifications.consent.ledger import record
from notifications.consent.models import (
    ConsentRecord,
    ContactConsent,
)
from notifications.models import (
    Channel,
    Device,
    ManualAttachment,
    Preference,
    RecapSchedule,
    Suppression,
)
from notifications.recaps import recap_codes
from requests_center import services as requests
from requests_center.models import Category
from tests.factories import OrganisationFactory, RuleFactory, SiteFactory, UserFactory, member
from visitors import services as visits
from visitors.models import Visitor
from workorders import services as workorders
from workorders.models import Client, WorkOrderStatus

MARK = "qzmarkq"  # in lower case: emails are compared as the pages show them
# A search finds the marked rows, and a page that repeats the search does not show MARK.
SEARCH = MARK[1:-1]
# Monday 30 November 2026, 09:00 in Paris: the visits are today's, as reception sees them.
NOW = datetime.datetime(2026, 11, 30, 8, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


def _marked_organisation():
    tilleuls = OrganisationFactory(
        name=f"Résidence {MARK}", sending_mode=Organisation.SendingMode.PRODUCTION
    )
    people = SimpleNamespace(
        tilleuls=tilleuls,
        site=SiteFactory(organisation=tilleuls, name=f"Bâtiment {MARK}", address=f"1 rue {MARK}"),
        bob=member(
            tilleuls, Role.MANAGER, email=f"bob.{MARK}@example.test", display_name=f"Bob {MARK}"
        ),
        alice=member(tilleuls, email=f"alice.{MARK}@example.test", display_name=f"Alice {MARK}"),
    )
    people.category = Category.objects.create(organisation=tilleuls, name=f"Plomberie {MARK}")
    people.category.managers.add(people.bob)
    return people


def _marked_activity(a, on_commit):
    """What the Tilleuls' people did, through the services, as the portal and admin do."""
    with on_commit():
        a.request = requests.submit(
            a.alice,
            site=a.site,
            category=a.category,
            title=f"Fuite {MARK}",
            description=f"Sous l'évier {MARK}.",
        )
        requests.update(a.request, a.bob, assigned_to=a.bob)
        requests.comment(
            a.request,
            a.bob,
            f"Plombier demain {MARK}.",
            attachment=SimpleUploadedFile(f"devis-{MARK}.pdf", b"%PDF-1.4"),
        )
        requests.comment(a.request, a.bob, f"Note interne {MARK}.", internal=True)
        a.visit = visits.create_visit(
            a.alice,
            site=a.site,
            start=NOW + 2 * HOUR,
            end=NOW + 3 * HOUR,
            purpose=f"Réunion {MARK}",
            visitors=[
                {
                    "name": f"Claire {MARK}",
                    "email": f"claire.{MARK}@atlas.test",
                    "company": f"Atlas {MARK}",
                }
            ],
        )
        a.visitor = a.visit.visitors.get()
        visits.check_in(a.visitor, Visitor.Source.RECEPTION, actor=a.bob)
        a.message = manual.send(
            target=a.request,
            person=a.alice,
            channel=Channel.INAPP,
            subject="",
            body=f"Le plombier passe {MARK}.",
            sender=a.bob,
            organisation=a.tilleuls,
        )
    a.document = ManualAttachment.objects.create(
        event=a.message.event,
        file=SimpleUploadedFile(f"plan-{MARK}.pdf", b"%PDF-1.4"),
        original_name=f"plan-{MARK}.pdf",
    )
    a.attachment = a.request.attachments.get()
    _marked_bookings(a, on_commit)
    _marked_workshop(a, on_commit)
    _marked_snow_alerts(a, on_commit)
    a.rule = RuleFactory(organisation=a.tilleuls, name=f"Règle {MARK}")
    a.recap = RecapSchedule.objects.create(
        organisation=a.tilleuls, event_code=recap_codes()[0], send_time=datetime.time(7)
    )
    a.suppression = Suppression.objects.create(
        channel=Channel.EMAIL,
        address=a.alice.email,
        reason=Suppression.Reason.MANUAL,
        detail=f"Demande {MARK}",
    )
    a.device = Device.objects.create(
        user=a.alice, token=f"token-{MARK}", platform=Device.Platform.WEB, name=f"Tablette {MARK}"
    )
    a.preference = Preference.objects.create(
        user=a.alice, group="requests", channel=Channel.SMS, enabled=False
    )
    # Her word on the alerts of the Tilleuls, on the consent ledger (SPEC N-20).
    a.consent_record, _changed = record(
        ConsentRecord.Kind.OPT_IN_GIVEN,
        channel=Channel.SMS,
        address="+33611223344",
        method=ConsentRecord.Method.PAGE,
        organisation=a.tilleuls,
        user=a.alice,
        purpose="alerts",
        text=f"J’accepte les alertes {MARK}",
    )
    a.contact_consent = ContactConsent.objects.get(record=a.consent_record)


def _marked_bookings(a, on_commit):
    """A room, a booking with a guest, a maintenance, a validity, an account, a subscription."""
    a.resource = bookings.save_resource(
        Resource(organisation=a.tilleuls, site=a.site, name=f"Salle {MARK}", manager=a.bob), a.bob
    )
    with on_commit():
        a.booking = bookings.book(
            a.alice,
            a.resource,
            start=NOW + 4 * HOUR,
            end=NOW + 5 * HOUR,
            title=f"Réunion {MARK}",
            participants=[{"email": f"guest.{MARK}@atlas.test", "name": f"Guest {MARK}"}],
        )
        a.maintenance = bookings.save_maintenance(
            Maintenance(
                resource=a.resource,
                start=NOW + 48 * HOUR,
                end=NOW + 50 * HOUR,
                description=f"Peinture {MARK}",
            ),
            a.bob,
        )
    a.participant = a.booking.participants.get(is_booker=False)
    kind = ValidityType.objects.create(organisation=a.tilleuls, name=f"Licence {MARK}")
    a.validity = Validity.objects.create(
        organisation=a.tilleuls, member=a.alice, validity_type=kind, expires_on=NOW.date()
    )
    a.account = Account.objects.create(organisation=a.tilleuls, member=a.alice)
    a.subscription = bookings.subscribe(a.bob, a.tilleuls, Subscription.Topic.MAINTENANCE)


def _marked_workshop(a, on_commit):
    """The Tilleuls' repair desk too: a client, a status with its trigger, an order, a task
    and a lead (SPEC R-8 … R-10)."""
    a.shop_client = workorders.save_client(
        Client(
            organisation=a.tilleuls,
            name=f"Claire {MARK}",
            email=f"claire.{MARK}@example.fr",
            phone="+33612345678",
        )  # fmt: skip
    )
    a.status = workorders.save_status(
        WorkOrderStatus(organisation=a.tilleuls, name=f"Attente {MARK}", kind="waiting")
    )
    a.trigger_rule = workorders.add_trigger(
        a.status, role="client", channels=["email"], subject=f"Attente {MARK}",
        body=f"Pièce commandée {MARK}.", language="fr",
    )  # fmt: skip
    with on_commit():
        a.order = workorders.open_order(
            a.tilleuls, client=a.shop_client, asset=f"iPhone {MARK}", malfunction=f"Écran {MARK}",
            actor=a.bob,
        )  # fmt: skip
        workorders.change_status(a.order, a.status, a.bob)
        a.task = workorders.create_task(
            a.tilleuls, a.bob, title=f"Tâche {MARK}", assignees=[a.alice]
        )
        a.lead = workorders.create_lead(
            a.tilleuls, client=a.shop_client, actor=a.bob, interest=f"Devis {MARK}"
        )


def _marked_snow_alerts(a, on_commit):
    """The Tilleuls' snow removal too: a company, a route, a contract, the person to alert,
    their confirmed number, a run with its stop, and a broadcast (SPEC A-1…A-10)."""
    from alerts import services as alerts
    from alerts.models import Company, Contract, Occupant, Route, Service

    a.company = Company.objects.create(
        organisation=a.tilleuls, name=f"Déneigement {MARK}", time_zone="Europe/Paris"
    )
    a.route = Route.objects.create(company=a.company, name=f"Route {MARK}")
    a.contract = alerts.save_contract(
        Contract(company=a.company, number=f"C-{MARK}", holder=f"Titulaire {MARK}",
                 address=f"12 rue {MARK}", city="Laval", route=a.route, position=1),
        a.bob,
    )  # fmt: skip
    a.contract.services.add(Service.objects.create(company=a.company, name=f"Entrée {MARK}"))
    a.occupant = Occupant.objects.create(company=a.company, name=f"Occupant {MARK}")
    a.occupant.contracts.add(a.contract)
    with on_commit():
        a.contact_point = alerts.add_contact_point(
            a.occupant, "email", f"neige.{MARK}@example.test", a.bob
        )
    alerts.answer_by_link(a.contact_point, True, "Oui", "/alerts/c/x/")
    with on_commit():
        a.run = alerts.start_run(a.route, a.bob, mode="buffer", buffer_size=1)
        a.broadcast = alerts.send_broadcast(a.company, f"Tempête {MARK}", {}, a.bob)
    a.stop = a.run.stops.get()


def _other_organisation(a, on_commit):
    horizon = OrganisationFactory(name="Parc Horizon")
    b = SimpleNamespace(horizon=horizon, site=SiteFactory(organisation=horizon, name="Tour H"))
    b.carol = member(horizon, Role.MANAGER, email="carol@example.test", display_name="Carol")
    b.olivier = member(horizon, email="olivier@example.test", display_name="Olivier")
    b.category = Category.objects.create(organisation=horizon, name="Ascenseur")
    b.category.managers.add(b.carol)
    # The two people in both organisations (unmarked: Parc Horizon may see them as members).
    b.victor = member(a.tilleuls, Role.MANAGER, email="victor@example.test", display_name="Victor")
    Membership.objects.create(user=b.victor, organisation=horizon, role=Role.OCCUPANT)
    b.root = UserFactory(
        email="root@example.test", display_name="Root", is_staff=True, is_superuser=True
    )
    Membership.objects.create(user=b.root, organisation=horizon, role=Role.OCCUPANT)
    with on_commit():
        b.request = requests.submit(
            b.olivier,
            site=b.site,
            category=b.category,
            title="Ascenseur en panne",
            description="Depuis hier.",
        )
        b.visit = visits.create_visit(
            b.olivier,
            site=b.site,
            start=NOW + 2 * HOUR,
            end=NOW + 3 * HOUR,
            purpose="Visite",
            visitors=[{"name": "Paul", "email": "paul@example.test"}],
        )
    return b


@pytest.fixture
def quiet():
    """The crawl is refused hundreds of times on purpose: no warning for each."""
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


@pytest.fixture
def world(db, time_machine, settings, tmp_path, django_capture_on_commit_callbacks):
    """The marked Tilleuls (`world.a`) and Parc Horizon (`world.b`), at NOW."""
    settings.MEDIA_ROOT = tmp_path
    time_machine.move_to(NOW, tick=False)
    on_commit = lambda: django_capture_on_commit_callbacks(execute=True)  # noqa: E731
    a = _marked_organisation()
    _marked_activity(a, on_commit)
    return SimpleNamespace(a=a, b=_other_organisation(a, on_commit), now=timezone.now())
