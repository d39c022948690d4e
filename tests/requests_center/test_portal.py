"""The occupant portal for requests (SPEC R-1, R-7, P-1, P-3)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.files import MAX_UPLOAD_BYTES
from requests_center import services
from requests_center.models import Request
from tests.factories import OrganisationFactory, SiteFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def photo(name="fuite.jpg", size=1000):
    return SimpleUploadedFile(name, b"\xff\xd8" + b"0" * size, content_type="image/jpeg")


def test_r1_occupant_submits_a_request_with_a_photo(
    alice_client, alice, site, plumbing, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    response = alice_client.post(
        reverse("requests_center:new"),
        {
            "site": site.pk,
            "category": plumbing.pk,
            "title": "Fuite",
            "description": "Sous l'évier",
            "attachment": photo(),
        },
    )
    request = Request.objects.get()
    assert response.url == reverse("requests_center:detail", args=[request.pk])
    assert (request.declarant, request.organisation, request.status) == (
        alice,
        site.organisation,
        "open",
    )
    assert request.attachments.get().file.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("upload", "error"),
    [
        (SimpleUploadedFile("virus.exe", b"MZ"), "n’est pas accepté"),
        (photo(size=MAX_UPLOAD_BYTES + 1), "la limite est de 10 Mo"),
    ],
)
def test_r1_wrong_attachment_is_refused_clearly_and_nothing_is_saved(
    alice_client, site, plumbing, upload, error
):
    response = alice_client.post(
        reverse("requests_center:new"),
        {
            "site": site.pk,
            "category": plumbing.pk,
            "title": "x",
            "description": "y",
            "attachment": upload,
        },
    )
    assert response.status_code == 200
    assert error in str(response.context["form"].errors["attachment"])
    assert not Request.objects.exists()


def test_r1_occupant_cannot_file_in_another_organisations_building(alice_client, plumbing):
    elsewhere = SiteFactory(organisation=OrganisationFactory(name="Ailleurs"))
    response = alice_client.post(
        reverse("requests_center:new"),
        {"site": elsewhere.pk, "category": plumbing.pk, "title": "x", "description": "y"},
    )
    assert "site" in response.context["form"].errors
    assert not Request.objects.exists()


def test_r7_occupant_sees_own_and_followed_requests_only(
    alice_client, alice, chloe, site, plumbing
):
    own = services.submit(alice, site=site, category=plumbing, title="Mine", description=".")
    followed = services.submit(
        chloe, site=site, category=plumbing, title="Followed", description="."
    )
    services.follow(followed, alice)
    private = services.submit(chloe, site=site, category=plumbing, title="Chloé's", description=".")
    listed = list(alice_client.get(reverse("requests_center:list")).context["requests"])
    assert listed == [followed, own]
    assert alice_client.get(own.get_absolute_url()).status_code == 200
    assert alice_client.get(followed.get_absolute_url()).status_code == 200
    assert alice_client.get(private.get_absolute_url()).status_code == 404
    follow = alice_client.post(reverse("requests_center:follow", args=[private.pk]))
    assert follow.status_code == 404
    assert not private.followers.exists()


def test_r7_internal_comments_never_reach_the_portal(alice_client, alice, bob, site, plumbing):
    request = services.submit(alice, site=site, category=plumbing, title="x", description=".")
    services.comment(request, bob, "Le plombier vient demain.")
    services.comment(request, bob, "Facturer le locataire ?", internal=True)
    page = alice_client.get(request.get_absolute_url()).content.decode()
    assert "Le plombier vient demain." in page
    assert "Facturer le locataire" not in page


def test_r4_occupant_comments_from_the_portal(alice_client, alice, site, plumbing):
    request = services.submit(alice, site=site, category=plumbing, title="x", description=".")
    alice_client.post(request.get_absolute_url(), {"body": "Toujours pas réparé."})
    comment = request.comments.get()
    assert (comment.author, comment.is_internal, comment.body) == (
        alice,
        False,
        "Toujours pas réparé.",
    )


def test_r5_occupant_follows_and_unfollows_a_neighbours_request(
    client, alice, chloe, bob, site, plumbing
):
    request = services.submit(alice, site=site, category=plumbing, title="x", description=".")
    client.force_login(bob)  # a manager sees the organisation's requests
    client.post(reverse("requests_center:follow", args=[request.pk]))
    assert list(request.followers.all()) == [bob]
    client.post(reverse("requests_center:follow", args=[request.pk]))
    assert not request.followers.exists()


def test_p3_manager_of_another_organisation_gets_404(client, alice, site, plumbing):
    request = services.submit(alice, site=site, category=plumbing, title="x", description=".")
    from accounts.models import Role

    stranger = member(OrganisationFactory(name="Ailleurs"), Role.MANAGER)
    client.force_login(stranger)
    assert client.get(request.get_absolute_url()).status_code == 404


def test_p1_request_pages_need_login(client):
    response = client.get(reverse("requests_center:list"))
    assert response.status_code == 302 and "/login/" in response.url


def test_r1_an_organisation_without_categories_takes_requests_as_other(
    alice_client, alice, site, dominique
):
    page = alice_client.get(reverse("requests_center:new"))
    assert "category" not in page.context["form"].fields
    assert page.context["form"]["site"].value() == site.pk  # the only building, chosen
    response = alice_client.post(
        reverse("requests_center:new"),
        {"site": site.pk, "title": "Ascenseur", "description": "Bloqué au 3e."},
    )
    request = Request.objects.get()
    assert response.status_code == 302
    assert request.category is None
    shown = alice_client.get(request.get_absolute_url()).content.decode()
    assert "<dd>Autre</dd>" in shown


def test_r1_with_categories_other_is_the_empty_choice(alice_client, site, plumbing):
    page = alice_client.get(reverse("requests_center:new")).content.decode()
    assert '<option value="" selected>Autre</option>' in page
    assert "Plomberie" in page


def test_r1_a_request_is_shown_in_the_readers_time_zone(alice_client, alice, site, plumbing):
    import datetime

    alice.time_zone = "America/Toronto"
    alice.save()
    request = services.submit(
        alice, site=site, category=plumbing, title="Fuite", description="Sous l'évier"
    )
    Request.objects.filter(pk=request.pk).update(
        created_at=datetime.datetime(2026, 3, 12, 15, 30, tzinfo=datetime.UTC)
    )
    page = alice_client.get(request.get_absolute_url()).content.decode()
    assert "11:30" in page  # 15:30 UTC is 11:30 in Toronto (EDT), 16:30 in Paris
    assert "16:30" not in page
    listing = alice_client.get(reverse("requests_center:list")).content.decode()
    assert 'datetime="2026-03-12T11:30:00-04:00"' in listing
