"""Appointments in the back office: services, the public page, agendas' time off, the day's
appointments, reviews and no-shows per client (SPEC B-10, B-11, B-17). Requests to accept
are in the approvals queue, with the other bookings waiting for a yes."""

from django.contrib import admin, messages
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.scoping import (
    OrganisationScopedAdmin,
    OrganisationScopedInline,
    managed_organisations,
)
from bookings.availability import BookingRefused
from bookings.forms_appointments import BACK_OFFICE_SMS_CONSENT, BackOfficeAppointmentForm
from bookings.models import (
    Appointment,
    AppointmentNoShow,
    AppointmentReview,
    Booking,
    BookingPage,
    Participant,
    Service,
    StaffRecap,
    Waitlist,
    WaitlistEntry,
    WaitlistOffer,
)
from bookings.services import appointments
from bookings.signals import BACK_OFFICE


@admin.register(Service)
class ServiceAdmin(OrganisationScopedAdmin):
    list_display = [
        "name",
        "duration_minutes",
        "buffer_minutes",
        "price",
        "requires_acceptance",
        "requires_payment",
        "is_active",
    ]
    list_filter = ["is_active", "requires_acceptance", "requires_payment"]
    search_fields = ["name"]
    filter_horizontal = ["agendas"]


@admin.register(BookingPage)
class BookingPageAdmin(OrganisationScopedAdmin):
    list_display = ["slug", "organisation", "is_open", "manager_email", "manager_phone"]


def _client(appointment):
    return appointment.booking.participants.filter(is_booker=True).first()


class AppointmentAdminBase(OrganisationScopedAdmin):
    organisation_path = "booking__organisation"
    list_select_related = ["booking__resource__staff_member", "service"]
    manager_actions = ("view", "change")
    search_fields = ["booking__participants__email", "booking__participants__name"]

    def has_add_permission(self, request):
        return False  # an appointment is booked on the public page or from the appointments

    @admin.display(description=_("when"), ordering="booking__start")
    def when(self, appointment):
        start = timezone.localtime(appointment.booking.start, appointment.booking.zone)
        return formats.date_format(start, "SHORT_DATETIME_FORMAT")

    @admin.display(description=_("staff member"))
    def staff(self, appointment):
        return appointment.booking.resource.staff_member or appointment.booking.resource

    @admin.display(description=_("client"))
    def client(self, appointment):
        found = _client(appointment)
        return f"{found.name} <{found.email}>" if found else ""

    @admin.display(description=_("status"), ordering="booking__status")
    def status(self, appointment):
        return appointment.booking.get_status_display()


