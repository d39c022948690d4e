"""Request files go to those who may see the request, through a checked view (issue 10, item 3)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from requests_center import services
from requests_center.models import Attachment
from tests.admin_forms import change_form_data
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_FILES_ACCEL_REDIRECT = ""
    return tmp_path


@pytest.fixture
def photo(leak, alice):
    """Alice's photo of the leak, uploaded with her request."""
    upload = SimpleUploadedFile("fuite sous l'évier.jpg", b"\xff\xd8photo", "image/jpeg")
    return services.save_attachment(Attachment(request=leak, file=upload, uploaded_by=alice))


@pytest.fixture
def old_plan(leak, bob, media):
    """A file stored before names were random, under the name it was given."""
    (media / "requests/2024/05").mkdir(parents=True)
    (media / "requests/2024/05/plan.pdf").write_bytes(b"%PDF-old")
    return Attachment.objects.create(
        request=leak, file="requests/2024/05/plan.pdf", uploaded_by=bob
    )


def portal_url(attachment):
    return reverse("requests_center:attachment", args=[attachment.request_id, attachment.pk])


def admin_url(attachment):
    return reverse(
        "admin:requests_center_request_attachment", args=[attachment.request_id, attachment.pk]
    )


def download(client, user, url):
    client.force_login(user)
    return client.get(url)


def assert_downloaded(response, content, filename):
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"].startswith("attachment;")
    assert filename in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_r1_a_file_is_stored_under_a_random_name_and_shown_under_its_own(photo):
    assert "fuite" not in photo.file.name and photo.file.name.endswith(".jpg")
    assert str(photo) == photo.original_name == "fuite sous l'évier.jpg"


def test_r1_the_declarant_downloads_her_file_under_its_name(client, alice, photo):
    response = download(client, alice, portal_url(photo))
    assert_downloaded(response, b"\xff\xd8photo", "fuite%20sous%20l%27%C3%A9vier.jpg")


def test_r7_a_follower_and_the_organisations_manager_download_it(client, chloe, bob, leak, photo):
    services.follow(leak, chloe)
    assert download(client, chloe, portal_url(photo)).status_code == 200
    assert download(client, bob, portal_url(photo)).status_code == 200


def test_p3_another_occupant_gets_a_404(client, chloe, photo):
    assert download(client, chloe, portal_url(photo)).status_code == 404


def test_p3_another_organisations_manager_gets_a_404_on_portal_and_admin(
    client, other_organisation, photo
):
    stranger = member(other_organisation, Role.MANAGER)
    assert download(client, stranger, portal_url(photo)).status_code == 404
    assert download(client, stranger, admin_url(photo)).status_code == 404


def test_p3_anonymous_is_sent_to_log_in(client, photo):
    response = client.get(portal_url(photo))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    response = client.get(admin_url(photo))
    assert response.status_code == 302 and reverse("admin:login") in response.url


def test_p3_an_occupant_cannot_use_the_admin_link(client, alice, photo):
    response = download(client, alice, admin_url(photo))
    assert response.status_code == 302 and reverse("admin:login") in response.url


def test_p3_a_file_asked_for_under_another_request_is_a_404(
    client, alice, site, plumbing, photo, on_commit
):
    with on_commit():
        mine = services.submit(alice, site=site, category=plumbing, title="Autre", description=".")
    url = reverse("requests_center:attachment", args=[mine.pk, photo.pk])
    assert download(client, alice, url).status_code == 404


def test_r4_a_file_on_an_internal_note_stays_with_the_managers(client, alice, bob, leak):
    upload = SimpleUploadedFile("devis interne.pdf", b"%PDF", "application/pdf")
    note = services.comment(leak, bob, "Devis du plombier", internal=True, attachment=upload)
    attachment = note.attachments.get()
    assert download(client, alice, portal_url(attachment)).status_code == 404
    assert download(client, bob, portal_url(attachment)).status_code == 200


