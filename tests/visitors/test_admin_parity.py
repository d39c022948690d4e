"""A change made in the admin announces what the same change made on the portal announces,
in the same order, with the person who made it as the actor (SPEC V-1, V-2, V-4, V-5)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Event
from tests.admin_forms import change_form_data
from tests.visitors.conftest import CLAIRE, HOUR, JOHN
from visitors import services
from visitors.models import Visit, Visitor

pytestmark = pytest.mark.django_db

MARC = {"name": "Marc Leroy", "email": "marc@atlas.test"}


@pytest.fixture
def desk(client, reception):
    client.force_login(reception)
    return client


@pytest.fixture
def twins(plan_visit):
    """Two visits alike, Claire and John invited to each: one changes in the admin,
    the other on the portal."""
    return plan_visit(visitors=[CLAIRE, JOHN]), plan_visit(visitors=[CLAIRE, JOHN])


def announced(visit, *, after=0):
    """(code, actor, the visitors' names, other data) of the events about `visit`, in order."""
    names = dict(Visitor.objects.filter(visit=visit).values_list("pk", "name"))
    events = Event.objects.for_target(visit).filter(pk__gt=after).order_by("pk")
    return [
        (
            event.code,
            event.actor,
            ", ".join(sorted(names[pk] for pk in event.data.get("visitor_ids", []))),
            {key: value for key, value in event.data.items() if key != "visitor_ids"},
        )
        for event in events
    ]


def last_event_id():
    return Event.objects.order_by("pk").values_list("pk", flat=True).last() or 0


def admin_post(client, visit, **changes):
    url = reverse("admin:visitors_visit_change", args=[visit.pk])
    page = client.get(url)
    start, end = timezone.localtime(visit.start), timezone.localtime(visit.end)
    times = {
        "start_0": start.strftime("%d/%m/%Y"),
        "start_1": start.strftime("%H:%M:%S"),
        "end_0": end.strftime("%d/%m/%Y"),
        "end_1": end.strftime("%H:%M:%S"),
    }
    response = client.post(url, change_form_data(page, **times | changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def row_of(visit, name):
    """The visitor's row number in the admin's inline (ordered by name)."""
    return list(visit.visitors.order_by("name").values_list("name", flat=True)).index(name)


def test_v2_v4_moving_a_visit_and_withdrawing_a_visitor_in_the_admin_as_on_the_portal(
    desk, client, twins, alice, reception, on_commit
):
    in_admin, on_portal = twins
    before = last_event_id()
    later = timezone.localtime(in_admin.start) + 2 * HOUR
    with on_commit():
        admin_post(
            desk,
            in_admin,
            start_1=later.strftime("%H:%M:%S"),
            end_1=(later + HOUR).strftime("%H:%M:%S"),
            **{f"visitors-{row_of(in_admin, 'Claire Petit')}-DELETE": "on"},
        )
        services.update_visit(
            on_portal,
            reception,
            start=on_portal.start + 2 * HOUR,
            end=on_portal.end + 2 * HOUR,
            remove=[on_portal.visitors.get(name="Claire Petit")],
        )
    old = {
        "old_start": in_admin.start.isoformat(),
        "old_end": in_admin.end.isoformat(),
        "old_site": "Bâtiment A",
    }
    # Claire hears of her withdrawal only, not of the new time first.
    assert announced(in_admin, after=before) == [
        ("visits.cancelled", reception, "Claire Petit", {}),
        ("visits.changed", reception, "John Smith", old),
    ]
    assert announced(on_portal, after=before) == announced(in_admin, after=before)


def test_v1_a_visitor_added_inline_in_the_admin_is_invited_by_the_manager(
    desk, client, twins, alice, reception, on_commit
):
    in_admin, on_portal = twins
    before = last_event_id()
    with on_commit():
        admin_post(
            desk,
            in_admin,
            **{
                "visitors-TOTAL_FORMS": 3,
                "visitors-2-name": MARC["name"],
                "visitors-2-email": MARC["email"],
                "visitors-2-language": "fr",
            },
        )
        services.update_visit(on_portal, reception, add=[MARC])
    assert announced(in_admin, after=before) == [("visits.invited", reception, "Marc Leroy", {})]
    assert announced(on_portal, after=before) == announced(in_admin, after=before)


def test_v1_a_visitor_added_on_the_portal_is_invited_by_the_host(client, visit, alice, on_commit):
    client.force_login(alice)
    page = client.get(reverse("visitors:edit", args=[visit.pk]))
    form = page.context["form"]
    before = last_event_id()
    start = timezone.localtime(visit.start, form.zone)
    end = timezone.localtime(visit.end, form.zone)
    with on_commit():
        response = client.post(
            reverse("visitors:edit", args=[visit.pk]),
            {
                "site": visit.site_id,
                "date": start.date().isoformat(),
                "start_time": start.strftime("%H:%M"),
                "end_time": end.strftime("%H:%M"),
                "purpose": visit.purpose,
                "co_hosts": [person.pk for person in visit.co_hosts.all()],
                "visitors-TOTAL_FORMS": 1,
                "visitors-INITIAL_FORMS": 0,
                "visitors-0-name": MARC["name"],
                "visitors-0-email": MARC["email"],
                "visitors-0-language": "fr",
            },
        )
    assert response.status_code == 302, response.context["form"].errors
    assert announced(visit, after=before) == [("visits.invited", alice, "Marc Leroy", {})]


def test_v1_a_visit_created_in_the_admin_invites_its_visitors_as_the_manager(
    desk, alice, site, reception, frozen, on_commit
):
    page = desk.get(reverse("admin:visitors_visit_add"))
    data = change_form_data(
        page,
        purpose="Audit chaufferie",
        organisation=site.organisation_id,
        site=site.pk,
        start_0="03/12/2026",
        start_1="10:00:00",
        end_0="03/12/2026",
        end_1="11:00:00",
        host=alice.pk,
        **{
            "visitors-TOTAL_FORMS": 1,
            "visitors-0-name": CLAIRE["name"],
            "visitors-0-email": CLAIRE["email"],
            "visitors-0-language": "fr",
        },
    )
    with on_commit():
        response = desk.post(reverse("admin:visitors_visit_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert announced(Visit.objects.get()) == [("visits.invited", reception, "Claire Petit", {})]


def test_v1_a_visitor_added_from_the_reception_list_is_invited_by_the_manager(
    desk, visit, reception, on_commit
):
    before = last_event_id()
    with on_commit():
        response = desk.post(
            reverse("admin:visitors_visitor_add"),
            {"visit": visit.pk, "name": MARC["name"], "email": MARC["email"], "language": "fr"},
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert announced(visit, after=before) == [("visits.invited", reception, "Marc Leroy", {})]


def test_v4_cancelling_in_the_admin_is_announced_as_on_the_portal(
    desk, client, twins, alice, reception, on_commit
):
    in_admin, on_portal = twins
    before = last_event_id()
    with on_commit():
        desk.post(
            reverse("admin:visitors_visit_changelist") + "?day=all",
            {"action": "cancel_visits", "_selected_action": [in_admin.pk]},
        )
        client.force_login(alice)
        client.post(reverse("visitors:cancel", args=[on_portal.pk]))
    # One event per visit change; each visitor's message is about them (N-18).
    assert announced(in_admin, after=before) == [
        ("visits.cancelled", reception, "Claire Petit, John Smith", {})
    ]
    assert announced(on_portal, after=before) == [
        ("visits.cancelled", alice, "Claire Petit, John Smith", {})
    ]


def test_v5_a_visitor_who_checks_in_with_their_own_link_is_announced_with_no_actor(
    client, plan_visit, on_commit
):
    claire = plan_visit(ahead=HOUR).visitors.get()
    before = last_event_id()
    with on_commit():
        services.check_in(claire, Visitor.Source.SELF)
    assert announced(claire.visit, after=before) == [
        ("visits.checked_in", None, "Claire Petit", {})
    ]


def test_v1_correcting_a_visitors_details_in_the_admin_announces_nothing(desk, visit, on_commit):
    before = last_event_id()
    with on_commit():
        admin_post(desk, visit, **{"visitors-0-company": "Atlas Group"})
    assert visit.visitors.get().company == "Atlas Group"
    assert announced(visit, after=before) == []
