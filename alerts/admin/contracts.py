"""Contracts with their log (A-1, A-9): alerts, opt-in changes, runs and edits over time."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.scoping import OrganisationScopedAdmin
from alerts import services
from alerts.log import contract_log_panel
from alerts.models import Contract
from notifications.admin import DeliveryHistoryInline


@admin.register(Contract)
class ContractAdmin(OrganisationScopedAdmin):
    organisation_path = "company__organisation"
    list_display = ["number", "holder", "address", "city", "route", "position", "active"]
    list_display += ["alerts_enabled"]
    list_filter = ["alerts_enabled", "active", "company", "route"]
    search_fields = ["=number", "address"]
    show_full_result_count = False
    filter_horizontal = ["services"]
    fieldsets = [
        (None, {"fields": ["company", "number", "holder", "address", "city"]}),
        (_("Route"), {"fields": ["route", "position"]}),
        (_("Alerts"), {"fields": ["services", "active", "alerts_enabled"]}),
        (_("Log"), {"fields": ["log"]}),
    ]
    readonly_fields = ["log"]
    inlines = [DeliveryHistoryInline]

    @admin.display(description=_("contract log"))
    def log(self, contract):
        return contract_log_panel(contract)

    def save_model(self, request, obj, form, change):
        services.save_contract(obj, request.user)
