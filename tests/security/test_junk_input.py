"""Random input at every door a stranger can knock on: no 500, and nothing changed on refusal.

Hypothesis throws JSON of any shape, strings and sizes at the provider webhooks
(signed as the provider would sign them, so the body reaches the parser), at
the device API, and at the pages behind signed links that need no login.
"""

import base64
import json

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from accounts.models import User
from bookings import payments
from bookings.models import Booking
from notifications.models import Delivery, Device, Preference, Suppression
from visitors.models import Visitor

pytestmark = pytest.mark.django_db

# The database fixture is per test, not per example: each example checks its own changes.
EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TEXT = st.text(max_size=300) | st.text(max_size=5000, alphabet='a{}[]"\\:,0123456789')
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(TEXT, inner, max_size=5),
    max_leaves=25,
)
# Shaped like Brevo's events, so the parser gets past its first key and meets odd values.
BREVO_LIKE = st.fixed_dictionaries(
    {
        "event": st.sampled_from(["delivered", "opened", "hard_bounce", "spam", "blocked"]) | TEXT,
        "email": TEXT | JSON,
        "message-id": TEXT | JSON,
        "ts_event": st.integers() | TEXT | JSON,
    }
)
BODIES = JSON.map(json.dumps) | BREVO_LIKE.map(json.dumps) | st.binary(max_size=2000)


def state():
    """What a refused request must leave as it was."""
    return (
        list(Delivery.objects.values_list("pk", "status", "last_error").order_by("pk")),
        list(Suppression.objects.values_list("channel", "address").order_by("pk")),
        list(Device.objects.values_list("token", "user_id", "active").order_by("pk")),
        list(Preference.objects.values_list("user_id", "group", "channel", "enabled")),
        list(Visitor.objects.values_list("pk", "checked_in_at", "checked_out_at")),
        list(User.objects.values_list("pk", "password", "is_active").order_by("pk")),
        list(Booking.objects.values_list("pk", "status", "paid_at").order_by("pk")),
    )


def answered(response, before):
    assert response.status_code < 500
    if response.status_code >= 400:
        assert state() == before, f"refused with {response.status_code}, yet something changed"


@EXAMPLES
@given(body=BODIES)
def test_esp_tracking_webhook_survives_any_body(client, fake_provider, body):
    auth = base64.b64encode(b"relais:webhook-secret").decode()
    before = state()
    response = client.post(
        reverse("notifications:esp_tracking", args=["brevo"]),
        body,
        content_type="application/json",
        headers={"Authorization": f"Basic {auth}"},
    )
    answered(response, before)


FORM = st.dictionaries(
    st.sampled_from(["MessageSid", "CallSid", "MessageStatus", "CallStatus", "ErrorCode", "To",
                     "From", "Body"]) | st.text(max_size=20),
    st.text(max_size=500) | st.sampled_from(["21610", "delivered", "STOP", "START", "OUI"]),
    max_size=8,
)  # fmt: skip


@EXAMPLES
@given(form=FORM, which=st.sampled_from(["twilio_status", "twilio_inbound"]))
def test_twilio_webhooks_survive_any_form(client, fake_provider, form, which):
    path = reverse(f"notifications:{which}")
    signature = RequestValidator("twilio-test-token").compute_signature(
        "http://127.0.0.1:8000" + path, form
    )
    before = state()
    response = client.post(path, form, headers={"X-Twilio-Signature": signature})
    answered(response, before)


@EXAMPLES
@given(body=BODIES, which=st.sampled_from(["device_register", "device_unregister"]))
def test_device_api_survives_any_body(client, alice, body, which):
    client.force_login(alice)
    before = state()
    response = client.post(reverse(f"notifications:{which}"), body, content_type="application/json")
    answered(response, before)


TOKENS = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="/?#%"),
    min_size=1,
    max_size=400,
)


@EXAMPLES
@given(token=TOKENS, method=st.sampled_from(["get", "post"]))
def test_signed_link_pages_survive_any_token(client, alice, token, method):
    before = state()
    for url in (
        reverse("notifications:unsubscribe", args=[token]),
        reverse("visitors:self_check_in", args=[token]),
        reverse("bookings:one_tap", args=["approve", token]),
        reverse("bookings:one_tap", args=[token, token]),
        reverse("workorders:status", args=[token]),
        reverse("password_reset_confirm", args=[token, token[::-1]]),
    ):
        response = getattr(client, method)(url, {"confirm": "1"})
        answered(response, before)


# Shaped like a payment, so the parser gets past its first key and meets odd values.
PAYMENT_LIKE = st.fixed_dictionaries(
    {"booking": st.integers() | TEXT | JSON, "reference": TEXT | JSON, "amount": TEXT | JSON}
)


@EXAMPLES
@given(body=BODIES | PAYMENT_LIKE.map(json.dumps), signed=st.booleans())
def test_payment_callback_survives_any_body(client, body, signed):
    """B-3: signed (so the body reaches the parser) or not, never a 500, nothing changed."""
    raw = body.encode() if isinstance(body, str) else body
    before = state()
    response = client.post(
        reverse("bookings:payment_callback"),
        raw,
        content_type="application/json",
        headers={"X-Relais-Signature": payments.sign(raw) if signed else "forged"},
    )
    answered(response, before)
