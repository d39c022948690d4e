"""QR codes of links that are scanned where something happens: a visitor's self check-in
at reception, a booking's check-in at the room, desk or aircraft itself."""

import io

import segno
from django.utils.safestring import mark_safe


def png(url):
    """A PNG large enough to scan from a phone screen held up to a reception tablet."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def svg(url, *, title):
    """Inline SVG for a printed poster: vector, so it stays sharp at any print size.
    Safe to insert as is: segno escapes the title, and the rest is its own path data."""
    markup = segno.make(url, error="m").svg_inline(
        scale=10, border=2, title=title, omitsize=True, svgclass="qr"
    )
    return mark_safe(markup)  # noqa: S308
