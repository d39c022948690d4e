"""The payment provider's signed callback, and a development page standing in for it (B-3)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bookings import payments
from bookings.models import Booking


@csrf_exempt  # the provider has no session: the HMAC signature is what proves it
@require_POST
def callback(request):
    answer = payments.receive(request.body, request.headers.get(payments.SIGNATURE_HEADER, ""))
    return JsonResponse({"status": answer.text}, status=answer.status)


@login_required
def pay(request, pk):
    """Development only: what a provider's checkout page would do, then its callback."""
    if not settings.BOOKINGS_FAKE_PAYMENTS:
        raise Http404
    booking = get_object_or_404(Booking, pk=pk, booker=request.user)
    if request.method == "POST" and booking.status == Booking.Status.AWAITING_PAYMENT:
        answer = payments.simulate(booking)
        if answer.status == 200:
            messages.success(request, _("Payment received: the booking is confirmed."))
        else:
            messages.error(request, _("The payment was not accepted."))
        return redirect(booking)
    return render(request, "bookings/pay.html", {"booking": booking})
