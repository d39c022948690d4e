"""The host's visit pages and the visitor's self check-in page (SPEC V-1 … V-5, P-1 … P-3)."""

import datetime
import re

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.urls import reverse

from accounts.models import Role
from notifications.models import Delivery
from tests.factories import OrganisationFactory, SiteFactory, member
from tests.visitors.conftest import HOUR, JOHN, deliveries, emails_to
from visitors.models import Visit, Visitor
from visitors.tokens import make_token, self_check_in_url
from visitors.views import SELF_CHECK_IN_GUESSES

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def visitor_rows(*visitors, extra=1):
    """The visitor formset as the browser posts it: typed rows, then blank ones."""
    rows = [*visitors, *[{"language": "fr"}] * extra]
    data = {
        "visitors-TOTAL_FORMS": len(rows),
        "visitors-INITIAL_FORMS": 0,
        "visitors-MIN_NUM_FORMS": 0,
        "visitors-MAX_NUM_FORMS": 50,
    }
    for index, row in enumerate(rows):
        data.update({f"visitors-{index}-{key}": value for key, value in row.items()})
    return data


CLAIRE_ROW = {
    "name": "Claire Petit",
    "email": "claire@atlas.test",
    "phone": "06 12 34 56 78",
    "company": "Atlas SA",
    "language": "fr",
}


def test_v1_host_invites_visitors_from_the_portal(
    alice_client, alice, chloe, site, frozen, on_commit
):
    with_visitors = visitor_rows(CLAIRE_ROW, {**JOHN, "company": ""})
    with on_commit():
        response = alice_client.post(
            reverse("visitors:new"),
            {
                "site": site.pk,
                "date": "2026-12-03",
                "start_time": "10:00",
                "end_time": "11:30",
                "purpose": "Réunion projet Atlas",
                "co_hosts": [chloe.pk],
                **with_visitors,
            },
        )
    visit = Visit.objects.get()
    assert response.url == visit.get_absolute_url()
    assert (visit.host, list(visit.co_hosts.all()), visit.organisation) == (
        alice,
        [chloe],
        site.organisation,
    )
    assert visit.start == datetime.datetime(2026, 12, 3, 9, 0, tzinfo=datetime.UTC)  # Paris
    claire = visit.visitors.get(name="Claire Petit")
    assert str(claire.phone) == "+33612345678"  # E.164
    assert sorted(m.to[0] for m in mail.outbox) == [
        "Claire Petit <claire@atlas.test>",
        "John Smith <john@boilers.test>",
    ]


def test_v1_a_visit_needs_a_visitor_and_an_end_after_its_start(alice_client, site, frozen):
    response = alice_client.post(
        reverse("visitors:new"),
        {
            "site": site.pk,
            "date": "2026-12-03",
            "start_time": "10:00",
            "end_time": "09:00",
            **visitor_rows(extra=1),
        },
    )
    assert response.status_code == 200
    assert "end_time" in response.context["form"].errors
    assert response.context["visitors"].non_form_errors() or any(
        response.context["visitors"].errors
    )
    assert not Visit.objects.exists()


def test_v1_host_cannot_invite_to_another_organisations_building(alice_client, frozen):
    elsewhere = SiteFactory(organisation=OrganisationFactory(name="Ailleurs"))
    response = alice_client.post(
        reverse("visitors:new"),
        {
            "site": elsewhere.pk,
            "date": "2026-12-03",
            "start_time": "10:00",
            "end_time": "11:00",
            **visitor_rows(CLAIRE_ROW),
        },
    )
    assert "site" in response.context["form"].errors
    assert not Visit.objects.exists()