def test_files_stored_under_their_old_names_are_still_served(client, alice, bob, old_plan):
    assert str(old_plan) == "plan.pdf"
    assert_downloaded(download(client, alice, portal_url(old_plan)), b"%PDF-old", "plan.pdf")
    assert_downloaded(download(client, bob, admin_url(old_plan)), b"%PDF-old", "plan.pdf")


def test_nothing_is_served_from_media_any_more(client, alice, photo, old_plan):
    client.force_login(alice)
    for attachment in (photo, old_plan):
        assert client.get(f"/media/{attachment.file.name}").status_code == 404


def test_the_portal_page_links_to_the_checked_view(client, alice, leak, photo):
    services.comment(
        leak,
        alice,
        "Autre photo",
        attachment=SimpleUploadedFile("détail.png", b"\x89PNG", "image/png"),
    )
    page = download(client, alice, leak.get_absolute_url()).content.decode()
    for attachment in leak.attachments.all():
        assert portal_url(attachment) in page
    assert "fuite sous l&#x27;évier.jpg" in page and "détail.png" in page
    assert "/media/" not in page


def test_the_admin_inline_links_to_the_checked_view(client, bob, leak, photo):
    page = download(client, bob, reverse("admin:requests_center_request_change", args=[leak.pk]))
    html = page.content.decode()
    assert admin_url(photo) in html and "fuite sous l&#x27;évier.jpg" in html
    assert "/media/" not in html and photo.file.name not in html


def test_links_work_with_debug_off(client, alice, settings, photo):
    settings.DEBUG = False
    assert download(client, alice, portal_url(photo)).status_code == 200


def test_behind_nginx_only_the_checked_request_gets_the_redirect(
    client, alice, chloe, settings, photo
):
    settings.PRIVATE_FILES_ACCEL_REDIRECT = "/private-files/"
    response = download(client, alice, portal_url(photo))
    assert response["X-Accel-Redirect"] == f"/private-files/{photo.file.name}"
    refused = download(client, chloe, portal_url(photo))
    assert refused.status_code == 404 and not refused.has_header("X-Accel-Redirect")


def test_an_html_page_is_refused_on_the_portal(client, alice, leak):
    client.force_login(alice)
    page = SimpleUploadedFile("page.html", b"<script>alert(1)</script>", "text/html")
    response = client.post(leak.get_absolute_url(), {"body": "Voici", "attachment": page})
    assert response.status_code == 200 and "attachment" in response.context["form"].errors
    assert not leak.attachments.exists()


def test_an_html_file_stored_before_is_downloaded_not_rendered(client, alice, leak, media):
    (media / "requests/2024/05").mkdir(parents=True)
    (media / "requests/2024/05/page.html").write_bytes(b"<script>alert(1)</script>")
    old = Attachment.objects.create(
        request=leak, file="requests/2024/05/page.html", uploaded_by=alice
    )
    response = download(client, alice, portal_url(old))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def admin_upload(client, bob, leak, upload):
    client.force_login(bob)
    change = reverse("admin:requests_center_request_change", args=[leak.pk])
    data = change_form_data(
        client.get(change), **{"attachments-TOTAL_FORMS": 1, "attachments-0-file": upload}
    )
    return client.post(change, data)


def test_a_manager_uploads_in_the_admin_under_a_random_name(client, bob, leak):
    upload = SimpleUploadedFile("compte rendu.pdf", b"%PDF", "application/pdf")
    assert admin_upload(client, bob, leak, upload).status_code == 302
    attachment = leak.attachments.get()
    assert (str(attachment), attachment.uploaded_by) == ("compte rendu.pdf", bob)
    assert "compte" not in attachment.file.name


def test_an_html_page_is_refused_in_the_admin(client, bob, leak):
    page = SimpleUploadedFile("page.html", b"<script>alert(1)</script>", "text/html")
    response = admin_upload(client, bob, leak, page)
    assert response.status_code == 200 and not leak.attachments.exists()
    assert "Ce type de fichier n’est pas accepté" in response.content.decode()
