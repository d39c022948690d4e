"""Validity types, members' validities, accounts and thresholds, subscriptions (B-14 … B-16)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.scoping import OrganisationScopedAdmin
from bookings import services
from bookings.models import Account, BalanceThreshold, Subscription, Validity, ValidityType
from notifications.admin import DeliveryHistoryInline


class ValidityTypeForm(forms.ModelForm):
    alerted_roles = forms.MultipleChoiceField(
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Also warned of every member's expiry"),
        help_text=_("Receiving every expiry can mean many emails."),
    )

    class Meta:
        model = ValidityType
        fields = ["organisation", "name", "kind", "lead_days", "repeat_days", "alerted_roles"]


@admin.register(ValidityType)
class ValidityTypeAdmin(OrganisationScopedAdmin):
    form = ValidityTypeForm
    list_display = ["name", "kind", "lead_days", "repeat_days"]


@admin.register(Validity)
class ValidityAdmin(OrganisationScopedAdmin):
    list_display = ["member", "validity_type", "expires_on", "last_warned_on"]
    list_filter = ["validity_type"]
    search_fields = ["member__email", "member__display_name"]
    autocomplete_fields = ["member"]
    fields = ["validity_type", "member", "expires_on", "last_warned_on"]
    readonly_fields = ["last_warned_on"]
    inlines = [DeliveryHistoryInline]

    def save_model(self, request, obj, form, change):
        services.save_validity(obj, request.user)


@admin.register(Account)
class AccountAdmin(OrganisationScopedAdmin):
    list_display = ["member", "balance", "currency"]
    search_fields = ["member__email", "member__display_name"]
    autocomplete_fields = ["member"]
    fields = ["organisation", "member", "balance", "currency"]
    inlines = [DeliveryHistoryInline]

    def save_model(self, request, obj, form, change):
        balance = obj.balance
        if not change:
            obj.balance = 0
            obj.save()
        services.record_balance(obj, balance, request.user)  # below the threshold: told


@admin.register(BalanceThreshold)
class BalanceThresholdAdmin(OrganisationScopedAdmin):
    list_display = ["organisation", "amount"]


@admin.register(Subscription)
class SubscriptionAdmin(OrganisationScopedAdmin):
    list_display = ["user", "topic", "delivery", "only_supervised", "created_at"]
    list_filter = ["topic", "delivery"]
    autocomplete_fields = ["user"]
