"""People to alert and their contact points, in colour (A-1…A-4, A-8): add (a confirmation
request leaves), resend it, record an answer given by phone, delete the subscription."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.scoping import OrganisationScopedAdmin, OrganisationScopedInline
from alerts import services
from alerts.admin.common import colour_badge
from alerts.consent import Colour, colour_from_row, with_colours
from alerts.models import ContactPoint, Occupant
from alerts.services.contacts import (
    ContactError,
    confirm_in_back_office,
    normalised,
    refuse_duplicates,
)
from notifications.channels.kinds import PHONE_CHANNELS


class ContactPointInline(OrganisationScopedInline):
    model = ContactPoint
    organisation_path = "company__organisation"
    extra = 0
    fields = ["method", "address", "state", "created_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # added from the contact points' page, so the request leaves

    def get_queryset(self, request):
        return with_colours(super().get_queryset(request))

    @admin.display(description=_("state"))
    def state(self, point):
        return colour_badge(colour_from_row(point))


@admin.register(Occupant)
class OccupantAdmin(OrganisationScopedAdmin):
    organisation_path = "company__organisation"
    list_display = ["name", "company", "language"]
    list_filter = ["company"]
    search_fields = ["name"]
    filter_horizontal = ["contracts"]
    inlines = [ContactPointInline]
    readonly_fields = ["add_point"]

    @admin.display(description=_("new contact point"))
    def add_point(self, occupant):
        if occupant.pk is None:
            return "—"
        url = reverse("admin:alerts_contactpoint_add") + "?" + urlencode({"occupant": occupant.pk})
        return format_html('<a href="{}">{}</a>', url, gettext("Add a contact point"))


class ColourFilter(admin.SimpleListFilter):
    """Who is yellow, who said STOP: the colours, read in the list's own query."""

    title = _("state")
    parameter_name = "colour"

    def lookups(self, request, model_admin):
        return Colour.choices

    def queryset(self, request, queryset):
        phone = Q(method__in=PHONE_CHANNELS, number_stopped=True)
        value = self.value()
        if value == Colour.STOP:
            return queryset.filter(phone)
        if value == Colour.RECEIVED:
            return queryset.filter(consent_state=None).exclude(phone)
        if value in Colour.values:
            return queryset.filter(consent_state=value).exclude(phone)
        return queryset


class ContactPointForm(forms.ModelForm):
    class Meta:
        model = ContactPoint
        fields = ["occupant", "method", "address"]

    def clean(self):
        cleaned = super().clean()
        occupant, method = cleaned.get("occupant"), cleaned.get("method")
        if occupant and method and cleaned.get("address"):
            try:
                cleaned["address"] = normalised(method, cleaned["address"])
                refuse_duplicates(occupant, method, cleaned["address"])
            except ContactError as error:
                self.add_error("address", error)
        return cleaned

    def validate_unique(self):
        pass  # the service says which duplicate, in words (ContactError)


@admin.register(ContactPoint)
class ContactPointAdmin(OrganisationScopedAdmin):
    organisation_path = "company__organisation"
    form = ContactPointForm
    list_display = ["address", "method", "occupant", "state", "company", "created_at", "log"]
    list_filter = [ColourFilter, "method", "company"]
    # Exact matches on an index: a phone as typed, an email in any case.
    search_fields = ["=address"]
    show_full_result_count = False
    autocomplete_fields = ["occupant"]
    actions = ["resend", "accept_by_phone", "delete_subscriptions"]

    def get_queryset(self, request):
        return with_colours(super().get_queryset(request).select_related("company", "occupant"))

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        for method in ("email", "sms"):
            try:
                return queryset.filter(address=normalised(method, term)), False
            except ContactError:
                continue
        return queryset.filter(address=term), False

    def get_readonly_fields(self, request, obj=None):
        return ["occupant", "method", "address", "state", "log"] if obj else ["state"]

    def get_fields(self, request, obj=None):
        return (
            ["occupant", "method", "address", "state", "log"]
            if obj
            else ["occupant", "method", "address"]
        )

    def has_change_permission(self, request, obj=None):
        return False if obj else super().has_change_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deleting goes through the service (ledger)
        return actions

    @admin.display(description=_("state"))
    def state(self, point):
        if point.pk is None:
            return "—"
        return colour_badge(colour_from_row(point))

    @admin.display(description=_("what was sent"))
    def log(self, point):
        """The delivery log searched for this address (A-8): "I got no alert" in one click."""
        url = (
            reverse("admin:notifications_delivery_changelist")
            + "?"
            + urlencode({"q": point.address})
        )
        return format_html('<a href="{}">{}</a>', url, gettext("Messages"))

    def save_model(self, request, obj, form, change):
        # The form checked the address and its duplicates; the service adds and asks.
        point = services.add_contact_point(obj.occupant, obj.method, obj.address, request.user)
        obj.pk, obj.company = point.pk, point.company

    def delete_model(self, request, obj):
        services.delete_contact_point(obj, request.user)

    @admin.action(description=_("Send the confirmation request again"))
    def resend(self, request, queryset):
        sent = 0
        for point in queryset:
            try:
                services.resend_confirmation(point, request.user)
                sent += 1
            except ContactError as error:
                messages.warning(request, f"{point.address}: {' '.join(error.messages)}")
        if sent:
            messages.success(
                request,
                ngettext("%(count)d request sent again.", "%(count)d requests sent again.", sent)
                % {"count": sent},
            )

    @admin.action(description=_("Record an acceptance given by phone"))
    def accept_by_phone(self, request, queryset):
        points = list(queryset)
        states = {point.pk: colour_from_row(point) for point in points}
        done = 0
        for point in points:
            if states[point.pk] == Colour.STOP:
                messages.warning(
                    request,
                    gettext("%(address)s texted STOP: it must text START.")
                    % {"address": point.address},
                )
                continue
            confirm_in_back_office(
                point,
                True,
                request.user,
                gettext("Accepted by phone, recorded by %(name)s.") % {"name": request.user},
            )
            done += 1
        if done:
            messages.success(
                request,
                ngettext(
                    "%(count)d contact point confirmed.",
                    "%(count)d contact points confirmed.",
                    done,
                )
                % {"count": done},
            )

    @admin.action(description=_("Delete the subscriptions (recorded in the consent ledger)"))
    def delete_subscriptions(self, request, queryset):
        count = 0
        for point in queryset:
            services.delete_contact_point(point, request.user)
            count += 1
        messages.success(
            request,
            ngettext("%(count)d subscription deleted.", "%(count)d subscriptions deleted.", count)
            % {"count": count},
        )
