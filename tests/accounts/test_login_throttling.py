"""Guessing passwords: an account is locked from one address after a few failures (issue 10, 7).

Portal and back office log in through the same authenticate(), so axes counts both;
the lock holds for that account from that address only, so the person it belongs
to still logs in from elsewhere, and an attacker cannot lock them out everywhere.
"""

import datetime
import zoneinfo

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NINE = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=PARIS)
ATTACKER = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


def try_login(client, url, email, password, address=ATTACKER, **extra):
    return client.post(url, {"username": email, "password": password}, REMOTE_ADDR=address, **extra)


def fail(client, url, email, times, address=ATTACKER):
    return [try_login(client, url, email, "wrong", address).status_code for _try in range(times)]


@pytest.fixture
def portal_login():
    return reverse("login")


@pytest.fixture
def admin_login():
    return reverse("admin:login")


def test_the_fifth_wrong_password_locks_the_portal_login_and_says_until_when(
    client, alice, portal_login, time_machine
):
    time_machine.move_to(NINE, tick=False)
    assert settings.AXES_FAILURE_LIMIT == 5
    assert fail(client, portal_login, alice.email, 4) == [200] * 4
    locked = try_login(client, portal_login, alice.email, "wrong")
    assert locked.status_code == 429
    assert locked["Retry-After"] == "900"
    page = locked.content.decode()
    assert "Trop de tentatives. Vous pourrez réessayer à partir de 09:15 (dans 15 minutes)." in page
    assert reverse("password_reset") in page


def test_a_locked_account_is_refused_even_with_the_right_password_from_that_address(
    client, alice, portal_login
):
    fail(client, portal_login, alice.email, 5)
    response = try_login(client, portal_login, alice.email, "pw")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_owner_still_logs_in_from_another_address(client, alice, portal_login):
    fail(client, portal_login, alice.email, 5)
    response = try_login(client, portal_login, alice.email, "pw", address=ELSEWHERE)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_other_accounts_from_the_same_address_are_not_locked(client, alice, bob, portal_login):
    fail(client, portal_login, alice.email, 5)
    assert try_login(client, portal_login, bob.email, "pw").status_code == 302


def test_changing_the_case_or_padding_of_the_email_counts_against_the_same_account(
    client, alice, portal_login
):
    for variant in ["alice@example.test", "ALICE@example.test", " Alice@Example.TEST "]:
        try_login(client, portal_login, variant, "wrong")
    try_login(client, portal_login, "alice@EXAMPLE.test", "wrong")
    assert try_login(client, portal_login, alice.email, "wrong").status_code == 429


def test_the_lock_lifts_once_the_cool_off_has_passed(client, alice, portal_login, time_machine):
    time_machine.move_to(NINE, tick=False)
    fail(client, portal_login, alice.email, 5)
    time_machine.move_to(NINE + datetime.timedelta(minutes=16), tick=False)
    assert try_login(client, portal_login, alice.email, "pw").status_code == 302


def test_trying_again_while_locked_starts_the_cool_off_again(
    client, alice, portal_login, time_machine
):
    time_machine.move_to(NINE, tick=False)
    fail(client, portal_login, alice.email, 5)
    time_machine.move_to(NINE + datetime.timedelta(minutes=10), tick=False)
    again = try_login(client, portal_login, alice.email, "pw")
    assert "à partir de 09:25 (dans 15 minutes)" in again.content.decode()


def test_a_successful_login_forgets_earlier_mistakes(client, alice, portal_login):
    fail(client, portal_login, alice.email, 4)
    assert try_login(client, portal_login, alice.email, "pw").status_code == 302
    client.logout()
    assert fail(client, portal_login, alice.email, 4) == [200] * 4


def test_the_message_speaks_english_to_an_english_reader(client, alice, portal_login, time_machine):
    time_machine.move_to(NINE, tick=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    fail(client, portal_login, alice.email, 4)
    page = try_login(client, portal_login, alice.email, "wrong").content.decode()
    assert "Too many attempts. You can try again from 9:15 a.m. (in 15 minutes)." in page


def test_a_manager_is_locked_out_of_the_back_office_login_too(client, bob, admin_login):
    assert not bob.is_staff  # managers log in through their membership
    assert fail(client, admin_login, bob.email, 4) == [200] * 4
    locked = try_login(client, admin_login, bob.email, "wrong")
    assert locked.status_code == 429
    assert "Trop de tentatives." in locked.content.decode()
    assert "Relais" in locked.content.decode()  # the back office's own page
    assert try_login(client, admin_login, bob.email, "pw").status_code == 429
    welcomed = try_login(client, admin_login, bob.email, "pw", address=ELSEWHERE)
    assert welcomed.status_code == 302


def test_portal_and_back_office_failures_add_up(client, bob, portal_login, admin_login):
    assert fail(client, portal_login, bob.email, 3) == [200] * 3
    assert fail(client, admin_login, bob.email, 2) == [200, 429]
    assert try_login(client, admin_login, bob.email, "pw").status_code == 429


def test_an_overlong_email_is_counted_without_breaking_the_page(client, portal_login):
    statuses = fail(client, portal_login, "x" * 400 + "@example.test", 5)
    assert statuses == [200] * 4 + [429]


def test_behind_a_proxy_each_visitor_has_their_own_count(client, alice, portal_login, settings):
    settings.BEHIND_HTTPS_PROXY = True
    proxy = "10.0.0.2"
    for _try in range(5):
        try_login(client, portal_login, alice.email, "wrong", proxy, HTTP_X_FORWARDED_FOR=ATTACKER)
    owner = try_login(
        client, portal_login, alice.email, "pw", proxy, HTTP_X_FORWARDED_FOR=ELSEWHERE
    )
    assert owner.status_code == 302


def test_a_forged_forwarded_header_does_not_escape_the_lock_behind_a_proxy(
    client, alice, portal_login, settings
):
    settings.BEHIND_HTTPS_PROXY = True
    proxy = "10.0.0.2"
    for forged in ["1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5"]:
        # The proxy appends the address it saw; what the client sent stays on the left.
        try_login(
            client,
            portal_login,
            alice.email,
            "wrong",
            proxy,
            HTTP_X_FORWARDED_FOR=f"{forged}, {ATTACKER}",
        )
    again = try_login(
        client, portal_login, alice.email, "pw", proxy, HTTP_X_FORWARDED_FOR=f"9.9.9.9, {ATTACKER}"
    )
    assert again.status_code == 429
