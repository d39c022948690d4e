"""A change made in the admin announces what the same change made on the portal (or by the
services the portal calls) announces, with the person who made it as the actor
(SPEC R-1, R-3 … R-6)."""

import pytest
from django.urls import reverse

from notifications.models import Event
from requests_center import services
from requests_center.models import Comment, Request
from tests.admin_forms import change_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


@pytest.fixture
def twin(alice, site, plumbing, on_commit):
    """A second request like the leak: one is changed in the admin, the other elsewhere."""
    with on_commit():
        return services.submit(
            alice, site=site, category=plumbing, title="Fuite bis", description="Sous l'évier."
        )


def announced(request, *, after=0):
    """(code, actor, data) of the events about `request`, in the order they happened."""
    events = Event.objects.for_target(request).filter(pk__gt=after).order_by("pk")
    return [(event.code, event.actor, event.data) for event in events]


def last_event_id():
    return Event.objects.order_by("pk").values_list("pk", flat=True).last() or 0


def admin_save(client, request, **changes):
    url = reverse("admin:requests_center_request_change", args=[request.pk])
    response = client.post(url, change_form_data(client.get(url), **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def test_r3_r6_assigning_and_moving_on_in_the_admin_is_announced_by_the_manager(
    bob_client, leak, twin, bob, dominique, on_commit
):
    before = last_event_id()
    with on_commit():
        admin_save(bob_client, leak, assigned_to=dominique.pk, status="in_progress")
        services.update(twin, bob, assigned_to=dominique, status="in_progress")
    assert announced(leak, after=before) == [
        ("requests.assigned", bob, {}),
        ("requests.status_changed", bob, {"old_status": "open"}),
    ]
    assert announced(twin, after=before) == announced(leak, after=before)
    assert not hasattr(leak, "actor") and not hasattr(twin, "actor")  # who acted is no attribute


def test_r4_a_comment_added_inline_in_the_admin_is_announced_as_the_managers(
    bob_client, leak, twin, bob, on_commit
):
    before = last_event_id()
    with on_commit():
        admin_save(
            bob_client,
            leak,
            **{
                "comments-TOTAL_FORMS": 2,
                "comments-0-body": "Le plombier passe demain.",
                "comments-1-body": "Devis à demander.",
                "comments-1-is_internal": "on",
            },
        )
        # The same two comments from the portal page (a manager may open it) and the service.
        bob_client.post(twin.get_absolute_url(), {"body": "Le plombier passe demain."})
        services.comment(twin, bob, "Devis à demander.", internal=True)
    public, internal = Comment.objects.filter(request=leak).order_by("pk")
    assert announced(leak, after=before) == [
        ("requests.commented", bob, {"comment_id": public.pk}),
        ("requests.internal_comment", bob, {"comment_id": internal.pk}),
    ]
    assert [(code, actor) for code, actor, _data in announced(twin, after=before)] == [
        ("requests.commented", bob),
        ("requests.internal_comment", bob),
    ]


def test_r5_a_follower_added_in_the_admin_is_told_that_the_manager_added_them(
    bob_client, leak, twin, bob, chloe, on_commit
):
    before = last_event_id()
    with on_commit():
        admin_save(bob_client, leak, followers=[chloe.pk])
        services.follow(twin, chloe, actor=bob)
    assert announced(leak, after=before) == [
        ("requests.follower_added", bob, {"follower_id": chloe.pk})
    ]
    assert announced(twin, after=before) == announced(leak, after=before)
    assert list(leak.followers.all()) == [chloe]


def test_r5_following_from_the_portal_is_announced_as_the_followers_own(
    bob_client, leak, bob, on_commit
):
    before = last_event_id()
    with on_commit():
        bob_client.post(reverse("requests_center:follow", args=[leak.pk]))
    assert announced(leak, after=before) == [
        ("requests.follower_added", bob, {"follower_id": bob.pk})
    ]


def test_r5_a_follower_removed_in_the_admin_stops_following_and_nobody_is_told(
    bob_client, leak, bob, chloe, on_commit
):
    services.follow(leak, chloe, actor=bob)
    before = last_event_id()
    with on_commit():
        admin_save(bob_client, leak, followers=[])
    assert not leak.followers.exists()
    assert announced(leak, after=before) == []


def test_r1_a_request_created_in_the_admin_is_announced_as_the_one_from_the_portal(
    bob_client, client, alice, bob, site, plumbing, on_commit
):
    add_url = reverse("admin:requests_center_request_add")
    fields = {"site": site.pk, "category": plumbing.pk, "title": "Ampoule", "description": "Hall"}
    with on_commit():
        data = change_form_data(
            bob_client.get(add_url),
            **fields,
            organisation=site.organisation_id,
            declarant=alice.pk,
            status="open",
        )
        assert bob_client.post(add_url, data).status_code == 302
        client.force_login(alice)
        client.post(reverse("requests_center:new"), fields)
    by_bob, by_alice = Request.objects.order_by("pk")
    assert announced(by_bob) == [("requests.created", bob, {})]
    assert announced(by_alice) == [("requests.created", alice, {})]


def test_r6_saving_the_admin_page_unchanged_announces_nothing_again(
    bob_client, leak, bob, chloe, dominique, on_commit
):
    services.update(leak, bob, assigned_to=dominique)
    services.follow(leak, chloe, actor=bob)
    services.comment(leak, bob, "Le plombier passe demain.")
    before = last_event_id()
    with on_commit():
        admin_save(bob_client, leak)
    assert announced(leak, after=before) == []
