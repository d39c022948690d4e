""" "Open the chat" links for manual messages (SPEC C-6, N-12; RemOnline).

WhatsApp's click-to-chat opens a chat with the number, the text prefilled; Viber's opens
the chat only: it takes no text from a link (RemOnline: "Viber ne prend pas de modèle").
The manager presses send in the messenger: Relais hands the message over, and logs that.
"""

from urllib.parse import quote

from notifications.channels.kinds import Channel

# WhatsApp's documented limit for a click-to-chat text is not published; long URLs break
# on some phones, so the prefilled text stops at a length every one of them opens.
MAX_TEXT = 1500


def chat_link(channel, number, text=""):
    """The link that opens `number`'s chat in the messenger (a number in E.164)."""
    if channel == Channel.WHATSAPP:
        url = f"https://wa.me/{number.lstrip('+')}"
        return f"{url}?text={quote(text[:MAX_TEXT], safe='')}" if text else url
    if channel == Channel.VIBER:
        return f"viber://chat?number={quote(number, safe='')}"
    raise ValueError(f"No chat link for {channel!r}.")


def takes_text(channel):
    return channel == Channel.WHATSAPP
