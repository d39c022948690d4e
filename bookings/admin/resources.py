"""Resources, their opening hours, closures and add-on services; maintenance periods (B-1, B-14)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.scoping import OrganisationScopedAdmin, OrganisationScopedInline
from bookings import services
from bookings.models import AddOn, Closure, Maintenance, OpeningHours, Resource, TimeOff
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
                ]
            },
        ),
    ]
    inlines = [OpeningHoursInline, ClosureInline, AddOnInline, TimeOffInline]

    def save_model(self, request, obj, form, change):
        services.save_resource(obj, request.user)


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
