"""Signed links: one object id per token, one purpose per signature, an optional age limit."""

import datetime

import pytest
from django.core import signing

from core import tokens

NOW = datetime.datetime(2026, 11, 30, 7, 0, tzinfo=datetime.UTC)


def test_a_token_reads_back_as_its_object_id():
    assert tokens.read_token("bookings.confirm", tokens.make_token("bookings.confirm", 42)) == 42


def test_a_token_made_for_one_purpose_opens_no_other():
    token = tokens.make_token("visitors.self-check-in", 42)
    with pytest.raises(signing.BadSignature):
        tokens.read_token("bookings.cancel", token)


def test_a_mangled_token_is_refused():
    token = tokens.make_token("bookings.confirm", 42)
    with pytest.raises(signing.BadSignature):
        tokens.read_token("bookings.confirm", token[:-3] + "abc")


def test_a_token_older_than_its_max_age_has_expired(time_machine):
    time_machine.move_to(NOW, tick=False)
    token = tokens.make_token("bookings.confirm", 42)
    time_machine.move_to(NOW + datetime.timedelta(days=2), tick=False)
    assert tokens.read_token("bookings.confirm", token, max_age=datetime.timedelta(days=3)) == 42
    with pytest.raises(signing.SignatureExpired):
        tokens.read_token("bookings.confirm", token, max_age=datetime.timedelta(days=1))


def test_a_signed_url_is_absolute_and_carries_the_token(settings):
    settings.SITE_URL = "https://relais.example.org"
    url = tokens.signed_url("visitors:self_check_in", "visitors.self-check-in", 7)
    assert url.startswith("https://relais.example.org/")
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert tokens.read_token("visitors.self-check-in", token) == 7
