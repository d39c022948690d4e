"""One-tap answers from a message (SPEC B-18): no login, a signed, single-use, expiring link.

The GET shows what the link would do and never acts — mail scanners and link previews
open links. The POST acts, once: the link is spent in the same transaction as the change.
"""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone, translation

from bookings import services, tokens
from bookings.models import ApprovalRequest, Booking, Participant
from core import ratelimit

# Wrong links one client address may try before the page refuses it for a while.
GUESSES = ratelimit.Limit(attempts=20, window_seconds=15 * 60)


def one_tap(request, action, token):
    guesses = f"bookings-one-tap:{ratelimit.client_address(request)}"
    if ratelimit.is_blocked(guesses, GUESSES):
        return _page(request, "blocked", status=429)
    subject = _subject(action, token)
    if subject is None:
        ratelimit.record(guesses, GUESSES)
        return _page(request, "invalid", status=404)
    booking, person = subject
    if tokens.is_used(token):
        return _page(request, "used", booking=booking, action=action, status=410)
    if not _applies(action, booking):
        return _page(request, "over", booking=booking, action=action, status=410)
    if request.method != "POST":
        return _page(request, "confirm", booking=booking, action=action, person=person)
    with transaction.atomic():
        if not tokens.spend(token, booking, action):
            return _page(request, "used", booking=booking, action=action, status=410)
        try:
            done = _act(action, booking, person, request.POST.get("note", ""))
        except services.BookingRefused:
            transaction.set_rollback(True)
            done = False
    if not done:
        return _page(request, "over", booking=booking, action=action, status=410)
    return redirect(request.path)  # shows "used": the link has done its work


def _subject(action, token):
    """(booking, acting person) a valid link stands for, or None."""
    try:
        object_id = tokens.read(action, token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if tokens.ACTIONS[action] == "approval":
        found = ApprovalRequest.objects.select_related("booking", "approver").filter(pk=object_id)
        request = found.first()
        return (request.booking, request.approver) if request else None
    participant = Participant.objects.select_related("booking", "user").filter(pk=object_id).first()
    return (participant.booking, participant) if participant else None


def _applies(action, booking):
    if action in ("approve", "reject"):
        return booking.status == Booking.Status.PENDING_APPROVAL
    return services.is_changeable(booking)


def _act(action, booking, person, note):
    if action == "approve":
        return services.approve(booking, person)
    if action == "reject":
        return services.reject(booking, person, note=note)
    if action == "attend":
        return services.confirm_attendance(person, person.user)
    if person.removed_at or not person.is_booker:
        return False
    return services.cancel(booking, person.user or booking.booker, by="client")


def _page(request, state, status=200, **context):
    booking = context.get("booking")
    person = context.get("person")
    language = (
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        or getattr(person, "language", None)
        or translation.get_language()
    )
    zone = booking.zone if booking else timezone.get_current_timezone()
    with timezone.override(zone), translation.override(language):
        response = render(request, "bookings/one_tap.html", {"state": state, **context})
    response.status_code = status
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response
