"""Admin views of bookings that have their own list."""

from django.utils.translation import gettext_lazy as _

from bookings.models.bookings import Booking


class BookingToApprove(Booking):
    class Meta:
        proxy = True
        verbose_name = _("booking to approve")
        verbose_name_plural = _("approvals queue")
