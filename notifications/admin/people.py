"""People's side of the engine in the admin: preferences (SPEC N-5) and suppressions (N-7)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import UserAdmin
from accounts.models import User
from accounts.scoping import OrganisationScopedAdmin, ScopedAccessMixin
from notifications import backoffice
from notifications.events import groups
from notifications.forms import PreferenceForm, SuppressionForm
from notifications.models import Preference, Suppression


class GroupFilter(admin.SimpleListFilter):
    title = _("group")
    parameter_name = "group"

    def lookups(self, request, model_admin):
        return [(group.code, group.label) for group in groups()]

    def queryset(self, request, queryset):
        return queryset.filter(group=self.value()) if self.value() else queryset


def _group_label(code):
    return next((group.label for group in groups() if group.code == code), code)


@admin.register(Preference)
class PreferenceAdmin(OrganisationScopedAdmin):
    organisation_path = "user__memberships__organisation"
    form = PreferenceForm
    list_display = ["user", "group_label", "channel", "enabled"]
    list_filter = [GroupFilter, "channel", "enabled"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__display_name"]
    autocomplete_fields = ["user"]

    @admin.display(description=_("group"), ordering="group")
    def group_label(self, preference):
        return _group_label(preference.group)


class PreferenceInline(ScopedAccessMixin, admin.TabularInline):
    """A person's choices, shown and edited on their admin page (SPEC N-5)."""

    model = Preference
    form = PreferenceForm
    organisation_path = "user__memberships__organisation"
    fields = ["group", "channel", "enabled"]
    extra = 0


# accounts.admin registers the user admin without knowing of notifications (the engine must not
# be a dependency of accounts' admin); here the engine adds its panel to that same admin class.
admin.site.unregister(User)


@admin.register(User)
class UserWithPreferencesAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, PreferenceInline]

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        # Preferences belong to an existing person; the "add user" page stays as it was.
        return [i for i in inlines if obj is not None or not isinstance(i, PreferenceInline)]


@admin.register(Suppression)
class SuppressionAdmin(ScopedAccessMixin, admin.ModelAdmin):
    """The suppression list (SPEC N-7): managers see, add and remove their people's addresses."""

    manager_actions = ("view", "add", "delete")
    form = SuppressionForm
    list_display = ["address", "channel", "reason", "created_at"]
    list_filter = ["channel", "reason"]
    search_fields = ["address"]
    ordering = ["-created_at"]
    fields = ["channel", "address", "reason", "detail", "created_at"]
    readonly_fields = ["created_at"]

    def get_queryset(self, request):
        # Not organisation_path: a suppression belongs to an address, not to an organisation.
        return backoffice.visible_suppressions(request.user).order_by(*self.ordering)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def get_changeform_initial_data(self, request):
        return {"reason": Suppression.Reason.MANUAL, **super().get_changeform_initial_data(request)}
