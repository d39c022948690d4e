"""Asking for reset links: limited per client address and per account (issue 10, item 7).

The account typed is counted whether or not it exists, so a refusal tells no one
which addresses have an account; the victim's mailbox is not flooded either.
"""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse

from accounts import throttling

pytestmark = pytest.mark.django_db

NINE = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
HOME = "203.0.113.7"


def ask(client, email, address=HOME):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


@pytest.fixture
def send_now(django_capture_on_commit_callbacks):
    """Run the engine's on-commit sends as each request ends."""

    def post(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return ask(*args, **kwargs)

    return post


def test_three_links_an_hour_per_account_then_a_refusal_saying_when(
    client, alice, send_now, time_machine
):
    time_machine.move_to(NINE, tick=False)
    addresses = ["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"]
    statuses = [send_now(client, alice.email, address).status_code for address in addresses]
    assert statuses == [302, 302, 302, 429]
    assert len(mail.outbox) == 3
    refused = send_now(client, "ALICE@example.test", "198.51.100.5")
    assert refused["Retry-After"] == "3600"
    assert (
        "Trop de tentatives. Vous pourrez réessayer à partir de 10:00 (dans 60 minutes)."
        in refused.content.decode()
    )
    assert len(mail.outbox) == 3


def test_the_account_may_ask_again_once_the_hour_has_passed(client, alice, send_now, time_machine):
    time_machine.move_to(NINE, tick=False)
    for _ask in range(3):
        send_now(client, alice.email)
    time_machine.move_to(NINE + datetime.timedelta(minutes=61), tick=False)
    assert send_now(client, alice.email).status_code == 302
    assert len(mail.outbox) == 4


def test_ten_requests_an_hour_per_address_whatever_the_accounts(client, alice, bob):
    emails = [f"guess{n}@example.test" for n in range(10)]
    assert {ask(client, email).status_code for email in emails} == {302}
    assert ask(client, alice.email).status_code == 429
    assert ask(client, bob.email, address="198.51.100.9").status_code == 302


def test_an_unknown_account_is_refused_exactly_like_a_known_one(client, alice):
    for _ask in range(3):
        ask(client, alice.email, "198.51.100.1")
        ask(client, "nobody@example.test", "198.51.100.2")
    known = ask(client, alice.email, "198.51.100.3")
    unknown = ask(client, "nobody@example.test", "198.51.100.3")
    assert known.status_code == unknown.status_code == 429
    assert known.context["form"].errors == unknown.context["form"].errors


def test_a_refused_request_does_not_prolong_the_wait(client, alice, time_machine):
    time_machine.move_to(NINE, tick=False)
    for _ask in range(3):
        ask(client, alice.email)
    time_machine.move_to(NINE + datetime.timedelta(minutes=50), tick=False)
    assert ask(client, alice.email).status_code == 429
    time_machine.move_to(NINE + datetime.timedelta(minutes=61), tick=False)
    assert ask(client, alice.email).status_code == 302


def test_limits_are_those_the_readme_states():
    assert (throttling.RESET_PER_ACCOUNT.attempts, throttling.RESET_PER_ACCOUNT.window_seconds) == (
        3,
        3600,
    )
    assert (throttling.RESET_PER_ADDRESS.attempts, throttling.RESET_PER_ADDRESS.window_seconds) == (
        10,
        3600,
    )
