"""A flaky provider: 503s and timeouts are retried, an invalid recipient is not (SPEC N-8).

About 30 % of the calls fail, half answered 503, half never answered (the
worker gives up after its timeout). Whether a call fails depends only on the
guest and how many times it was tried, so each delivery's attempts can be
checked exactly; no address fails more than three times in a row, so every
message must get through within the retry limit.
"""

import collections
import random

import pytest

import notifications
from notifications.models import Delivery
from notifications.tasks import MAX_SEND_RETRIES
from tests.fake_provider import TIMEOUT
from tests.reliability.conftest import emails_received
from tests.reliability.processes import wait_for
from tests.testapp.models import Guest

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGES = 60
INVALID = "not-an-address@invalid.example"


class FlakyProvider:
    """A `fail` hook for the fake provider: answers decided per (address, attempt)."""

    def __init__(self, share=0.3, longest_run=3):
        self.share = share
        self.longest_run = longest_run
        self.calls = collections.Counter()
        self.failed = collections.Counter()

    def __call__(self, request):
        address = request.body["to"][0]["email"]
        attempt = self.calls[address]
        self.calls[address] += 1
        if address == INVALID:
            return 400, {"code": "invalid_parameter", "message": "email is not valid in to"}
        if self.failures_for(address) <= attempt:
            return None  # the usual 201
        self.failed[address] += 1
        if random.Random(f"{_guest(address)}/{attempt}/kind").random() < 0.5:
            return 503, {"code": "service_unavailable", "message": "Try again later"}
        return TIMEOUT

    def failures_for(self, address):
        """How many calls for `address` fail before one succeeds (0 to `longest_run`)."""
        failures = 0
        while failures < self.longest_run and (
            random.Random(f"{_guest(address)}/{failures}").random() < self.share
        ):
            failures += 1
        return failures


def _guest(address):
    """'occupant7' for occupant7.<appointment id>@example.test: the plan of failures must not
    depend on the appointment's id, which depends on what ran before in the database
    (with it, about one run in twenty drew a share of failures outside the bounds below)."""
    return address.split("@")[0].split(".")[0]


def test_n8_flaky_provider_delivers_every_message_and_never_retries_a_refusal(
    snow_alert, start_worker, provider, capsys
):
    flaky = provider.fail = FlakyProvider()  # its TIMEOUTs are held until the worker gives up
    appointment = snow_alert(MESSAGES)
    Guest.objects.create(appointment=appointment, name="Nobody", email=INVALID)
    start_worker()
    notifications.emit("testapp.booked", appointment)

    deliveries = Delivery.objects.filter(event__target_id=appointment.pk)
    final = [Delivery.Status.SENT, Delivery.Status.FAILED]
    wait_for(
        lambda: deliveries.filter(status__in=final).count() == MESSAGES + 1,
        90,
        "some messages never reached a final status",
    )

    calls, failed = sum(flaky.calls.values()), sum(flaky.failed.values())
    with capsys.disabled():  # shown in CI's output, pass or fail
        print(f"\n{calls} calls to the provider, {failed} failed (503 or timeout)")
    assert 0.2 <= failed / calls <= 0.4
    refused = deliveries.get(address=INVALID)
    assert (refused.status, refused.attempts) == (Delivery.Status.FAILED, 1)
    assert "400" in refused.last_error
    for delivery in deliveries.exclude(address=INVALID):
        assert delivery.status == Delivery.Status.SENT, delivery.last_error
        assert delivery.attempts == flaky.failures_for(delivery.address) + 1
        assert delivery.attempts <= MAX_SEND_RETRIES + 1
    # Every retry had long finished: the refused address was still asked only once.
    assert collections.Counter(emails_received(provider))[INVALID] == 1
