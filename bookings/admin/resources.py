"""Resources, their opening hours, closures and add-on services; maintenance periods (B-1, B-14)."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.scoping import OrganisationScopedAdmin, OrganisationScopedInline
from bookings import services, tokens
from bookings.models import AddOn, Closure, Maintenance, OpeningHours, Resource, TimeOff
from core import qr
from notifications.admin import DeliveryHistoryInline


class OpeningHoursInline(OrganisationScopedInline):
    model = OpeningHours
    organisation_path = "resource__organisation"
    extra = 0


class ClosureInline(OrganisationScopedInline):
    model = Closure
    organisation_path = "resource__organisation"
    extra = 0


class AddOnInline(OrganisationScopedInline):
    model = AddOn
    organisation_path = "resource__organisation"
    extra = 0


class TimeOffInline(OrganisationScopedInline):
    """A staff member's time off, on their agenda."""

    model = TimeOff
    organisation_path = "resource__organisation"
    extra = 0


@admin.register(Resource)
class ResourceAdmin(OrganisationScopedAdmin):
    list_display = ["name", "kind", "site", "capacity", "price", "requires_approval", "manager"]
    list_filter = ["kind", "site", "requires_approval", "is_active"]
    search_fields = ["name"]
    autocomplete_fields = ["manager", "approvers", "staff_member"]
    fieldsets = [
        (None, {"fields": ["organisation", "site", "kind", "name", "description", "is_active"]}),
        (_("Capacity and price"), {"fields": ["capacity", "price", "currency"]}),
        (_("Who"), {"fields": ["manager", "requires_approval", "approvers", "staff_member"]}),
        (
            _("Check-in"),
            {
                "fields": [
                    "check_in_opens_minutes",
                    "check_in_closes_minutes",
                    "auto_cancel_without_check_in",
                    "check_in_poster",
                ]
            },
        ),
    ]
    readonly_fields = ["check_in_poster"]
    inlines = [OpeningHoursInline, ClosureInline, AddOnInline, TimeOffInline]

    def save_model(self, request, obj, form, change):
        services.save_resource(obj, request.user)

    @admin.display(description=_("QR code at the resource"))
    def check_in_poster(self, resource):
        if not resource.pk:
            return gettext("Save the resource first, then print its check-in poster.")
        url = reverse("admin:bookings_resource_check_in_poster", args=[resource.pk])
        return format_html(
            '<a class="button" href="{}">{}</a>', url, gettext("Print the check-in poster")
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/check-in-poster/",
                self.admin_site.admin_view(self.check_in_poster_view),
                name="bookings_resource_check_in_poster",
            ),
            *super().get_urls(),
        ]

    def check_in_poster_view(self, request, object_id):
        """A page to print and put up at the resource: its QR code opens the check-in of the
        booking of whoever scans it (B-1)."""
        # Scoped like the list: another organisation's resource is not found (SPEC P-3).
        resource = self.get_object(request, unquote(object_id))
        if resource is None:
            raise Http404
        url = tokens.resource_check_in_url(resource)
        title = gettext("Check in: %(name)s") % {"name": resource.name}
        context = {
            "resource": resource,
            "url": url,
            "qr": qr.svg(url, title=title),
            "title": title,
            "back": reverse("admin:bookings_resource_change", args=[resource.pk]),
        }
        return TemplateResponse(request, "admin/bookings/resource/check_in_poster.html", context)


@admin.register(Maintenance)
class MaintenanceAdmin(OrganisationScopedAdmin):
    list_display = ["resource", "start", "end", "description", "status"]
    list_filter = ["status", "resource"]
    fields = ["resource", "start", "end", "description", "status"]
    readonly_fields = ["status"]
    inlines = [DeliveryHistoryInline]
    actions = ["end_now"]

    def save_model(self, request, obj, form, change):
        services.save_maintenance(obj, request.user)  # announced to the people concerned

    @admin.action(description=_("End the selected maintenance periods now (people are told)"))
    def end_now(self, request, queryset):
        ended = sum(services.end_maintenance(m, request.user) for m in queryset)
        self.message_user(
            request,
            ngettext("%(count)d maintenance ended.", "%(count)d maintenance periods ended.", ended)
            % {"count": ended},
        )
