"""Recap schedules in the admin (SPEC N-10): when each summary goes out, per organisation."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.scoping import OrganisationScopedAdmin
from notifications.admin.common import can_edit_rule
from notifications.events import event_label
from notifications.models import RecapSchedule
from notifications.recaps import recap_codes


class RecapScheduleForm(forms.ModelForm):
    event_code = forms.ChoiceField(label=_("recap"))

    class Meta:
        model = RecapSchedule
        fields = ["event_code", "organisation", "send_time", "day", "enabled"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_code"].choices = [(code, event_label(code)) for code in recap_codes()]


@admin.register(RecapSchedule)
class RecapScheduleAdmin(OrganisationScopedAdmin):
    """A default schedule serves every organisation; an organisation's own replaces it."""

    form = RecapScheduleForm
    list_display = ["recap", "organisation_or_default", "send_time", "day", "enabled"]
    list_filter = ["enabled", "day"]

    def get_queryset(self, request):
        own = super().get_queryset(request)
        return own | self.model._default_manager.filter(organisation=None)

    def has_change_permission(self, request, obj=None):
        # The same rule as notification rules: defaults are the platform's.
        return super().has_change_permission(request, obj) and can_edit_rule(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and can_edit_rule(request.user, obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not request.user.is_superuser:
            form.base_fields["organisation"].required = True
        return form

    @admin.display(description=_("recap"), ordering="event_code")
    def recap(self, schedule):
        return event_label(schedule.event_code)

    @admin.display(description=_("organisation"), ordering="organisation__name")
    def organisation_or_default(self, schedule):
        return schedule.organisation or _("Default (every organisation)")
