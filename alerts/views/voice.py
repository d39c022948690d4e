"""The key pressed on a voice confirmation call (SPEC A-2): Twilio posts it, signed.

Two signatures: Twilio's on the request (the webhook's), ours on the URL (which contact
point the call was for). 1 accepts, 2 refuses, any other key is asked again.
"""

from django.core import signing
from django.http import Http404, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from alerts import tokens
from alerts.models import ContactPoint
from alerts.services.contacts import answer_by_keypad
from notifications.channels.voice import SPEECH_LANGUAGES
from notifications.feedback.views import twilio_signed


@twilio_signed
def voice_answer(request, token):
    from twilio.twiml.voice_response import VoiceResponse  # Twilio's SDK, when Twilio calls

    try:
        point_id = tokens.read_voice_token(token)
    except (signing.BadSignature, ValueError, TypeError):
        raise Http404("No such confirmation call.") from None
    point = ContactPoint.objects.select_related("company", "occupant").filter(pk=point_id).first()
    if point is None or point.method != ContactPoint.Method.VOICE:
        raise Http404("No such confirmation call.")
    digit = request.POST.get("Digits", "")
    with translation.override(point.occupant.language):
        answered = answer_by_keypad(point, digit, request.POST.get("CallSid", ""))
        if answered is None:
            said = _("Sorry, we did not understand. Press 1 to accept, 2 to decline.")
        elif digit == "1":
            said = _("Thank you: you will be called when the snow plough is coming. Goodbye.")
        else:
            said = _("Noted: you will not be called. Goodbye.")
        language = SPEECH_LANGUAGES.get(point.occupant.language, "fr-FR")
    response = VoiceResponse()
    response.say(said, language=language)
    return HttpResponse(str(response), content_type="application/xml")
