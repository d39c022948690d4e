"""Push through firebase-admin, faked at its one call to FCM (SPEC C-3, N-15)."""

import json

import pytest
from django.core import mail
from django.urls import reverse
from firebase_admin import messaging

from notifications.models import Delivery, Device
from tests.factories import RuleFactory

pytestmark = pytest.mark.django_db
Status = Delivery.Status
DEAD = messaging.UnregisteredError("Requested entity was not found.")


@pytest.fixture
def fcm(settings, monkeypatch):
    """FCM as firebase-admin sees it: records messages, answers per token."""
    settings.RELAIS_CHANNELS = {
        **settings.RELAIS_CHANNELS,
        "push": "notifications.channels.push.FirebasePush",
    }
    monkeypatch.setattr("notifications.channels.push.firebase_app", lambda: "relais-app")
    answers, sent = {}, []

    def send_each_for_multicast(message, app=None):
        sent.append(message)
        responses = []
        for token in message.fids:
            error = answers.get(token)
            responses.append(
                messaging.SendResponse(None if error else {"name": f"msg-{token}"}, error)
            )
        return messaging.BatchResponse(responses)

    monkeypatch.setattr(messaging, "send_each_for_multicast", send_each_for_multicast)
    return answers, sent


def test_n21_a_person_with_many_devices_costs_at_most_ten_fcm_requests_at_once(
    fcm, alice, appointment_factory, emit_now
):
    """firebase-admin starts one thread per device of a multicast: the calls stay small."""
    Device.objects.bulk_create(
        Device(user=alice, token=f"token-{n}", platform="android") for n in range(25)
    )
    RuleFactory(channels=["push"])
    delivery = emit_now("testapp.booked", appointment_factory()).deliveries.get()
    _answers, sent = fcm
    assert [len(message.fids) for message in sent] == [10, 10, 5]
    assert delivery.__class__.objects.get(pk=delivery.pk).status == Status.SENT


@pytest.fixture
def alice_phone(alice):
    return Device.objects.create(user=alice, token="token-phone", platform="android")


def test_c3_push_goes_to_every_active_device_in_one_multicast(
    fcm, alice, alice_phone, appointment_factory, emit_now
):
    Device.objects.create(user=alice, token="token-tablet", platform="ios")
    Device.objects.create(user=alice, token="token-old", platform="ios", active=False)
    RuleFactory(channels=["push"])
    delivery = emit_now("testapp.booked", appointment_factory()).deliveries.get()
    _answers, sent = fcm
    (message,) = sent
    assert sorted(message.fids) == ["token-phone", "token-tablet"]
    assert message.notification.title == "Rendez-vous : Coupe"
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.provider_message_id.startswith("msg-token")


def test_c3_unregistered_token_is_deactivated_and_n15_email_is_the_fallback(
    fcm, alice, alice_phone, appointment_factory, emit_now
):
    answers, _sent = fcm
    answers["token-phone"] = DEAD
    RuleFactory(channels=["push"], fallback_channel="email")
    event = emit_now("testapp.booked", appointment_factory())
    alice_phone.refresh_from_db()
    assert not alice_phone.active and "not found" in alice_phone.deactivated_reason
    push = event.deliveries.get(channel="push")
    assert push.status == Status.FAILED
    assert event.deliveries.get(channel="email").status == Status.SENT
    assert [m.to for m in mail.outbox] == [[f"Alice Durand <{alice.email}>"]]


def test_n15_no_push_device_plans_the_fallback_channel_directly(
    fcm, alice, appointment_factory, emit_now
):
    RuleFactory(channels=["push"], fallback_channel="email")
    event = emit_now("testapp.booked", appointment_factory())
    assert [(d.channel, d.status) for d in event.deliveries.all()] == [("email", Status.SENT)]
    assert fcm[1] == []


def test_c3_a_transient_fcm_error_keeps_the_device(
    fcm, alice, alice_phone, appointment_factory, emit_now, monkeypatch
):
    from config.celery import app as celery_app

    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    answers, _sent = fcm
    answers["token-phone"] = messaging.QuotaExceededError("slow down")
    RuleFactory(channels=["push"])
    delivery = emit_now("testapp.booked", appointment_factory()).deliveries.get()
    alice_phone.refresh_from_db()
    assert alice_phone.active
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED and "gave up" in delivery.last_error


def test_c3_missing_credentials_are_a_clear_permanent_error(
    settings, alice, alice_phone, appointment_factory, emit_now
):
    from notifications.channels.push import firebase_app

    firebase_app.cache_clear()
    settings.RELAIS_CHANNELS = {
        **settings.RELAIS_CHANNELS,
        "push": "notifications.channels.push.FirebasePush",
    }
    settings.FIREBASE_CREDENTIALS_FILE = ""
    RuleFactory(channels=["push"])
    delivery = emit_now("testapp.booked", appointment_factory()).deliveries.get()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 1)
    assert "FIREBASE_CREDENTIALS_FILE" in delivery.last_error


