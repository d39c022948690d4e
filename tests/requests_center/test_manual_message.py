"""A manager writes to a person from the request's admin page (SPEC N-12)."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from notifications.models import Delivery, Preference, Suppression

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def alice_accepts_emails(alice, organisation):
    """Alice ticked "accepts emails" on her profile: a manual email needs it (N-12)."""
    from notifications.messengers.ticks import set_tick

    set_tick(organisation, "email", alice.email, True, method="admin", user=alice)


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


def message_url(request):
    return reverse("admin:requests_center_request_message", args=[request.pk])


def test_n12_manager_writes_an_email_with_a_document_and_it_is_logged(
    bob_client, leak, alice, bob, on_commit, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    form = bob_client.get(message_url(leak)).context["form"]
    to = next(
        key
        for key, (person, channel) in form.options.items()
        if (person, channel) == (alice, "email")
    )
    with on_commit():
        response = bob_client.post(
            message_url(leak),
            {
                "to": to,
                "subject": "Passage du plombier",
                "body": "Le plombier passe demain à 9 h.",
                "attachment": SimpleUploadedFile(
                    "devis.pdf", b"%PDF-1.4", content_type="application/pdf"
                ),
            },
        )
    assert response.status_code == 302
    email = mail.outbox[-1]
    assert (email.subject, email.body.split("\n\n")[0]) == (
        "Passage du plombier",
        "Le plombier passe demain à 9 h.",
    )
    assert email.attachments[0][:2] == ("devis.pdf", b"%PDF-1.4")
    delivery = Delivery.objects.get(event__code="notifications.manual")
    assert (delivery.user, delivery.status, delivery.event.actor) == (alice, "sent", bob)
    assert delivery.target_id == leak.pk  # it shows in the request's history panel


def test_n12_only_reachable_channels_are_offered(bob_client, leak, alice):
    Preference.objects.create(user=alice, group="direct", channel="inapp", enabled=False)
    Suppression.objects.create(channel="email", address=alice.email, reason="bounce")
    form = bob_client.get(message_url(leak)).context["form"]
    offered = {(person, channel) for person, channel in form.options.values()}
    assert (alice, "email") not in offered  # bounced
    assert (alice, "inapp") not in offered  # she opted out
    assert (alice, "sms") not in offered  # no phone number


def test_n12_a_forged_choice_is_refused(bob_client, leak):
    response = bob_client.post(message_url(leak), {"to": "9:sms", "body": "x"})
    assert response.status_code == 200 and "to" in response.context["form"].errors
    assert not Delivery.objects.filter(event__code="notifications.manual").exists()


def test_n12_other_organisations_requests_cannot_be_written_about(client, leak, other_organisation):
    from accounts.models import Role
    from tests.factories import member

    client.force_login(member(other_organisation, Role.MANAGER))
    assert client.get(message_url(leak)).status_code == 404


def test_n12_the_change_page_offers_the_action(bob_client, leak):
    page = bob_client.get(reverse("admin:requests_center_request_change", args=[leak.pk]))
    assert message_url(leak) in page.content.decode()


def test_n12_a_subject_with_a_line_break_is_refused_with_a_clear_message(bob_client, leak, alice):
    form = bob_client.get(message_url(leak)).context["form"]
    to = next(key for key, (p, channel) in form.options.items() if (p, channel) == (alice, "email"))
    response = bob_client.post(
        message_url(leak), {"to": to, "subject": "Fuite\nBcc: x@example.test", "body": "Bonjour"}
    )
    assert response.status_code == 200
    assert "retirez les retours à la ligne" in str(response.context["form"].errors["subject"])
    assert not Delivery.objects.filter(event__code="notifications.manual").exists()


def test_n12_a_manual_message_keeps_plain_line_endings(bob_client, leak, alice, on_commit):
    form = bob_client.get(message_url(leak)).context["form"]
    to = next(key for key, (person, channel) in form.options.items() if channel == "inapp")
    with on_commit():
        bob_client.post(message_url(leak), {"to": to, "body": "Bonjour,\r\n\r\nÀ demain."})
    delivery = Delivery.objects.get(event__code="notifications.manual")
    assert delivery.body == "Bonjour,\n\nÀ demain."
