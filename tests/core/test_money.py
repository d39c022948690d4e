"""Amounts as each reader writes them: a French reader never sees « 35,00 EUR »."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core.money import money


@pytest.mark.parametrize(
    ("language", "currency", "written"),
    [
        ("fr", "EUR", "35,50\u00a0€"),
        ("en", "EUR", "€35.50"),
        ("fr-ca", "CAD", "35,50\u00a0$"),
        ("en", "CAD", "CA$35.50"),
    ],
)
def test_an_amount_is_written_in_its_readers_language(language, currency, written):
    assert money(Decimal("35.5"), currency, language) == written
    with translation.override(language):
        assert money(Decimal("35.5"), currency) == written


def test_the_template_filter_writes_the_pages_language_and_nothing_for_no_price():
    page = Template("{% load money %}[{{ price|money:'EUR' }}][{{ none|money:'EUR' }}]")
    with translation.override("fr"):
        assert page.render(Context({"price": Decimal("12"), "none": None})) == "[12,00\u00a0€][]"
