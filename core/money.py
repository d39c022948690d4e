"""Amounts as their reader writes them: « 35,00 € » in French, “€35.00” in English.

Babel's CLDR data knows each language's symbol, its place and its spacing (a no-break
space before « € » in French); the amount's own currency code picks the symbol.
"""

from babel.numbers import format_currency
from django.conf import settings
from django.utils import translation


def money(amount, currency, language=None):
    """`amount` in `currency`, written for `language` (else the active one)."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    return format_currency(amount, currency, locale=translation.to_locale(language))
