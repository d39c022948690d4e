"""QR codes of self check-in links: scanned at reception, or by the visitor's own phone."""

import io

import segno


def png(url):
    """A PNG large enough to scan from a phone screen held up to a reception tablet."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()
