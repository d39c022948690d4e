"""Bookings with their participants and messages, and the approvals queue (B-2 … B-8)."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.admin import ReadOnlyInline
from accounts.scoping import OrganisationScopedAdmin, OrganisationScopedInline
from bookings import availability, services
from bookings.models import Booking, BookingAddOn, Participant
from bookings.models.proxies import BookingToApprove
from bookings.services import appointments
from bookings.signals import BACK_OFFICE, is_appointment
from notifications.admin import DeliveryHistoryInline
from notifications.admin.manual import ManualMessageMixin


class ParticipantInline(ReadOnlyInline, OrganisationScopedInline):
    model = Participant
    organisation_path = "booking__organisation"
    extra = 0
    fields = ["name", "email", "is_booker", "added_at", "removed_at", "attendance_confirmed_at"]
    readonly_fields = fields


class AddOnLineInline(ReadOnlyInline, OrganisationScopedInline):
    model = BookingAddOn
    organisation_path = "booking__organisation"
    extra = 0
    fields = ["add_on", "quantity", "unit_price", "added_at"]
    readonly_fields = fields


class BookingForm(forms.ModelForm):
    """Checked like the portal's booking: opening hours, maintenance, what is already held."""

    class Meta:
        model = Booking
        fields = ["resource", "booker", "title", "start", "end"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "booker" in self.fields and not (self.instance.pk and not self.instance.booker_id):
            self.fields["booker"].required = True  # only a public page's client has none

    def clean(self):
        data = super().clean()
        resource, start, end = data.get("resource"), data.get("start"), data.get("end")
        if resource and start and end:
            exclude = self.instance.pk
            unchanged = exclude and (self.instance.start, self.instance.end) == (start, end)
            if not unchanged:
                refused = availability.refusal(resource, start, end, exclude=exclude)
                if refused:
                    raise forms.ValidationError(refused.message)
        if self.instance.pk and not services.is_changeable(self.instance):
            raise forms.ValidationError(gettext("This booking can no longer be changed."))
        return data


def _when(booking):
    start, end = timezone.localtime(booking.start), timezone.localtime(booking.end)
    return (
        f"{formats.date_format(start, 'SHORT_DATE_FORMAT')} "
        f"{formats.time_format(start, 'TIME_FORMAT')}–{formats.time_format(end, 'TIME_FORMAT')}"
    )


@admin.register(Booking)
class BookingAdmin(ManualMessageMixin, OrganisationScopedAdmin):
    form = BookingForm
    list_display = ["when", "resource", "booker", "status", "price", "paid_at"]
    list_display_links = ["when"]
    list_filter = ["status", "resource", "source"]
    list_select_related = ["resource", "booker"]
    search_fields = ["title", "booker__email", "booker__display_name", "resource__name"]
    autocomplete_fields = ["booker"]
    readonly_fields = ["status", "source", "booked_by", "price", "pay_by", "paid_at"]
    readonly_fields += ["payment_reference"]
    readonly_fields += ["decided_by", "decided_at", "decision_note", "checked_in_at", "sequence"]
    fieldsets = [
        (None, {"fields": ["resource", "booker", "title", "start", "end"]}),
        (
            _("State"),
            {"fields": ["status", "source", "booked_by", "checked_in_at", "sequence"]},
        ),
        (_("Payment"), {"fields": ["price", "pay_by", "paid_at", "payment_reference"]}),
        (_("Approval"), {"fields": ["decided_by", "decided_at", "decision_note"]}),
    ]
    inlines = [ParticipantInline, AddOnLineInline, DeliveryHistoryInline]
    actions = ["approve", "reject", "mark_paid", "cancel", "mark_no_show"]
    ordering = ["-start"]
    date_hierarchy = "start"

    @admin.display(description=_("time"), ordering="start")
    def when(self, booking):
        return _when(booking)

    def message_recipients(self, booking):
        present = booking.participants.filter(removed_at=None).select_related("user", "booking")
        return [p.user or p for p in present]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.booked_by = request.user if request.user != obj.booker else None
            obj.source = BACK_OFFICE
        services.save_booking(obj, request.user, by=BACK_OFFICE)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.BookingRefused as refused:
            # Someone took the slot between the form's check and the save: the page's
            # transaction is rolled back, nothing is kept, and the manager reads why.
            self.message_user(request, refused.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def _each(self, request, queryset, act, done_message):
        done = 0
        for booking in queryset:
            try:
                done += bool(act(booking))
            except services.BookingRefused as refused:
                self.message_user(request, f"{booking}: {refused.message}", messages.WARNING)
        self.message_user(request, done_message(done))

    @admin.action(description=_("Approve the selected bookings (bookers are told)"))
    def approve(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda b: services.approve(b, request.user),
            lambda n: ngettext("%(count)d approved.", "%(count)d approved.", n) % {"count": n},
        )

    @admin.action(description=_("Reject the selected bookings (bookers are told)"))
    def reject(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda b: services.reject(b, request.user),
            lambda n: ngettext("%(count)d rejected.", "%(count)d rejected.", n) % {"count": n},
        )

    @admin.action(description=_("Mark as paid (the booking is confirmed)"))
    def mark_paid(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda b: services.mark_paid(b, request.user, reference=f"admin:{request.user.pk}"),
            lambda n: (
                ngettext("%(count)d marked paid.", "%(count)d marked paid.", n) % {"count": n}
            ),
        )

    @admin.action(description=_("Cancel the selected bookings (everyone taking part is told)"))
    def cancel(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda b: (
                appointments.cancel_appointment(b.appointment, request.user, by=BACK_OFFICE)
                if is_appointment(b)
                else services.cancel(b, request.user, by=BACK_OFFICE)
            ),
            lambda n: ngettext("%(count)d cancelled.", "%(count)d cancelled.", n) % {"count": n},
        )

    @admin.action(description=_("Mark as no-show"))
    def mark_no_show(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda b: (
                appointments.no_show(b.appointment, request.user)
                if is_appointment(b)
                else services.mark_no_show(b, request.user)
            ),
            lambda n: ngettext("%(count)d no-show.", "%(count)d no-shows.", n) % {"count": n},
        )


@admin.register(BookingToApprove)
class ApprovalQueueAdmin(BookingAdmin):
    """The bookings waiting for an approver, oldest first (B-4)."""

    list_display = ["when", "resource", "booker", "created_at"]
    list_filter = ["resource"]
    actions = ["approve", "reject"]
    ordering = ["created_at"]
    date_hierarchy = None

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=Booking.Status.PENDING_APPROVAL)

    def has_add_permission(self, request):
        return False
