"""Manual messages by messenger from a request's page (SPEC C-6, N-12; RemOnline): WhatsApp
and Viber "open the chat" links, logged as handed to the messenger, offered only where the
person has a phone number and ticked that messenger; another number typed instead."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from accounts.models import Role
from notifications.consent.models import ConsentRecord, PhoneStop
from notifications.messengers.ticks import set_tick
from notifications.models import Delivery
from tests.factories import member

pytestmark = pytest.mark.django_db
PHONE = "+33612345678"


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


@pytest.fixture
def alice_phone(alice):
    alice.phone = PHONE
    alice.save()
    return alice


def message_url(request):
    return reverse("admin:requests_center_request_message", args=[request.pk])


def offered(client, request):
    form = client.get(message_url(request)).context["form"]
    return {channel: key for key, (person, channel) in form.options.items()}, form


def test_c6_no_tick_no_chat_links_and_no_phone_no_chat_links(bob_client, leak, alice, organisation):
    set_tick(organisation, "whatsapp", "", True, method="admin", user=alice)  # no number
    options, _form = offered(bob_client, leak)
    assert "whatsapp" not in options and "viber" not in options
    alice.phone = PHONE
    alice.save()
    options, _form = offered(bob_client, leak)
    assert "whatsapp" not in options and "viber" not in options  # a number, no tick
    assert "sms" not in options and "email" not in options  # every manual channel needs it
    assert "inapp" in options  # her own inbox has no address to accept


def test_c6_whatsapp_link_is_prefilled_and_logged_as_handed_to_the_messenger(
    bob_client, leak, alice_phone, bob, organisation
):
    set_tick(organisation, "whatsapp", PHONE, True, method="admin", user=alice_phone)
    options, form = offered(bob_client, leak)
    assert (
        "Alice Durand — WhatsApp (ouvrir la conversation) (+33612345678)"
        in dict(form.fields["to"].choices).values()
    )
    answer = bob_client.post(
        message_url(leak), {"to": options["whatsapp"], "body": "Le plombier passe à 9 h & demie."}
    )
    assert answer.status_code == 200
    link = answer.context["link"]
    parts = urlsplit(link)
    assert (parts.netloc, parts.path) == ("wa.me", "/33612345678")
    assert parse_qs(parts.query)["text"] == ["Le plombier passe à 9 h & demie."]
    assert f'href="{link}"' in answer.content.decode().replace("&amp;", "&")
    delivery = Delivery.objects.get(event__code="notifications.manual")
    assert (delivery.channel, delivery.status, delivery.address, delivery.reason) == (
        "whatsapp",
        Delivery.Status.SENT,
        PHONE,
        "handed to the messenger",
    )
    assert delivery.event.actor == bob and delivery.target_id == leak.pk


def test_c6_viber_link_opens_the_chat_without_text(bob_client, leak, alice_phone, organisation):
    set_tick(organisation, "viber", PHONE, True, method="admin", user=alice_phone)
    options, _form = offered(bob_client, leak)
    answer = bob_client.post(message_url(leak), {"to": options["viber"], "body": ""})
    assert answer.context["link"] == "viber://chat?number=%2B33612345678"
    assert Delivery.objects.get(event__code="notifications.manual").channel == "viber"


def test_n12_another_number_can_be_typed_and_junk_gets_a_form_error(
    bob_client, leak, alice_phone, organisation
):
    set_tick(organisation, "whatsapp", PHONE, True, method="admin", user=alice_phone)
    options, _form = offered(bob_client, leak)
    junk = bob_client.post(
        message_url(leak), {"to": options["whatsapp"], "body": "x", "address": "pas un numéro"}
    )
    assert junk.status_code == 200 and "address" in junk.context["form"].errors
    stop = ConsentRecord.objects.create(kind="stop", channel="sms", method="sms")
    PhoneStop.objects.create(
        sender="", number="+33699999999", record=stop, created_at=stop.created_at
    )
    answer = bob_client.post(
        message_url(leak),
        {"to": options["whatsapp"], "body": "Bonjour", "address": "06 11 22 33 44"},
    )
    assert answer.context["link"].startswith("https://wa.me/33611223344?text=")
    assert Delivery.objects.get(event__code="notifications.manual").address == "+33611223344"


def test_n12_a_typed_email_address_is_used_instead(
    bob_client, leak, alice, organisation, on_commit
):
    from django.core import mail

    set_tick(organisation, "email", alice.email, True, method="admin", user=alice)
    options, _form = offered(bob_client, leak)
    with on_commit():
        bob_client.post(
            message_url(leak),
            {
                "to": options["email"],
                "subject": "Fuite",
                "body": "Bonjour",
                "address": "Alice.Bureau@Example.test",
            },
        )
    assert mail.outbox[-1].to[0].endswith("<alice.bureau@example.test>")


def test_n12_the_manager_ticks_channels_on_the_profile_through_the_ledger(
    bob_client, alice_phone, bob, organisation
):
    url = reverse("admin:accounts_user_ticks", args=[alice_phone.pk])
    page = bob_client.get(url)
    name = f"tick_{organisation.pk}_whatsapp"
    assert name in page.context["form"].fields
    answer = bob_client.post(url, {name: "on"})
    assert answer.status_code == 302
    record = ConsentRecord.objects.get(channel="whatsapp", kind="opt_in_given")
    assert (record.user, record.admin_user, record.address, record.method) == (
        alice_phone,
        bob,
        PHONE,
        "admin",
    )
    assert "WhatsApp" in record.text
    profile = bob_client.get(reverse("admin:accounts_user_change", args=[alice_phone.pk]))
    assert "WhatsApp" in profile.content.decode() or "whatsapp" in profile.content.decode()
    bob_client.post(url, {})  # unticked
    assert ConsentRecord.objects.filter(channel="whatsapp", kind="opt_in_refused").exists()


def test_n12_another_organisations_manager_cannot_tick_for_her(
    client, alice_phone, other_organisation
):
    client.force_login(member(other_organisation, Role.MANAGER))
    url = reverse("admin:accounts_user_ticks", args=[alice_phone.pk])
    assert client.get(url).status_code in (302, 403, 404)
    assert client.post(url, {"tick_1_whatsapp": "on"}).status_code in (302, 403, 404)
    assert not ConsentRecord.objects.filter(channel="whatsapp").exists()


def test_p3_the_persons_page_shows_only_the_viewers_organisations_ticks(
    bob_client, alice_phone, organisation, other_organisation
):
    from accounts.models import Membership

    Membership.objects.create(user=alice_phone, organisation=other_organisation)
    set_tick(other_organisation, "viber", PHONE, True, method="admin", user=alice_phone)
    set_tick(organisation, "whatsapp", PHONE, True, method="admin", user=alice_phone)
    superuser = member(organisation, email="root@example.test")
    superuser.is_superuser = superuser.is_staff = True
    superuser.save()
    bob_client.force_login(superuser)
    page = bob_client.get(reverse("admin:accounts_user_change", args=[alice_phone.pk]))
    panel = page.content.decode()
    assert "Parc Horizon · Viber" in panel and "Résidence Les Tilleuls · WhatsApp" in panel
    # A manager of the Tilleuls only (Alice also belongs to Parc Horizon: view only).
    from notifications.messengers.admin import messengers_panel

    shown = str(messengers_panel(alice_phone, [organisation.pk]))
    assert "WhatsApp" in shown and "Viber" not in shown and "Parc Horizon" not in shown
