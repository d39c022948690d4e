"""Pieces the alert admins share: the coloured consent state of a contact point."""

from django.utils.html import format_html

from alerts.consent import HEX


def colour_badge(colour):
    """A coloured dot and the state in words (colour is never the only signal)."""
    return format_html(
        '<span class="alerts-state alerts-{}" style="white-space:nowrap">'
        '<span aria-hidden="true" style="display:inline-block;width:.7em;height:.7em;'
        'border-radius:50%;margin-right:.35em;background:{}"></span>{}</span>',
        colour.value,
        HEX[colour],
        colour.label,
    )
