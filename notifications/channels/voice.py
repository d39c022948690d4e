"""Voice calls (SPEC C-4): the text is read aloud by Twilio's text-to-speech."""

import logging

from django.conf import settings

from notifications.channels.base import ChannelBackend, SendResult

logger = logging.getLogger(__name__)

# Twilio's <Say> voices by recipient language.
SPEECH_LANGUAGES = {"fr": "fr-FR", "en": "en-GB"}


def twiml(text, language, gather_url=""):
    """The call script: the message, said twice, in the recipient's language.

    With `gather_url` the call asks for one key (a double opt-in: 1 yes, 2 no) and
    Twilio posts it there, signed; the message is said inside the gather, so a key
    pressed while it speaks counts.
    """
    from twilio.twiml.voice_response import (
        Gather,
        VoiceResponse,
    )  # Twilio's SDK, once a call is made

    response = VoiceResponse()
    voice_language = SPEECH_LANGUAGES.get(language, "fr-FR")
    if gather_url:
        gather = Gather(num_digits=1, action=gather_url, method="POST", timeout=8)
        gather.say(text, language=voice_language)
        gather.pause(length=1)
        gather.say(text, language=voice_language)
        response.append(gather)
        return str(response)
    response.say(text, language=voice_language)
    response.pause(length=1)
    response.say(text, language=voice_language)
    return str(response)


def gather_url(delivery):
    """Where the event of this call wants its key posted ("" for a plain message)."""
    event = delivery.event
    if event.is_test:
        return ""
    gather = getattr(event.event_type, "voice_gather", None)
    about = delivery.about_object
    return gather(about) if gather and about is not None else ""


class VoiceChannel(ChannelBackend):
    kind = "voice"

    def address_for(self, recipient):
        return recipient.phone if recipient.voice_phone is None else recipient.voice_phone


class ConsoleVoice(VoiceChannel):
    """Development: the call script is printed to the worker's log."""

    def send(self, delivery):
        logger.warning(
            "Voice call to %s: %s",
            delivery.address,
            twiml(delivery.body, delivery.language, gather_url(delivery)),
        )
        return SendResult(provider_message_id=f"console-call-{delivery.pk}")


class TwilioVoice(VoiceChannel):
    @property
    def sender(self):
        return settings.TWILIO_VOICE_FROM or settings.TWILIO_SMS_FROM

    def sender_for(self, organisation_id):
        from notifications.messengers.integrations import twilio_account

        return twilio_account(organisation_id).voice_from

    def send(self, delivery):
        from notifications.channels import twilio_api
        from notifications.messengers.integrations import twilio_account

        account = twilio_account(delivery.event.organisation_id)  # its own, else the platform's
        twilio = twilio_api.client(account)
        try:
            call = twilio.calls.create(
                to=delivery.address,
                from_=account.voice_from,
                twiml=twiml(delivery.body, delivery.language, gather_url(delivery)),
                status_callback=twilio_api.callback_url("notifications:twilio_status"),
            )
        except twilio_api.ERRORS as error:
            raise twilio_api.channel_error(error) from error
        return SendResult(provider_message_id=call.sid)
