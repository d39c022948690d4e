"""Settings come from typed environment variables; a bad value is an error."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env


def test_boolean_reads_the_usual_spellings(monkeypatch):
    monkeypatch.setenv("FLAG", "On")
    assert env.boolean("FLAG", False) is True
    monkeypatch.setenv("FLAG", "0")
    assert env.boolean("FLAG", True) is False
    monkeypatch.delenv("FLAG")
    assert env.boolean("FLAG", True) is True


def test_boolean_refuses_a_value_it_cannot_read(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    with pytest.raises(ImproperlyConfigured, match="FLAG='yes'"):
        env.boolean("FLAG", False)


def test_integer_refuses_a_value_it_cannot_read(monkeypatch):
    monkeypatch.setenv("WORKERS", "four")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env.integer("WORKERS", 1)


def test_secret_is_read_from_the_file_its_FILE_twin_names(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("API_KEY_FILE", str(secret))
    assert env.string("API_KEY") == "s3cret"


def test_a_missing_secret_file_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("API_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="API_KEY_FILE"):
        env.string("API_KEY")


def test_choice_refuses_an_unknown_value(monkeypatch):
    monkeypatch.setenv("MODE", "loud")
    with pytest.raises(ImproperlyConfigured, match="expected one of"):
        env.choice("MODE", "quiet", ["quiet", "normal"])


def test_string_list_drops_blanks(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, ,b.example")
    assert env.string_list("HOSTS") == ["a.example", "b.example"]


def test_number_reads_decimals_and_refuses_text(monkeypatch):
    monkeypatch.setenv("TIMEOUT", "2.5")
    assert env.number("TIMEOUT", 10) == 2.5
    monkeypatch.setenv("TIMEOUT", "soon")
    with pytest.raises(ImproperlyConfigured, match="expected a number"):
        env.number("TIMEOUT", 10)