@admin.register(Appointment)
class AppointmentAdmin(AppointmentAdminBase):
    """The day's appointments per agenda (filter by staff and date), booking one for a client,
    and closing them."""

    list_display = ["when", "staff", "service", "client", "status", "review_stars"]
    list_filter = ["booking__resource", "service", "booking__status"]
    date_hierarchy = "booking__start"
    fields = ["booking", "service", "price", "review_stars", "review_comment", "reviewed_at"]
    readonly_fields = fields
    actions = ["complete", "no_show", "cancel"]
    manager_actions = ("view", "add", "change")
    add_fields = [
        "service",
        "agenda",
        "start",
        "name",
        "email",
        "phone",
        "language",
        "sms_consent",
    ]

    def has_add_permission(self, request):
        return OrganisationScopedAdmin.has_add_permission(self, request)

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, **kwargs)
        form = super().get_form(request, obj, form=BackOfficeAppointmentForm, **kwargs)
        # The staff members offered are the manager's organisations' only.
        return type(form.__name__, (form,), {"organisations": managed_organisations(request.user)})

    def save_model(self, request, obj, form, change):
        if change:
            return  # every field is read-only: changes go through the actions
        data = form.cleaned_data
        booked = appointments.book_for_client(
            data["service"],
            data["agenda"],
            data["start"],
            form.client(),
            request.user,
            sms_text=str(BACK_OFFICE_SMS_CONSENT) if data["sms_consent"] else "",
            page=request.path,
        )
        obj.pk, obj.booking = booked.pk, booked.booking  # the admin's log and redirect

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except BookingRefused as refused:
            # Taken between the form's check and the save: the page's transaction is rolled
            # back (no appointment, no consent recorded) and the manager reads why.
            self.message_user(request, refused.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def _each(self, request, queryset, act, message):
        done = 0
        for appointment in queryset.select_related("booking"):
            try:
                done += bool(act(appointment))
            except BookingRefused as refused:
                self.message_user(request, f"{appointment}: {refused.message}", messages.WARNING)
        self.message_user(request, message(done))

    @admin.action(description=_("Mark completed (the client is thanked and asked for a review)"))
    def complete(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda a: appointments.complete(a, request.user),
            lambda n: ngettext("%(count)d completed.", "%(count)d completed.", n) % {"count": n},
        )

    @admin.action(description=_("Mark as no-show (the client is told)"))
    def no_show(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda a: appointments.no_show(a, request.user),
            lambda n: ngettext("%(count)d no-show.", "%(count)d no-shows.", n) % {"count": n},
        )

    @admin.action(description=_("Cancel (client, staff member and owner are told)"))
    def cancel(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda a: appointments.cancel_appointment(a, request.user, by=BACK_OFFICE),
            lambda n: ngettext("%(count)d cancelled.", "%(count)d cancelled.", n) % {"count": n},
        )


@admin.register(AppointmentReview)
class ReviewAdmin(AppointmentAdminBase):
    list_display = ["reviewed_at", "staff", "service", "client", "review_stars", "review_comment"]
    list_filter = ["review_stars", "service"]
    fields = ["service", "review_stars", "review_comment", "reviewed_at"]
    readonly_fields = fields
    ordering = ["-reviewed_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(reviewed_at=None)


@admin.register(AppointmentNoShow)
class NoShowAdmin(AppointmentAdminBase):
    """No-shows, each with how many the same client (by email address) has (B-10)."""

    list_display = ["when", "client", "client_no_shows", "staff", "service"]
    fields = ["service", "price"]
    readonly_fields = fields
    ordering = ["-booking__start"]

    def get_queryset(self, request):
        client_email = Participant.objects.filter(
            booking=OuterRef("booking"), is_booker=True
        ).values("email")[:1]
        same_client = (
            Booking.objects.filter(
                organisation=OuterRef("booking__organisation"),
                status=Booking.Status.NO_SHOW,
                participants__is_booker=True,
                participants__email=OuterRef("client_email"),
            )
            .values("organisation")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .filter(booking__status=Booking.Status.NO_SHOW)
            .annotate(client_email=Subquery(client_email))
            .annotate(no_shows=Subquery(same_client))
        )

    @admin.display(description=_("no-shows of this client"), ordering="-no_shows")
    def client_no_shows(self, appointment):
        return appointment.no_shows


@admin.register(StaffRecap)
class StaffRecapAdmin(OrganisationScopedAdmin):
    """Each person's daily recap of appointments, at their hour on their clock (B-13)."""

    list_display = ["user", "send_time", "day", "whole_day", "enabled"]
    list_filter = ["day", "whole_day", "enabled"]
    autocomplete_fields = ["user"]

    def save_model(self, request, obj, form, change):
        appointments.save_staff_recap(obj)


class OfferInline(OrganisationScopedInline):
    model = WaitlistOffer
    organisation_path = "entry__waitlist__organisation"
    extra = 0
    fields = ["offered_at", "status", "expires_at", "decided_at", "hold"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(OrganisationScopedAdmin):
    """People waiting, with every offer made to them: offered, claimed, expired (B-12)."""

    organisation_path = "waitlist__organisation"
    list_display = [
        "name",
        "email",
        "waitlist",
        "wanted_start",
        "earlier_than",
        "status",
        "created_at",
    ]
    list_filter = ["status", "waitlist"]
    search_fields = ["email", "name"]
    fields = [
        "waitlist",
        "agenda",
        "wanted_start",
        "earlier_than",
        "name",
        "email",
        "phone",
        "status",
    ]
    readonly_fields = fields
    inlines = [OfferInline]

    def has_add_permission(self, request):
        return False


@admin.register(WaitlistOffer)
class LiveOfferAdmin(OrganisationScopedAdmin):
    """Offers and their expiry: the live ones first (B-12)."""

    organisation_path = "entry__waitlist__organisation"
    list_display = ["entry", "slot", "status", "offered_at", "expires_at", "decided_at"]
    list_filter = ["status"]
    ordering = ["status", "expires_at"]
    fields = ["entry", "hold", "status", "offered_at", "expires_at", "decided_at"]
    readonly_fields = fields
    manager_actions = ("view",)

    @admin.display(description=_("slot"))
    def slot(self, offer):
        return timezone.localtime(offer.hold.start, offer.hold.zone).strftime("%Y-%m-%d %H:%M")


@admin.register(Waitlist)
class WaitlistAdmin(OrganisationScopedAdmin):
    list_display = [
        "service",
        "claim_window_minutes",
        "night_starts",
        "night_ends",
        "confirms_at_once",
    ]
