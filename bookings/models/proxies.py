"""Admin views of bookings and appointments that have their own list."""

from django.utils.translation import gettext_lazy as _

from bookings.models.appointments import Appointment
from bookings.models.bookings import Booking


class BookingToApprove(Booking):
    class Meta:
        proxy = True
        verbose_name = _("booking to approve")
        verbose_name_plural = _("approvals queue")


class AppointmentReview(Appointment):
    class Meta:
        proxy = True
        verbose_name = _("review")
        verbose_name_plural = _("reviews")


class AppointmentNoShow(Appointment):
    class Meta:
        proxy = True
        verbose_name = _("no-show")
        verbose_name_plural = _("no-shows")
