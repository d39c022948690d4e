"""Keywords people text back (SPEC C-2): STOP, START, OUI/NON, AIDE."""

import logging
import unicodedata

from django.dispatch import Signal
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.models import Suppression
from notifications.suppressions import lift, suppress

logger = logging.getLogger(__name__)

# Sent when someone answers yes or no by SMS; an app that asked a question
# (snow-alert opt-in) connects to it. Arguments: phone, answer ("yes"/"no"), text.
inbound_reply = Signal()

# keyword -> (action, language of the reply)
KEYWORDS = {
    "STOP": ("stop", "fr"),
    "ARRET": ("stop", "fr"),
    "STOPALL": ("stop", "en"),
    "UNSUBSCRIBE": ("stop", "en"),
    "START": ("start", "fr"),
    "UNSTOP": ("start", "en"),
    "OUI": ("yes", "fr"),
    "YES": ("yes", "en"),
    "NON": ("no", "fr"),
    "NO": ("no", "en"),
    "AIDE": ("help", "fr"),
    "HELP": ("help", "en"),
}


def keyword(text):
    """The first word, upper case, without accents: "arrêt !" -> "ARRET"."""
    words = text.strip().split()
    if not words:
        return ""
    bare = unicodedata.normalize("NFKD", words[0]).encode("ascii", "ignore").decode()
    return "".join(char for char in bare if char.isalnum()).upper()


def handle(phone, text, source):
    """Act on an inbound SMS; return the reply to text back ("" for none)."""
    action, language = KEYWORDS.get(keyword(text), (None, "fr"))
    with translation.override(language):
        if action == "stop":
            suppress("sms", phone, Suppression.Reason.STOP, f"Replied {text!r} ({source})")
            return _("You will no longer receive our text messages. Reply START to resume.")
        if action == "start":
            lift("sms", phone, Suppression.Reason.STOP)
            return _("You will receive our text messages again. Reply STOP to stop.")
        if action in ("yes", "no"):
            inbound_reply.send(sender=handle, phone=phone, answer=action, text=text)
            return ""
        if action == "help":
            return _("Relais notifications. Reply STOP to stop text messages, START to resume.")
    logger.info("Inbound SMS from %s without a keyword: %r", phone, text)
    return ""
