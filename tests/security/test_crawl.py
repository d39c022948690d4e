"""P-3: every admin and portal URL, tried by another organisation's manager and occupant.

The Tilleuls' manager crawls first and must read the marked data; then Parc Horizon's
manager and one of its occupants read every page and filter choice and send every form,
deletion, password change and action: they read nothing marked, break nothing (no 500)
and change no row.
"""

from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import Membership, Organisation, Role, Site, User
from accounts.scoping import ScopedAccessMixin
from alerts.models import Broadcast, Company, ContactPoint, Contract, Occupant, Route, RouteRun
from bookings.models import (
    Account,
    Booking,
    Maintenance,
    Resource,
    Subscription,
    Validity,
    ValidityType,
)
from notifications.consent.models import ConsentRecord, ContactConsent
from notifications.models import (
    Delivery,
    Device,
    Event,
    Preference,
    RecapSchedule,
    Rule,
    Suppression,
)
from requests_center.models import Category, Request
from tests.factories import member
from tests.security.conftest import MARK
from tests.security.crawler import (
    NOT_CRAWLED,
    Crawl,
    Hit,
    changed_rows,
    json_body,
    named_urls,
    plan,
    snapshot,
)
from visitors.models import Visit, Visitor
from workorders.models import Client as ShopClient
from workorders.models import Lead, Task, WorkOrder, WorkOrderStatus

MINIMUM_REQUESTS = 400  # a crawl that lost its URLs must not pass by trying nothing


def targets(world):
    """The rows whose admin URLs are tried: the Tilleuls', and the two shared people."""
    a, b = world.a, world.b
    events = Event.objects.filter(organisation=a.tilleuls).exclude(pk=a.message.event_id)
    emails = Delivery.objects.filter(organisation=a.tilleuls, channel="email")
    return {
        Organisation: [a.tilleuls],
        Site: [a.site],
        User: [a.alice, b.victor, b.root],
        Category: [a.category],
        Request: [a.request],
        Visit: [a.visit],
        Visitor: [a.visitor],
        Event: [a.message.event, events.first()],
        Delivery: [a.message, emails.first()],
        Rule: [a.rule],
        RecapSchedule: [a.recap],
        Suppression: [a.suppression],
        Device: [a.device],
        Preference: [a.preference],
        Resource: [a.resource],
        Booking: [a.booking],
        Maintenance: [a.maintenance],
        ValidityType: [a.validity.validity_type],
        Validity: [a.validity],
        Account: [a.account],
        Subscription: [a.subscription],
        ConsentRecord: [a.consent_record],
        ContactConsent: [a.contact_consent],
        ShopClient: [a.shop_client],
        WorkOrderStatus: [a.status],
        WorkOrder: [a.order],
        Task: [a.task],
        Lead: [a.lead],
        Company: [a.company],
        Route: [a.route],
        Contract: [a.contract],
        Occupant: [a.occupant],
        ContactPoint: [a.contact_point],
        RouteRun: [a.run],
        Broadcast: [a.broadcast],
    }


def portal(world):
    """Hits for one portal URL: its pages about the Tilleuls' rows, and its forms."""
    a = world.a
    rows = {
        "requests_center": a.request.pk,
        "visitors": a.visit.pk,
        "notifications": a.message.pk,
        "bookings": a.booking.pk,
        "bookings:resource": a.resource.pk,
        "workorders": a.task.pk,
        "alerts": a.run.pk,
        "alerts:start": a.route.pk,
    }
    new = {"site": a.site.pk, "category": a.category.pk, "title": "pwned", "purpose": "pwned"}
    posts = {
        "requests_center:new": new | {"description": "pwned"},
        "visitors:new": new,
        "notifications:device_unregister": json_body({"token": a.device.token}),
        "bookings:resource": {"date": "2026-11-30", "start_time": "14:00", "end_time": "15:00"},
        "bookings:move": {"date": "2026-11-30", "start_time": "16:00", "end_time": "17:00"},
        "bookings:add_participants": {"guests": "pwned@example.test"},
        "alerts:start": {"mode": "all", "buffer_size": "5"},
    }
    fill = {
        "token": "pwned-token",
        "uidb64": "MQ",
        "attachment_pk": a.attachment.pk,
        "esp": "brevo",
        "action": "approve",
        "participant_pk": a.participant.pk,
        "stop_pk": a.stop.pk,
    }

    def hits(name, params):
        kwargs = {
            param: fill.get(param) or rows.get(name) or rows[name.split(":")[0]] for param in params
        }
        url = reverse(name, kwargs=kwargs)
        found = [Hit(name, url)]
        if params or name in posts:
            found.append(Hit(name, url, post=("data", posts.get(name, {"body": "pwned"}))))
        return found

    return hits


def files(world):
    """The second parameter of the admin's file URLs: a request's file, a message's document."""
    return {"attachment_id": [world.a.attachment.pk, world.a.document.pk]}


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_p3_the_crawl_tries_every_named_url_of_the_resolver(world):
    hits = plan(targets(world), portal(world), files(world))
    untried = set(named_urls()) - {hit.name for hit in hits}
    assert {name for name in untried if name.split(":")[0] not in NOT_CRAWLED} == set()
    assert len(hits) >= MINIMUM_REQUESTS // 2


def test_p3_no_other_manager_or_occupant_reads_or_changes_an_organisations_data(world, quiet):
    hits = plan(targets(world), portal(world), files(world))
    owner = Crawl(logged_in(world.a.bob), hits).read(links=False)  # forms, actions and links
    assert owner.errors == []
    _assert_the_owner_reads_the_marked_data(owner, world)

    for viewer in (world.b.carol, world.b.olivier):
        crawl = Crawl(logged_in(viewer), hits, reference=owner).read()
        before = snapshot()
        crawl.write()
        assert len(crawl.seen) >= MINIMUM_REQUESTS
        problems = {
            "500": crawl.errors,
            MARK: crawl.marked,
            "changed": changed_rows(before, snapshot()),
        }
        assert {what: found for what, found in problems.items() if found} == {}, viewer


def test_p3_a_manager_who_lives_in_another_organisation_sees_none_of_its_rows(world):
    """An occupant's membership of the Tilleuls opens none of its rows in the back office."""
    max_ = member(world.b.horizon, Role.MANAGER, email="max@example.test")
    Membership.objects.create(user=max_, organisation=world.a.tilleuls, role=Role.OCCUPANT)
    request = RequestFactory().get("/admin/")
    request.user = max_
    shared = {world.b.victor.pk, world.b.root.pk}
    for model, rows in targets(world).items():
        seen = admin.site._registry[model].get_queryset(request)
        assert not seen.filter(pk__in=[row.pk for row in rows if row.pk not in shared]), model


def _assert_the_owner_reads_the_marked_data(owner, world):
    """Each list and each change page of the Tilleuls' rows shows Bob the marker."""
    expected = []
    for model, rows in targets(world).items():
        if not isinstance(admin.site._registry.get(model), ScopedAccessMixin):
            continue
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        expected.append(reverse(f"{info}_changelist"))
        expected.append(reverse(f"{info}_change", args=[rows[0].pk]))
    unread = [url for url in expected if owner.seen.get(url) != (200, True)]
    assert unread == [], "the Tilleuls' manager must read the marked data"
    assert len(owner.marked) >= 2 * len(expected)
