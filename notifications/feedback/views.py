"""Providers' webhooks: ESP tracking, Twilio's statuses and inbound SMS (SPEC C-2, N-7).

The ESP's tracking URL exists for the configured ESP only, behind anymail's
basic-auth secret. Every Twilio request must carry a valid X-Twilio-Signature
for the exact public URL Twilio called (SITE_URL + path). Anything refused, and
any body that cannot be read, changes nothing: 403 or 400, never a 500.
"""

import functools
import logging

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from notifications.channels.email import esp_name
from notifications.feedback.keywords import handle, provider_reports_stop
from notifications.feedback.status import record
from notifications.models import Delivery

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
# What reading a body the sender did not write as documented raises, in anymail or in us.
MALFORMED = (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError)


@csrf_exempt
def esp_tracking(request, esp):
    """anymail's tracking webhook of the configured ESP; in one transaction, junk refused whole."""
    if not esp or esp != esp_name():
        raise Http404("No tracking webhook for this provider.")
    try:
        view = resolve(f"/{esp}/tracking/", urlconf="anymail.urls").func
    except Resolver404:
        raise Http404("anymail has no tracking webhook for this provider.") from None
    try:
        with transaction.atomic():
            return view(request)
    except MALFORMED as error:
        logger.warning("Malformed %s tracking webhook refused: %r", esp, error)
        return HttpResponseBadRequest("The webhook body could not be read.")


def twilio_signed(view):
    """Refuse requests Twilio did not sign with our auth token."""

    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        from twilio.request_validator import RequestValidator  # Twilio's SDK, when Twilio calls

        url = settings.SITE_URL + request.get_full_path()
        signature = request.headers.get("X-Twilio-Signature", "")
        token = _auth_token(request.POST.get("AccountSid", ""))
        validator = RequestValidator(token)
        if not token or not validator.validate(url, request.POST, signature):
            logger.warning("Twilio webhook with a bad signature refused: %s", url)
            return HttpResponseForbidden("Invalid signature")
        return view(request, *args, **kwargs)

    return csrf_exempt(require_POST(checked))


def _auth_token(account_sid):
    """The auth token Twilio signed with: an organisation's own account (C-6), else ours."""
    from notifications.messengers.models import Integration

    own = Integration.objects.filter(twilio_account_sid=account_sid).exclude(twilio_account_sid="")
    for integration in own[:1]:
        return integration.twilio_auth_token
    return settings.TWILIO_AUTH_TOKEN


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
        provider_reports_stop(request.POST.get("To", ""), sid, request.POST.get("AccountSid", ""))
    return HttpResponse(status=204)


@twilio_signed
def twilio_inbound(request):
    from twilio.twiml.messaging_response import MessagingResponse

    post = request.POST
    if post.get("From", "").startswith("whatsapp:"):
        # A WhatsApp message opens its 24-hour window; its STOP unticks WhatsApp only.
        from notifications.messengers.inbound import whatsapp_inbound

        number = post["From"].removeprefix("whatsapp:")
        reply = whatsapp_inbound(number, post.get("Body", ""), post.get("MessageSid", ""))
    else:
        reply = handle(
            post.get("From", ""),
            post.get("Body", ""),
            post.get("MessageSid", ""),
            account_sid=post.get("AccountSid", ""),
        )
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return HttpResponse(str(response), content_type="application/xml")