def test_v2_host_moves_the_visit_adds_and_removes_visitors(
    alice_client, plan_visit, alice, on_commit
):
    visit = plan_visit(visitors=[{"name": "Marc Leroy", "email": "marc@atlas.test"}, JOHN])
    john, marc = visit.visitors.order_by("name")
    page = alice_client.get(reverse("visitors:edit", args=[visit.pk]))
    assert page.context["form"].initial["start_time"] == datetime.time(8, 0)
    mail.outbox.clear()
    with on_commit():
        response = alice_client.post(
            reverse("visitors:edit", args=[visit.pk]),
            {
                "site": visit.site_id,
                "date": "2026-12-03",
                "start_time": "14:00",
                "end_time": "15:00",
                "purpose": visit.purpose,
                "remove": [john.pk],
                **visitor_rows(CLAIRE_ROW),
            },
        )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.start == datetime.datetime(2026, 12, 3, 13, 0, tzinfo=datetime.UTC)
    assert list(visit.co_hosts.all()) == []  # unticked
    subjects = {m.to[0].split(" <")[0]: m.subject for m in mail.outbox}
    assert subjects == {
        "Marc Leroy": "Visite modifiée\u00a0: Réunion projet Atlas le 3 décembre 2026",
        "John Smith": "Visit cancelled: Réunion projet Atlas on December 3, 2026",
        "Claire Petit": "Invitation\u00a0: Réunion projet Atlas le 3 décembre 2026",
    }
    assert "Avant\u00a0: jeudi 3 décembre 2026, de 08:00 à 09:00" in emails_to(marc.email)[0].body


def test_v4_host_cancels_the_visit(alice_client, visit, on_commit):
    mail.outbox.clear()
    with on_commit():
        response = alice_client.post(reverse("visitors:cancel", args=[visit.pk]))
    assert response.url == visit.get_absolute_url()
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CANCELLED
    assert [m.subject for m in mail.outbox] == [
        "Visite annulée\u00a0: Réunion projet Atlas le 3 décembre 2026"
    ]
    # A cancelled visit can no longer be changed.
    assert alice_client.get(reverse("visitors:edit", args=[visit.pk])).status_code == 302


def test_p1_host_and_co_host_see_the_visit_others_do_not(client, visit, alice, chloe, bob):
    for person, status in [(alice, 200), (chloe, 200), (bob, 200)]:  # Bob manages the place
        client.force_login(person)
        assert client.get(visit.get_absolute_url()).status_code == status
        assert visit in client.get(reverse("visitors:list")).context["upcoming"]
    neighbour = member(visit.organisation, email="dan@example.test")
    client.force_login(neighbour)
    assert client.get(visit.get_absolute_url()).status_code == 404
    assert client.post(reverse("visitors:cancel", args=[visit.pk])).status_code == 404
    assert list(client.get(reverse("visitors:list")).context["upcoming"]) == []


def test_p3_manager_of_another_organisation_gets_404(client, visit):
    stranger = member(OrganisationFactory(name="Ailleurs"), Role.MANAGER)
    client.force_login(stranger)
    assert client.get(visit.get_absolute_url()).status_code == 404
    assert client.get(reverse("visitors:edit", args=[visit.pk])).status_code == 404


def test_p1_visit_pages_need_login(client):
    response = client.get(reverse("visitors:list"))
    assert response.status_code == 302 and "/login/" in response.url


def test_p1_host_sees_who_has_arrived(alice_client, visit):
    from visitors import services

    services.check_in(visit.visitors.get(), Visitor.Source.SELF)
    page = alice_client.get(visit.get_absolute_url()).content.decode()
    assert "Claire Petit" in page and "08:00" in page


# The visitor's own page: a signed link, no login (P-2).


def check_in_url(visitor):
    return reverse("visitors:self_check_in", args=[make_token(visitor)])


def test_v5_the_link_in_the_invitation_opens_the_self_check_in_page(client, visit, frozen):
    claire = visit.visitors.get()
    [invitation] = emails_to(claire.email)
    link = re.search(r"http://\S+/visits/check-in/\S+/", invitation.body).group()
    assert link == self_check_in_url(claire)


def test_v5_visitor_checks_in_without_logging_in(
    client, plan_visit, alice, time_machine, frozen, on_commit
):
    visit = plan_visit(ahead=HOUR)
    claire = visit.visitors.get()
    page = client.get(check_in_url(claire))
    assert page.status_code == 200 and page.context["state"] == "open"
    assert page["Cache-Control"] == "no-store"
    claire.refresh_from_db()
    assert claire.checked_in_at is None  # opening the link (or a mail scanner) checks nobody in
    with on_commit():
        response = client.post(check_in_url(claire), {"action": "check_in"})
    assert response.status_code == 302
    claire.refresh_from_db()
    assert (claire.checked_in_at, claire.check_in_source) == (frozen, "self")
    assert deliveries("visits.checked_in", user=alice, channel="email").get().status == "sent"
    assert client.get(check_in_url(claire)).context["state"] == "in"


