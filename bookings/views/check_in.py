"""Check-in at the resource itself (B-1): its poster's QR code opens this page on the
person's phone. The GET says which of their bookings it would check in — nothing acts on
a GET —, the POST checks it in through the service, inside the resource's window."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bookings import services, tokens


def _resource(user, token):
    """The resource behind the code, if it is one of the person's organisations'."""
    try:
        pk = tokens.read_resource_check_in(token)
    except signing.BadSignature:
        return None
    return services.visible_resources(user).filter(pk=pk).first()


@login_required
@require_http_methods(["GET", "POST"])
def at_resource(request, token):
    resource = _resource(request.user, token)
    if resource is None:
        # A forged code and another organisation's resource look the same: unknown here.
        return render(request, "bookings/check_in_unknown.html", status=404)
    now = timezone.now()
    booking = services.booking_at_resource(resource, request.user, now)
    window_open = booking is not None and booking.check_in_opens <= now <= booking.check_in_closes
    if request.method == "POST":
        return _check_in(request, booking, window_open)
    return render(
        request,
        "bookings/check_in.html",
        {"resource": resource, "booking": booking, "window_open": window_open},
    )


def _check_in(request, booking, window_open):
    # The form names the booking it showed: if time moved on to another one meanwhile,
    # the person sees the page again rather than checking in something they did not see.
    if booking is None or str(booking.pk) != request.POST.get("booking") or not window_open:
        messages.error(
            request,
            _("No check-in is open for you here right now; the page shows where things stand."),
        )
        return redirect(request.path)
    try:
        services.check_in(booking, request.user)
    except services.BookingRefused as refused:
        messages.error(request, refused.message)
        return redirect(request.path)
    messages.success(request, _("You are checked in."))
    return redirect(booking)
