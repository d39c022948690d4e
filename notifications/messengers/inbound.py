"""A WhatsApp message to our sender (SPEC C-6): it opens the 24-hour window, and STOP (or
ARRÊT…, the SMS keywords) unticks WhatsApp for that number, on the ledger."""

from django.utils.translation import gettext as _

from notifications.channels.whatsapp import opened_window
from notifications.consent.models import ConsentRecord, ContactConsent
from notifications.feedback.keywords import STOP, read
from notifications.messengers.ticks import PURPOSE, set_tick
from notifications.recipients import as_e164


def whatsapp_inbound(number, text, message_id=""):
    """Act on a WhatsApp message from `number`; the reply to send back ("" for none)."""
    number = as_e164(number)
    if not number:
        return ""  # not a number: nothing to open, nobody to untick
    opened_window(number)
    keyword = read(text)
    if keyword is None or keyword.action != STOP:
        return ""
    ticked = ContactConsent.objects.filter(
        purpose=PURPOSE, channel="whatsapp", address=number, state=ContactConsent.State.ACCEPTED
    ).select_related("organisation", "user")
    for consent in ticked:
        set_tick(
            consent.organisation,
            "whatsapp",
            number,
            False,
            method=ConsentRecord.Method.SMS,
            user=consent.user,
            keyword=keyword.word,
            text=text,
            provider_message_id=message_id,
        )
    return _("You will receive no more WhatsApp messages from us.")
