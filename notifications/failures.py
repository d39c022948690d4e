"""Why a delivery failed for good, as a code to count by: what it means, what to do (SPEC P-4).

Each channel words its errors itself (a Twilio code and its meaning, a dead push token, a
Telegram chat gone); this module reads those words once, when a delivery fails for good,
and stores the cause on the row (`Delivery.failure`). The dashboard counts failures by it
and the delivery log filters by it, so both name exactly the same rows.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Cause:
    label: str
    meaning: str
    action: str


TWILIO = "twilio:"
BOUNCED = "email:bounced"
EMAIL_REFUSED = "email:refused"
DEAD_PUSH = "push:dead_token"
TELEGRAM_GONE = "telegram:gone"
NOT_CONFIGURED = "not_configured"
GAVE_UP = "gave_up"
OTHER = "other"

CAUSES = {
    f"{TWILIO}21610": Cause(
        _("Replied STOP"),
        _("The recipient replied STOP to this number: Twilio refuses every text to them."),
        _("Nothing to do: they opted out. They can text START to opt back in."),
    ),
    f"{TWILIO}30003": Cause(
        _("Phone unreachable"),
        _("The phone was off or out of coverage for as long as the carrier kept trying."),
        _("Try again later or on another channel; check the number if it keeps failing."),
    ),
    f"{TWILIO}30005": Cause(
        _("Unknown number"),
        _("The number does not exist or is no longer assigned."),
        _("Ask the person for their current number."),
    ),
    f"{TWILIO}30006": Cause(
        _("Landline or unreachable carrier"),
        _("The number cannot take texts (a landline) or its carrier cannot be reached."),
        _("Ask for a mobile number, or reach the person by another channel."),
    ),
    f"{TWILIO}30007": Cause(
        _("Filtered by the carrier"),
        _("The carrier blocked the text as unwanted (spam filtering)."),
        _("Review the wording (links, capitals) and have the sender number registered."),
    ),
    f"{TWILIO}30008": Cause(
        _("Unknown carrier error"),
        _("The carrier refused the text without saying why."),
        _("Send again later; if it persists, contact Twilio's support."),
    ),
    f"{TWILIO}21211": Cause(
        _("Invalid number"),
        _("The phone number is not a valid number."),
        _("Correct the number in the person's profile or contact point."),
    ),
    f"{TWILIO}21614": Cause(
        _("Not a mobile number"),
        _("The number is valid but cannot receive texts (a landline)."),
        _("Ask for a mobile number, or reach the person by another channel."),
    ),
    f"{TWILIO}21408": Cause(
        _("Country not enabled"),
        _("The Twilio account may not send to this country."),
        _("Enable the country in the Twilio account's geographic permissions."),
    ),
    f"{TWILIO}21612": Cause(
        _("Unreachable from this sender"),
        _("This sender number cannot reach the recipient's carrier."),
        _("Use another sender number, or another channel."),
    ),
    BOUNCED: Cause(
        _("Email bounced"),
        _("The address does not exist or refuses mail; it is now on the suppression list."),
        _("Ask the person for a correct email address."),
    ),
    EMAIL_REFUSED: Cause(
        _("Email refused by the provider"),
        _(
            "The email provider refused the address or the message (an earlier bounce, a "
            "complaint, a blocked domain)."
        ),
        _("Check the address; the provider's dashboard says why it refuses it."),
    ),
    DEAD_PUSH: Cause(
        _("Push devices gone"),
        _("The app was uninstalled or its tokens expired: the devices were deactivated."),
        _("Nothing to do: the person is reached again once they sign in on the app."),
    ),
    TELEGRAM_GONE: Cause(
        _("Telegram chat blocked or gone"),
        _("The person blocked the bot or deleted the chat: the link was deactivated."),
        _("They can link Telegram again from their preferences."),
    ),
    NOT_CONFIGURED: Cause(
        _("Channel not configured"),
        _("The channel's provider has no credentials."),
        _("Set its credentials (settings, or the organisation's integrations)."),
    ),
    GAVE_UP: Cause(
        _("Gave up after repeated attempts"),
        _("The provider did not take the message after every attempt."),
        _("Check that the machinery is alive (below) and the provider's status page."),
    ),
    OTHER: Cause(
        _("Other error"),
        _("An error without a known cause."),
        _("Open the messages to read the error."),
    ),
}

# "Twilio 21610: …" (the API's answer), "Twilio undelivered 30003" (a status callback).
_TWILIO_CODE = re.compile(r"^Twilio\b.*?\b(\d{5})\b")
# How the channels word the failures that have a cause of their own (channels/*.py).
_WORDING = [
    ("Recipient refused by the provider", EMAIL_REFUSED),
    ("Every push token of the recipient is dead", DEAD_PUSH),
    ("No active push device", DEAD_PUSH),
    ("Telegram chat gone", TELEGRAM_GONE),
    ("No active Telegram chat", TELEGRAM_GONE),
    ("is not configured", NOT_CONFIGURED),
    ("gave up after", GAVE_UP),
]


def cause_of(channel, status, error):
    """The cause code of a delivery failing for good with `error` (its last_error)."""
    if status == "bounced":
        return BOUNCED
    if found := _TWILIO_CODE.search(error):
        return TWILIO + found.group(1)
    for words, code in _WORDING:
        if words in error:
            return code
    if channel == "email" and status == "failed" and error:
        return EMAIL_REFUSED  # an ESP's "rejected" or "failed" webhook
    return OTHER


def describe(code):
    """What a cause code means; a Twilio code not in the catalog gets a generic meaning."""
    if code in CAUSES:
        return CAUSES[code]
    if code.startswith(TWILIO):
        number = code.removeprefix(TWILIO)
        return Cause(
            _("Twilio error %(code)s") % {"code": number},
            _("Twilio refused or could not deliver the text (error %(code)s).") % {"code": number},
            _("Look the code up in Twilio's error reference."),
        )
    return CAUSES[OTHER]
