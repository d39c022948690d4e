import functools

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation, Role, Site, User
from accounts.scoping import (
    OrganisationScopedAdmin,
    OrganisationScopedInline,
    ScopedAccessMixin,
    managed_organisations,
    may_change_person,
    scope_to_user,
)


class MembershipInline(OrganisationScopedInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["organisation"]


class SiteInline(OrganisationScopedInline):
    model = Site
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedAdmin):
    organisation_path = ""
    manager_actions = ("view", "change")  # creating organisations is for platform staff
    list_display = ["name", "sending_mode", "time_zone", "created_at"]
    list_filter = ["sending_mode"]
    search_fields = ["name"]
    inlines = [SiteInline]


@admin.register(Site)
class SiteAdmin(OrganisationScopedAdmin):
    list_display = ["name", "organisation", "address", "time_zone"]
    list_filter = ["organisation"]
    search_fields = ["name", "address", "organisation__name"]


class RoleFilter(admin.SimpleListFilter):
    """A person's role in the reader's organisations: what they are elsewhere is not shown."""

    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        roles = Membership.objects.filter(role=self.value())
        memberships = scope_to_user(roles, request.user, "organisation")
        return queryset.filter(pk__in=memberships.values("user"))


class ReadOnlyInline:
    """An inline shown without its add, change and delete rights."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@functools.cache
def read_only(inline_class):
    return type(f"ReadOnly{inline_class.__name__}", (ReadOnlyInline, inline_class), {})


class UserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["email"]


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(ScopedAccessMixin, DjangoUserAdmin):
    organisation_path = "memberships__organisation"
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "display_name", "phone", "language", "is_active"]
    list_filter = ["is_active", "language", RoleFilter]
    search_fields = ["email", "display_name", "phone"]
    inlines = [MembershipInline]
    # A membership is its organisation's: that organisation's managers manage it on the page
    # of anyone, even a person whose account they may not change (SPEC P-3).
    organisation_inlines = (MembershipInline,)
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["display_name", "phone", "language", "time_zone"]}),
        (_("Access"), {"fields": ["is_active", "last_login", "date_joined"]}),
        (
            _("Platform permissions"),
            {"fields": ["is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "password1", "password2"],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # Managers never grant platform-wide powers.
        fieldsets = [fieldset for fieldset in fieldsets if fieldset[0] != _("Platform permissions")]
        if self._may_change(request, obj):
            return fieldsets
        # Seen, not changed: no link to the password form, nor the hash's summary.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        if self._may_change(request, obj):
            return super().get_readonly_fields(request, obj)
        return [*flatten_fieldsets(self.get_fieldsets(request, obj)), "password"]

    def get_inlines(self, request, obj):
        inlines = super().get_inlines(request, obj)
        if self._may_change(request, obj):
            return inlines
        # Preferences, devices...: the person's own, changed only with the person.
        return [
            inline if issubclass(inline, self.organisation_inlines) else read_only(inline)
            for inline in inlines
        ]

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_change(request, obj)

    def save_model(self, request, obj, form, change):
        if self._may_change(request, obj):  # else the page saved only memberships
            super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        person = self.get_object(request, unquote(id))
        if person is not None and not may_change_person(request.user, person):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def _may_change(self, request, obj):
        """May the reader change this person's account? (a new person is theirs)"""
        return obj is None or obj.pk is None or may_change_person(request.user, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._keep_creator_able_to_see(request, form.instance)

    def _keep_creator_able_to_see(self, request, user):
        """A manager who adds a person without a membership would lose sight of them."""
        if request.user.is_superuser or user.memberships.exists():
            return
        organisation = managed_organisations(request.user).first()
        if organisation:
            Membership.objects.create(user=user, organisation=organisation)
