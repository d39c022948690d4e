"""Voice calls (SPEC C-4): the text is read aloud by Twilio's text-to-speech."""

import logging

from django.conf import settings

from notifications.channels.base import ChannelBackend, SendResult

logger = logging.getLogger(__name__)

# Twilio's <Say> voices by recipient language.
SPEECH_LANGUAGES = {"fr": "fr-FR", "en": "en-GB"}


def twiml(text, language):
    """The call script: the message, said twice, in the recipient's language."""
    from twilio.twiml.voice_response import VoiceResponse  # Twilio's SDK, once a call is made

    response = VoiceResponse()
    voice_language = SPEECH_LANGUAGES.get(language, "fr-FR")
    response.say(text, language=voice_language)
    response.pause(length=1)
    response.say(text, language=voice_language)
    return str(response)


class VoiceChannel(ChannelBackend):
    kind = "voice"

    def address_for(self, recipient):
        return recipient.phone if recipient.voice_phone is None else recipient.voice_phone


class ConsoleVoice(VoiceChannel):
    """Development: the call script is printed to the worker's log."""

    def send(self, delivery):
        logger.warning(
            "Voice call to %s: %s", delivery.address, twiml(delivery.body, delivery.language)
        )
        return SendResult(provider_message_id=f"console-call-{delivery.pk}")


class TwilioVoice(VoiceChannel):
    @property
    def sender(self):
        return settings.TWILIO_VOICE_FROM or settings.TWILIO_SMS_FROM

    def send(self, delivery):
        from notifications.channels import twilio_api

        twilio = twilio_api.client()
        try:
            call = twilio.calls.create(
                to=delivery.address,
                from_=settings.TWILIO_VOICE_FROM or settings.TWILIO_SMS_FROM,
                twiml=twiml(delivery.body, delivery.language),
                status_callback=twilio_api.callback_url("notifications:twilio_status"),
            )
        except twilio_api.ERRORS as error:
            raise twilio_api.channel_error(error) from error
        return SendResult(provider_message_id=call.sid)
