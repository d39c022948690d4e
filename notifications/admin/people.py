"""People in the admin: preferences (N-5), suppressions (N-7), devices (C-3), consent (N-20).

Preferences and suppressions change here only through the consent ledger: each save is a
record with the manager who made it, and nothing edits a row around it.
"""

from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _

from accounts.admin import UserAdmin
from accounts.models import User
from accounts.scoping import (
    OrganisationScopedAdmin,
    ScopedAccessMixin,
    changeable_people,
    managed_organisations,
    may_change_person,
)
from notifications import events
from notifications.admin.consent import consent_panel, export_response, export_url
from notifications.consent.models import ConsentRecord
from notifications.events import groups
from notifications.forms import PreferenceForm, SuppressionForm
from notifications.models import Device, Preference, Suppression
from notifications.preferences import set_preference
from notifications.suppressions import lift, suppress, visible_suppressions

ADMIN = ConsentRecord.Method.ADMIN


def save_preference(request, user, group, channel, enabled):
    """A manager's edit of one choice, through the ledger; the stored row."""
    set_preference(
        user, group, channel, enabled, method=ADMIN, admin_user=request.user, page=request.path
    )
    return Preference.objects.get(user=user, group=group, channel=channel)


class GroupFilter(admin.SimpleListFilter):
    title = _("group")
    parameter_name = "group"

    def lookups(self, request, model_admin):
        return [(group.code, group.label) for group in groups()]

    def queryset(self, request, queryset):
        return queryset.filter(group=self.value()) if self.value() else queryset


class PersonsOwnAdmin:
    """A person's own rows (preferences, devices): changed only by who may change the person.

    Someone who belongs to another organisation too is changed by a manager of both
    (accounts.scoping.may_change_person); the others see their rows, read-only.
    """

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_change_person(request.user, obj.user))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_change_person(request.user, obj.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user" and field is not None:
            field.queryset = changeable_people(request.user, field.queryset)
        return field


@admin.register(Preference)
class PreferenceAdmin(PersonsOwnAdmin, OrganisationScopedAdmin):
    organisation_path = "user__memberships__organisation"
    form = PreferenceForm
    list_display = ["user", "group_label", "channel", "enabled"]
    list_filter = [GroupFilter, "channel", "enabled"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__display_name"]
    autocomplete_fields = ["user"]

    def get_readonly_fields(self, request, obj=None):
        # Which choice a row is stays; only its on/off changes (another is another row).
        return ["user", "group", "channel"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False  # turned on again instead: the ledger says when and by whom

    def save_model(self, request, obj, form, change):
        saved = save_preference(request, obj.user, obj.group, obj.channel, obj.enabled)
        obj.pk = saved.pk

    @admin.display(description=_("group"), ordering="group")
    def group_label(self, preference):
        return events.group_label(preference.group)


class PreferenceInline(ScopedAccessMixin, admin.TabularInline):
    """A person's choices, shown and edited on their admin page (SPEC N-5)."""

    model = Preference
    form = PreferenceForm
    organisation_path = "user__memberships__organisation"
    fields = ["group", "channel", "enabled"]
    extra = 0
    can_delete = False  # turned on again instead, through the ledger


class DeviceInline(ScopedAccessMixin, admin.TabularInline):
    """A person's push devices: which are active, and why one was turned off (SPEC C-3)."""

    model = Device
    organisation_path = "user__memberships__organisation"
    manager_actions = ("view", "change")  # a device is registered by its owner's app
    fields = ["name", "platform", "active", "deactivated_reason", "last_seen"]
    readonly_fields = ["name", "platform", "deactivated_reason", "last_seen"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Device)
class DeviceAdmin(PersonsOwnAdmin, OrganisationScopedAdmin):
    organisation_path = "user__memberships__organisation"
    manager_actions = ("view", "change")
    list_display = ["user", "name", "platform", "active", "deactivated_reason", "last_seen"]
    list_filter = ["platform", "active"]
    search_fields = ["user__email", "user__display_name", "name"]
    list_select_related = ["user"]
    fields = [
        "user",
        "name",
        "platform",
        "token",
        "active",
        "deactivated_reason",
        "created_at",
        "last_seen",
    ]
    readonly_fields = ["user", "platform", "token", "deactivated_reason", "created_at", "last_seen"]

    def has_add_permission(self, request):
        return False


# accounts.admin registers the user admin without knowing of notifications (the engine must not
# be a dependency of accounts' admin); here the engine adds its panel to that same admin class.
admin.site.unregister(User)


@admin.register(User)
class UserWithPreferencesAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, PreferenceInline, DeviceInline]
    readonly_fields = [*UserAdmin.readonly_fields, "consent", "messengers"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [*fieldsets, (_("Consent"), {"fields": ["consent", "messengers"]})]

    @admin.display(description=_("Messengers and channels accepted"))
    def messengers(self, person):
        from notifications.messengers.admin import messengers_panel

        return messengers_panel(person, getattr(person, "viewer_organisation_ids", []))

    def get_object(self, request, object_id, from_field=None):
        person = super().get_object(request, object_id, from_field)
        if person is not None:  # the panel shows what the viewer's organisations hold only
            managed = managed_organisations(request.user).values_list("pk", flat=True)
            person.viewer_organisation_ids = list(managed)
        return person

    @admin.display(description=_("Channels and consent ledger"))
    def consent(self, person):
        return consent_panel(person, export_url(person))

    def get_urls(self):
        export = self.admin_site.admin_view(self.consent_export)
        name = "accounts_user_consent_export"
        ticks = self.admin_site.admin_view(self.ticks_view)
        return [
            path("<path:object_id>/consent.json", export, name=name),
            path("<path:object_id>/channels/", ticks, name="accounts_user_ticks"),
            *super().get_urls(),
        ]

    def ticks_view(self, request, object_id):
        from notifications.messengers.admin import ticks_view

        return ticks_view(self, request, object_id)

    def consent_export(self, request, object_id):
        return export_response(self, request, object_id)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Preference:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            if not row.has_changed():
                continue
            data, before = row.cleaned_data, row.instance
            moved = before.pk and (before.group, before.channel) != (data["group"], data["channel"])
            if moved:  # the row now says another choice: the one it said goes back to on
                save_preference(request, form.instance, before.group, before.channel, True)
            saved = save_preference(
                request, form.instance, data["group"], data["channel"], data["enabled"]
            )
            if before.pk:
                formset.changed_objects.append((saved, row.changed_data))
            else:
                formset.new_objects.append(saved)

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        # Preferences and devices belong to an existing person; "add user" stays as it was.
        engine_panels = (PreferenceInline, DeviceInline)
        return [i for i in inlines if obj is not None or not isinstance(i, engine_panels)]


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
        return visible_suppressions(request.user).order_by(*self.ordering)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def get_changeform_initial_data(self, request):
        return {"reason": Suppression.Reason.MANUAL, **super().get_changeform_initial_data(request)}

    def has_change_permission(self, request, obj=None):
        return False  # added or lifted, each a ledger record; never edited in place

    def save_model(self, request, obj, form, change):
        how = {"method": ADMIN, "admin_user": request.user, "page": request.path}
        suppress(obj.channel, obj.address, obj.reason, obj.detail, **how)
        obj.pk = Suppression.objects.get(channel=obj.channel, address=obj.address).pk

    def delete_model(self, request, obj):
        lift(obj.channel, obj.address, request.user)

    def delete_queryset(self, request, queryset):
        for suppression in queryset:
            lift(suppression.channel, suppression.address, request.user)
