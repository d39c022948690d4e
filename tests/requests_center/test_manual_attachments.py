"""Documents a manager sends by hand: accepted types only, private, sent under their own name
(SPEC N-12; issue 10, item 3)."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from notifications import manual
from notifications.models import Delivery, ManualAttachment
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def alice_accepts_emails(alice, organisation):
    """Alice ticked "accepts emails" on her profile: a manual email needs it (N-12)."""
    from notifications.messengers.ticks import set_tick

    set_tick(organisation, "email", alice.email, True, method="admin", user=alice)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_FILES_ACCEL_REDIRECT = ""
    return tmp_path


def message_url(request):
    return reverse("admin:requests_center_request_message", args=[request.pk])


def attachment_url(request, attachment):
    return reverse(
        "admin:requests_center_request_message_attachment", args=[request.pk, attachment.pk]
    )


def write(client, bob, alice, leak, upload):
    client.force_login(bob)
    form = client.get(message_url(leak)).context["form"]
    to = next(key for key, option in form.options.items() if option == (alice, "email"))
    return client.post(
        message_url(leak),
        {"to": to, "subject": "Devis", "body": "Ci-joint.", "attachment": upload},
    )


@pytest.fixture
def sent_quote(client, bob, alice, leak, on_commit):
    """The quote Bob sent Alice about her leak."""
    upload = SimpleUploadedFile("devis plombier.pdf", b"%PDF-1.4", "application/pdf")
    with on_commit():
        assert write(client, bob, alice, leak, upload).status_code == 302
    return ManualAttachment.objects.get()


@pytest.fixture
def old_quote(bob, alice, leak, media):
    """A document sent before names were random, stored under the name it was given."""
    (media / "manual/2024/05").mkdir(parents=True)
    (media / "manual/2024/05/devis.pdf").write_bytes(b"%PDF-old")
    delivery = manual.send(
        target=leak,
        person=alice,
        channel="email",
        subject="Devis",
        body="Ci-joint.",
        sender=bob,
        organisation=leak.organisation,
    )
    return ManualAttachment.objects.create(event=delivery.event, file="manual/2024/05/devis.pdf")


def test_n12_the_document_is_stored_under_a_random_name_and_sent_under_its_own(sent_quote):
    assert "devis" not in sent_quote.file.name and sent_quote.file.name.endswith(".pdf")
    assert str(sent_quote) == "devis plombier.pdf"
    assert mail.outbox[-1].attachments[0][:2] == ("devis plombier.pdf", b"%PDF-1.4")


@pytest.mark.parametrize("name", ["page.html", "image.svg", "outil.exe"])
def test_n12_a_document_of_another_type_is_refused_and_nothing_is_sent(
    client, bob, alice, leak, name
):
    response = write(client, bob, alice, leak, SimpleUploadedFile(name, b"<script></script>"))
    assert response.status_code == 200
    assert "Ce type de fichier n’est pas accepté" in str(response.context["form"].errors)
    assert not Delivery.objects.filter(event__code=manual.MANUAL).exists()
    assert not ManualAttachment.objects.exists()


def test_n12_the_managers_of_the_organisation_download_what_was_sent(client, bob, leak, sent_quote):
    client.force_login(bob)
    response = client.get(attachment_url(leak, sent_quote))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4"
    assert response["Content-Disposition"] == 'attachment; filename="devis plombier.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_p3_another_organisations_manager_gets_a_404(client, other_organisation, leak, sent_quote):
    client.force_login(member(other_organisation, Role.MANAGER))
    assert client.get(attachment_url(leak, sent_quote)).status_code == 404


def test_p3_an_occupant_and_anonymous_are_sent_to_the_admin_login(client, alice, leak, sent_quote):
    client.logout()
    response = client.get(attachment_url(leak, sent_quote))
    assert response.status_code == 302 and reverse("admin:login") in response.url
    client.force_login(alice)
    response = client.get(attachment_url(leak, sent_quote))
    assert response.status_code == 302 and reverse("admin:login") in response.url


def test_p3_a_document_asked_for_under_another_object_is_a_404(
    client, bob, alice, site, plumbing, sent_quote, on_commit
):
    from requests_center import services

    with on_commit():
        other = services.submit(alice, site=site, category=plumbing, title="x", description=".")
    client.force_login(bob)
    assert client.get(attachment_url(other, sent_quote)).status_code == 404


def test_n12_documents_stored_under_their_old_names_are_still_served_and_sent(
    client, bob, leak, old_quote, on_commit
):
    assert str(old_quote) == "devis.pdf"
    client.force_login(bob)
    response = client.get(attachment_url(leak, old_quote))
    assert response.status_code == 200 and "devis.pdf" in response["Content-Disposition"]
    delivery = Delivery.objects.get(event=old_quote.event)
    assert delivery.attachments() == [("devis.pdf", b"%PDF-old", "application/pdf")]


def test_n12_links_work_with_debug_off(client, bob, leak, settings, sent_quote):
    settings.DEBUG = False
    client.force_login(bob)
    assert client.get(attachment_url(leak, sent_quote)).status_code == 200
    assert client.get(f"/media/{sent_quote.file.name}").status_code == 404
