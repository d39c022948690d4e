"""Twilio's callbacks: message and call status, and inbound SMS (SPEC C-2, N-7).

Every request must carry a valid X-Twilio-Signature for the exact public URL
Twilio called (SITE_URL + path); anything else gets 403 and changes nothing.
"""

import functools
import logging

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from notifications.feedback.keywords import handle
from notifications.feedback.status import record
from notifications.models import Delivery, Suppression
from notifications.suppressions import suppress

logger = logging.getLogger(__name__)
Status = Delivery.Status

# Twilio's MessageStatus / CallStatus -> ours; interim ones (queued, sending, ringing) are skipped.
STATUS_OF = {
    "sent": Status.SENT,
    "delivered": Status.DELIVERED,
    "read": Status.OPENED,
    "undelivered": Status.FAILED,
    "failed": Status.FAILED,
    "completed": Status.DELIVERED,
    "busy": Status.FAILED,
    "no-answer": Status.FAILED,
    "canceled": Status.FAILED,
}
UNSUBSCRIBED_ERROR = "21610"  # the recipient replied STOP to this sender


def twilio_signed(view):
    """Refuse requests Twilio did not sign with our auth token."""

    @functools.wraps(view)
    def checked(request):
        from twilio.request_validator import RequestValidator  # Twilio's SDK, when Twilio calls

        url = settings.SITE_URL + request.get_full_path()
        signature = request.headers.get("X-Twilio-Signature", "")
        validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
        if not settings.TWILIO_AUTH_TOKEN or not validator.validate(url, request.POST, signature):
            logger.warning("Twilio webhook with a bad signature refused: %s", url)
            return HttpResponseForbidden("Invalid signature")
        return view(request)

    return csrf_exempt(require_POST(checked))


@twilio_signed
def twilio_status(request):
    sid = request.POST.get("MessageSid") or request.POST.get("CallSid", "")
    twilio_status = request.POST.get("MessageStatus") or request.POST.get("CallStatus", "")
    error_code = request.POST.get("ErrorCode", "")
    status = STATUS_OF.get(twilio_status)
    if status:
        error = f"Twilio {twilio_status} {error_code}".strip() if status == Status.FAILED else ""
        record(sid, status, error=error)
    if error_code == UNSUBSCRIBED_ERROR:
        suppress("sms", request.POST.get("To", ""), Suppression.Reason.STOP, "Twilio 21610")
    return HttpResponse(status=204)


@twilio_signed
def twilio_inbound(request):
    from twilio.twiml.messaging_response import MessagingResponse

    reply = handle(request.POST.get("From", ""), request.POST.get("Body", ""), "twilio")
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return HttpResponse(str(response), content_type="application/xml")
