"""Each visitor's message is about their Visitor, from one event per visit change (N-18)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.urls import reverse

from notifications.models import Delivery, Event
from tests.visitors.conftest import CLAIRE, HOUR, JOHN, deliveries, emails_to, event_of, ics_of
from visitors import services
from visitors.models import Visitor
from visitors.tokens import self_check_in_url

pytestmark = pytest.mark.django_db
Status = Delivery.Status
MARC = {"name": "Marc Leroy", "email": "marc@atlas.test", "company": "Atlas SA"}


@pytest.fixture
def trio(plan_visit):
    return plan_visit(visitors=[CLAIRE, JOHN, MARC])


def test_n18_one_event_three_visitors_three_bodies_and_three_ics(trio, alice, on_commit):
    claire, john, marc = trio.visitors.order_by("name")  # Claire, John, Marc
    mail.outbox.clear()
    with on_commit():
        services.update_visit(trio, alice, start=trio.start + HOUR, end=trio.end + HOUR)
    [event] = Event.objects.for_target(trio).filter(code="visits.changed")
    changed = deliveries("visits.changed", channel="email")
    assert {d.event_id for d in changed} == {event.pk}
    assert {d.about for d in changed} == {claire, john, marc}
    bodies, calendars = {}, {}
    for visitor in (claire, john, marc):
        [message] = emails_to(visitor.email)
        bodies[visitor.pk] = message.body
        calendars[visitor.pk] = ics_of(message)[1]
        assert self_check_in_url(visitor) in message.body
        others = {claire, john, marc} - {visitor}
        assert not any(self_check_in_url(other) in message.body for other in others)
        attendee = event_of(calendars[visitor.pk])["ATTENDEE"]
        assert str(attendee).lower() == f"mailto:{visitor.email}"
    assert len(set(bodies.values())) == 3
    assert len({cal.to_ical() for cal in calendars.values()}) == 3


def test_n18_each_visitors_admin_page_shows_their_own_messages(trio, client, reception, on_commit):
    claire, john, marc = trio.visitors.order_by("name")
    client.force_login(reception)
    for visitor in (claire, john, marc):
        page = client.get(reverse("admin:visitors_visitor_change", args=[visitor.pk]))
        history = list(page.context["inline_admin_formsets"][0].formset.queryset)
        assert history and all(d.about == visitor for d in history)
        assert {d.address for d in history} == {visitor.email}
    # The visit's page lists them all: its events are the visit's.
    page = client.get(reverse("admin:visitors_visit_change", args=[trio.pk]))
    history = next(
        f.formset for f in page.context["inline_admin_formsets"] if f.opts.model is Delivery
    ).queryset
    assert {d.address for d in history} == {v.email for v in (claire, john, marc)}


def test_n18_the_host_is_told_of_each_arrival_about_that_visitor(trio, alice, chloe, on_commit):
    claire, john, _marc = trio.visitors.order_by("name")
    with on_commit():
        services.check_in(claire, Visitor.Source.RECEPTION)
        services.check_in(john, Visitor.Source.RECEPTION)
    notices = deliveries("visits.checked_in", user=alice, channel="email")
    assert sorted(d.about.name for d in notices) == ["Claire Petit", "John Smith"]
    assert sorted(m.subject for m in emails_to(alice.email) if "Arriv" in m.subject) == [
        "Arrivée de Claire Petit",
        "Arrivée de John Smith",
    ]


def test_n18_withdrawing_a_visitor_cancels_only_the_reminder_about_them(trio, alice, on_commit):
    claire, john, marc = trio.visitors.order_by("name")
    reminders = deliveries("visits.invited", rule__default_key="visits.invited/reminder")
    assert reminders.filter(status=Status.SCHEDULED).count() == 3
    with on_commit():
        services.remove_visitor(john, alice)
    assert {d.about.name: d.status for d in reminders} == {
        "Claire Petit": Status.SCHEDULED,
        "John Smith": Status.CANCELLED,
        "Marc Leroy": Status.SCHEDULED,
    }


def test_n18_a_moved_visit_moves_every_visitors_reminder_once(trio, alice, on_commit):
    new_start = trio.start + HOUR
    with on_commit():
        services.update_visit(trio, alice, start=new_start, end=trio.end + HOUR)
    reminders = deliveries("visits.invited", rule__default_key="visits.invited/reminder")
    pending = reminders.filter(status=Status.SCHEDULED)
    assert pending.count() == 3
    assert {d.send_at for d in pending} == {new_start - 24 * HOUR}
    assert reminders.filter(status=Status.CANCELLED).count() == 3


def test_n18_the_delivery_log_filters_on_what_a_message_is_about(trio, client, reception):
    claire = trio.visitors.get(name="Claire Petit")
    client.force_login(reception)
    kind = ContentType.objects.get_for_model(Visitor)
    page = client.get(
        reverse("admin:notifications_delivery_changelist"), {"concerning": f"{kind.pk}-{claire.pk}"}
    )
    assert page.status_code == 200
    assert {d.address for d in page.context["cl"].result_list} == {claire.email}
    junk = client.get(reverse("admin:notifications_delivery_changelist"), {"concerning": "x-y"})
    assert junk.status_code == 200 and not junk.context["cl"].result_list


def test_n19_a_visit_at_a_site_in_another_zone_is_told_on_its_clock(plan_visit, site):
    """The visitor reads the times where the visit happens; reminders keep that wall clock."""
    site.time_zone = "America/Toronto"
    site.save()
    visit = plan_visit(visitors=[CLAIRE])
    claire = visit.visitors.get()
    assert str(visit.zone) == "America/Toronto"
    assert claire.as_recipient().time_zone == "America/Toronto"
    [invitation] = emails_to(CLAIRE["email"])
    local = visit.start.astimezone(visit.zone)
    assert f"{local:%H:%M}" in invitation.body