def post_json(client, name, data):
    return client.post(reverse(name), json.dumps(data), content_type="application/json")


def test_c3_a_logged_in_user_registers_and_unregisters_a_device(client, alice):
    client.force_login(alice)
    created = post_json(
        client, "notifications:device_register", {"token": "fcm-1", "platform": "web"}
    )
    assert created.status_code == 201
    assert Device.objects.get(token="fcm-1").user == alice
    again = post_json(
        client, "notifications:device_register", {"token": "fcm-1", "platform": "web"}
    )
    assert again.status_code == 200 and Device.objects.count() == 1
    gone = post_json(client, "notifications:device_unregister", {"token": "fcm-1"})
    assert gone.json() == {"unregistered": 1}
    assert not Device.objects.get(token="fcm-1").active


def test_c3_device_endpoint_refuses_bad_input_clearly(client, alice):
    client.force_login(alice)
    assert (
        post_json(client, "notifications:device_register", {"platform": "web"}).status_code == 400
    )
    bad = post_json(client, "notifications:device_register", {"token": "x", "platform": "fax"})
    assert (bad.status_code, bad.json()) == (400, {"error": "Unknown platform 'fax'."})
    assert not Device.objects.exists()


def test_c3_device_endpoint_needs_login_and_csrf(client, alice):
    from django.test import Client

    anonymous = post_json(client, "notifications:device_register", {"token": "fcm-2"})
    assert anonymous.status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert post_json(strict, "notifications:device_register", {"token": "fcm-2"}).status_code == 403
    assert not Device.objects.exists()


def test_c3_admin_lists_devices_of_the_managers_people_only(
    client, bob, alice, alice_phone, other_organisation
):
    from tests.factories import member

    stranger = member(other_organisation, email="stranger@example.test")
    Device.objects.create(user=stranger, token="token-elsewhere", platform="ios")
    client.force_login(bob)
    listing = client.get(reverse("admin:notifications_device_changelist"))
    assert [d.token for d in listing.context["cl"].queryset] == ["token-phone"]
    page = client.get(reverse("admin:accounts_user_change", args=[alice.pk])).content.decode()
    assert "Android" in page


@pytest.mark.parametrize(
    "body",
    ["[]", '"fcm-1"', "null", "42", "not json", "[" * 100_000 + "]" * 100_000, '{"token": ["x"]}',
     '{"token": {"a": 1}}'],
)  # fmt: skip
def test_c3_junk_bodies_get_a_400_and_change_nothing(client, alice, body):
    client.force_login(alice)
    for name in ("notifications:device_register", "notifications:device_unregister"):
        response = client.post(reverse(name), body, content_type="application/json")
        assert response.status_code == 400
        assert "error" in response.json()
    assert not Device.objects.exists()


@pytest.mark.parametrize("platform", [["web"], {}, None, 3])
def test_c3_a_platform_that_is_not_a_known_name_gets_a_400(client, alice, platform):
    client.force_login(alice)
    response = post_json(
        client, "notifications:device_register", {"token": "x", "platform": platform}
    )
    assert response.status_code == 400
    assert not Device.objects.exists()


def test_c3_a_token_active_for_someone_else_stays_theirs_and_the_answer_says_nothing(
    client, alice, organisation
):
    from tests.factories import member

    mallory = member(organisation, email="mallory@example.test")
    Device.objects.create(user=alice, token="alices-phone", platform="android")
    client.force_login(mallory)
    taken = post_json(client, "notifications:device_register", {"token": "alices-phone"})
    fresh = post_json(client, "notifications:device_register", {"token": "mallorys-phone"})
    assert (
        (taken.status_code, taken.json())
        == (fresh.status_code, fresh.json())
        == (
            201,
            {"active": True},
        )
    )
    assert Device.objects.get(token="alices-phone").user == alice
    assert post_json(
        client, "notifications:device_unregister", {"token": "alices-phone"}
    ).json() == {"unregistered": 0}
    assert Device.objects.get(token="alices-phone").active


def test_c3_a_dead_token_may_be_registered_by_its_new_owner(client, alice, organisation):
    from tests.factories import member

    new_owner = member(organisation, email="new-owner@example.test")
    Device.objects.create(
        user=alice, token="resold-phone", platform="android", active=False,
        deactivated_reason="UnregisteredError",
    )  # fmt: skip
    client.force_login(new_owner)
    assert (
        post_json(client, "notifications:device_register", {"token": "resold-phone"}).status_code
        == 201
    )
    device = Device.objects.get(token="resold-phone")
    assert (device.user, device.active, device.deactivated_reason) == (new_owner, True, "")
