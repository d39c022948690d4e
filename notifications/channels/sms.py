"""SMS (SPEC C-2): a console backend for development, Twilio in production."""

import logging
from typing import NamedTuple

from django.conf import settings

from notifications.channels.base import ChannelBackend, SendResult

logger = logging.getLogger(__name__)

# The GSM 03.38 alphabet: texts written only with it fit 160 characters a
# segment. One other character (an emoji, a curly apostrophe, a non-breaking
# space) switches the whole text to UCS-2: 70 a segment, and twice the money.
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")  # each counts as two characters


class SmsLength(NamedTuple):
    encoding: str  # "GSM-7" or "UCS-2"
    characters: int  # as the network counts them
    segments: int  # SMS billed


def segment_info(text):
    """How an SMS text is encoded, counted and billed (SPEC N-3)."""
    if all(char in GSM7_BASIC or char in GSM7_EXTENDED for char in text):
        length = sum(2 if char in GSM7_EXTENDED else 1 for char in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        length = len(text.encode("utf-16-le")) // 2  # an emoji takes two UCS-2 units
        single, multi, encoding = 70, 67, "UCS-2"
    segments = 1 if length <= single else -(-length // multi)
    return SmsLength(encoding, length, segments)


class SMSChannel(ChannelBackend):
    kind = "sms"
    transmits_in_threads = True  # a text needs only the row's address and body

    def address_for(self, recipient):
        return recipient.phone

    def billed_segments(self, text):
        return segment_info(text).segments


class ConsoleSMS(SMSChannel):
    """Development: the SMS is printed to the worker's log, nothing leaves."""

    def transmit(self, delivery):
        logger.warning("SMS to %s: %s", delivery.address, delivery.body)
        return SendResult(provider_message_id=f"console-sms-{delivery.pk}")


class TwilioSMS(SMSChannel):
    @property
    def sender(self):
        return settings.TWILIO_SMS_FROM

    def sender_for(self, organisation_id):
        from notifications.messengers.integrations import twilio_account

        return twilio_account(organisation_id).sms_from

    def prepare(self, delivery):
        """The delivery and the Twilio account it leaves from: its organisation's own, else
        the platform's (SPEC C-6), read here, before the pool's thread calls Twilio."""
        from notifications.messengers.integrations import twilio_account

        return delivery, twilio_account(delivery.event.organisation_id)

    def transmit(self, prepared):
        # Twilio's SDK only where it is used: counting segments in a form must not need it.
        from notifications.channels import twilio_api

        delivery, account = prepared
        twilio = twilio_api.client(account)
        try:
            message = twilio.messages.create(
                to=delivery.address,
                from_=account.sms_from,
                body=delivery.body,
                status_callback=twilio_api.callback_url("notifications:twilio_status"),
            )
        except twilio_api.ERRORS as error:
            raise twilio_api.channel_error(error) from error
        return SendResult(provider_message_id=message.sid)