def test_v5_self_check_in_opens_two_hours_before_the_visit(client, visit):
    claire = visit.visitors.get()
    page = client.get(check_in_url(claire))
    assert page.context["state"] == "early"
    client.post(check_in_url(claire), {"action": "check_in"})
    claire.refresh_from_db()
    assert claire.checked_in_at is None


def test_p2_the_link_cannot_be_replayed_after_check_out(client, plan_visit, on_commit):
    claire = plan_visit(ahead=HOUR).visitors.get()
    with on_commit():
        client.post(check_in_url(claire), {"action": "check_in"})
    client.post(check_in_url(claire), {"action": "check_out"})
    claire.refresh_from_db()
    assert claire.checked_out_at is not None
    with on_commit():
        client.post(check_in_url(claire), {"action": "check_in"})
    page = client.get(check_in_url(claire))
    assert (page.status_code, page.context["state"]) == (410, "left")
    claire.refresh_from_db()
    assert claire.checked_out_at is not None
    assert deliveries("visits.checked_in").values("event").distinct().count() == 1


@pytest.mark.parametrize("state", ["cancelled", "withdrawn"])
def test_p2_the_link_of_a_visit_that_is_off_checks_nobody_in(client, plan_visit, alice, state):
    from visitors import services

    visit = plan_visit(ahead=HOUR)
    claire = visit.visitors.get()
    if state == "cancelled":
        services.cancel_visit(visit, alice)
    else:
        services.remove_visitor(claire, alice)
    client.post(check_in_url(claire), {"action": "check_in"})
    page = client.get(check_in_url(claire))
    assert (page.status_code, page.context["state"]) == (410, state)
    claire.refresh_from_db()
    assert claire.checked_in_at is None


def test_p2_guessed_links_are_rate_limited(client, plan_visit):
    claire = plan_visit(ahead=HOUR).visitors.get()
    forged = make_token(claire)[:-3] + "abc"
    for _attempt in range(SELF_CHECK_IN_GUESSES.attempts):
        assert client.get(reverse("visitors:self_check_in", args=[forged])).status_code == 404
    # Blocked now, even with a real link: a guesser learns nothing more.
    assert client.get(check_in_url(claire)).status_code == 429
    assert client.post(check_in_url(claire), {"action": "check_in"}).status_code == 429
    claire.refresh_from_db()
    assert claire.checked_in_at is None
    # Another address is not blocked.
    assert client.get(check_in_url(claire), REMOTE_ADDR="10.0.0.2").status_code == 200


def test_p2_the_block_lifts_after_its_window(client, plan_visit, time_machine, frozen):
    claire = plan_visit(ahead=HOUR).visitors.get()
    for _attempt in range(SELF_CHECK_IN_GUESSES.attempts):
        client.get(reverse("visitors:self_check_in", args=["nope"]))
    assert client.get(check_in_url(claire)).status_code == 429
    time_machine.move_to(
        frozen + datetime.timedelta(seconds=SELF_CHECK_IN_GUESSES.window_seconds + 1)
    )
    assert client.get(check_in_url(claire)).status_code == 200


def test_p2_the_page_speaks_the_visitors_language(client, plan_visit):
    visit = plan_visit(ahead=HOUR, visitors=[JOHN, {"name": "Marc", "email": "m@a.test"}])
    john, marc = visit.visitors.order_by("name")
    assert '<html lang="en">' in client.get(check_in_url(john)).content.decode()
    page = client.get(check_in_url(marc), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="fr">' in page.content.decode()


def test_v5_a_tampered_link_does_not_reach_another_visitor(client, plan_visit):
    visit = plan_visit(ahead=HOUR, visitors=[JOHN, {"name": "Marc", "email": "m@a.test"}])
    john = visit.visitors.get(name="John Smith")
    payload, *signature = make_token(john).split(":")
    assert signing.b64_decode(payload.encode()) == str(john.pk).encode()
    someone_else = signing.b64_encode(str(john.pk + 1).encode()).decode()
    tampered = ":".join([someone_else, *signature])
    assert client.get(reverse("visitors:self_check_in", args=[tampered])).status_code == 404
    assert not Delivery.objects.filter(event__code="visits.checked_in").exists()
