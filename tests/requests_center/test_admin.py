"""Managers handle requests in the admin (SPEC R-1, R-3, R-4, N-6, P-3)."""

import pytest
from django.urls import reverse

from notifications.models import Delivery
from requests_center import services
from requests_center.models import Comment, Request
from tests.admin_forms import change_form_data
from tests.factories import OrganisationFactory, SiteFactory, member
from tests.requests_center.conftest import sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


def change_url(request):
    return reverse("admin:requests_center_request_change", args=[request.pk])


def test_r3_manager_assigns_in_the_admin_and_the_declarant_is_told(
    bob_client, leak, alice, dominique, on_commit
):
    page = bob_client.get(change_url(leak))
    with on_commit():
        response = bob_client.post(
            change_url(leak), change_form_data(page, assigned_to=dominique.pk)
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    leak.refresh_from_db()
    assert leak.assigned_to == dominique
    assert (alice.email, "email", f"Votre demande ID {leak.pk} est prise en charge") in sent(
        "requests.assigned"
    )
    assert Delivery.objects.filter(
        event__code="requests.assigned", event__actor__isnull=False
    ).exists()


def test_r4_manager_comments_publicly_and_internally_from_the_admin(
    bob_client, leak, alice, bob, on_commit
):
    page = bob_client.get(change_url(leak))
    data = change_form_data(
        page,
        **{
            "comments-TOTAL_FORMS": 2,
            "comments-0-body": "Le plombier passe demain.",
            "comments-1-body": "Devis à demander.",
            "comments-1-is_internal": "on",
        },
    )
    with on_commit():
        response = bob_client.post(change_url(leak), data)
    assert response.status_code == 302
    public, internal = Comment.objects.order_by("pk")
    assert (public.author, public.is_internal) == (bob, False)
    assert (internal.author, internal.is_internal) == (bob, True)
    assert sent("requests.commented") == [
        (alice.email, "email", f"Nouveau commentaire sur la demande ID {leak.pk}"),
        (alice.email, "inapp", f"Nouveau commentaire sur la demande ID {leak.pk}"),
    ]
    assert not Delivery.objects.filter(event__code="requests.internal_comment", user=alice).exists()


def test_n6_request_page_shows_the_messages_sent_about_it(bob_client, leak, bob):
    page = bob_client.get(change_url(leak))
    history = next(
        inline
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is Delivery
    )
    shown = {form.instance.pk for form in history.formset.forms}
    assert shown == set(Delivery.objects.filter(target_id=leak.pk).values_list("pk", flat=True))
    assert shown  # the new-request email and push to Bob


def test_r1_manager_creates_a_request_for_an_occupant(
    bob_client, alice, site, plumbing, bob, on_commit
):
    page = bob_client.get(reverse("admin:requests_center_request_add"))
    data = change_form_data(
        page,
        title="Ampoule grillée",
        description="Hall d'entrée",
        organisation=site.organisation_id,
        site=site.pk,
        category=plumbing.pk,
        declarant=alice.pk,
        status="open",
    )
    with on_commit():
        response = bob_client.post(reverse("admin:requests_center_request_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Request.objects.get().declarant == alice


def test_p3_manager_never_sees_another_organisations_requests(client, leak):
    from accounts.models import Role

    elsewhere = OrganisationFactory(name="Ailleurs")
    SiteFactory(organisation=elsewhere)
    stranger = member(elsewhere, Role.MANAGER)
    client.force_login(stranger)
    listing = client.get(reverse("admin:requests_center_request_changelist"))
    assert list(listing.context["cl"].queryset) == []
    assert client.get(change_url(leak)).status_code == 302


def test_r2_admin_filters_by_status_and_category(bob_client, leak, plumbing, alice, site, bob):
    done = services.submit(alice, site=site, category=plumbing, title="Vieux", description=".")
    services.update(done, bob, status="resolved")
    url = reverse("admin:requests_center_request_changelist")
    assert list(bob_client.get(url, {"status__exact": "open"}).context["cl"].queryset) == [leak]
    assert bob_client.get(url, {"q": "Vieux"}).context["cl"].queryset.get() == done


def test_n6_history_panel_gives_reasons_in_the_readers_language(bob_client, leak):
    page = bob_client.get(change_url(leak)).content.decode()
    assert "pas d’adresse pour ce canal" in page  # Bob's push: he has no device yet
    assert "no address for this channel" not in page


def test_r4_internal_note_made_public_in_the_admin_reaches_the_declarant_as_a_new_comment(
    bob_client, leak, alice, bob, dominique, on_commit
):
    with on_commit():
        note = services.comment(leak, dominique, "Le plombier passe jeudi.", internal=True)
    assert sent("requests.commented") == []
    page = bob_client.get(change_url(leak))
    with on_commit():
        response = bob_client.post(
            change_url(leak), change_form_data(page, **{"comments-0-is_internal": None})
        )
    assert response.status_code == 302
    note.refresh_from_db()
    assert not note.is_internal
    assert sent("requests.commented") == [
        (alice.email, "email", f"Nouveau commentaire sur la demande ID {leak.pk}"),
        (alice.email, "inapp", f"Nouveau commentaire sur la demande ID {leak.pk}"),
    ]
    event = Delivery.objects.filter(event__code="requests.commented").first().event
    assert event.actor == bob  # who published it, not who wrote it


def test_r4_a_public_comment_corrected_in_the_admin_is_not_announced_again(
    bob_client, leak, alice, bob, on_commit
):
    with on_commit():
        services.comment(leak, bob, "Le plombier passe jeudi.")
    page = bob_client.get(change_url(leak))
    with on_commit():
        bob_client.post(
            change_url(leak), change_form_data(page, **{"comments-0-body": "Vendredi, pardon."})
        )
    assert len(sent("requests.commented")) == 2  # the first comment's email and in-app only
