"""The keyed hash an erased person's address is kept as (SPEC P-5)."""

from core.identifiers import forms_of, hashed, is_hashed, with_hashes
from notifications.consent.models import PhoneStop


def test_p5_a_hash_is_keyed_and_fits_a_stops_number_column(settings):
    number = "+33611111111"
    first = hashed(number)
    assert is_hashed(first) and number not in first
    assert len(first) <= PhoneStop._meta.get_field("number").max_length
    settings.RELAIS_ERASURE_KEY = "another key"
    assert hashed(number) != first  # without the key, trying every number finds nothing


def test_p5_an_email_address_hashes_the_same_in_any_case():
    assert hashed("Alice@Example.test") == hashed("alice@example.test ")


def test_p5_lookups_match_an_address_and_its_hash_never_a_hash_of_a_hash():
    number = "+33611111111"
    assert with_hashes({number, ""}) == {number, hashed(number)}
    assert with_hashes({hashed(number)}) == {hashed(number)}
    assert forms_of({number}) == {number: number, hashed(number): number}
