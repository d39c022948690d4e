"""Organisation scoping (SPEC P-3): a manager sees only their organisations' data.

Every back-office list, form and lookup goes through `scope_to_user`, so a
new domain admin is safe by subclassing `OrganisationScopedAdmin` and naming
the path from its model to `Organisation`.
"""

from django.contrib import admin

from accounts.models import BACK_OFFICE_ROLES, Organisation


def managed_organisations(user):
    """The organisations whose data `user` may manage in the back office."""
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role__in=BACK_OFFICE_ROLES
    )


def is_back_office_user(user):
    """Platform staff, or a manager/admin of at least one organisation."""
    return user.is_active and (user.is_staff or managed_organisations(user).exists())


def scope_to_user(queryset, user, organisation_path):
    """Restrict `queryset` to rows whose `organisation_path` is managed by `user`."""
    if user.is_superuser:
        return queryset
    if organisation_path == "":  # the queryset is of organisations itself
        return queryset.filter(pk__in=managed_organisations(user).values("pk"))
    # A sub-query rather than a join, so a many-valued path gives no duplicates.
    in_scope = queryset.model._default_manager.filter(
        **{f"{organisation_path}__in": managed_organisations(user).values("pk")}
    )
    return queryset.filter(pk__in=in_scope.values("pk"))


class ScopedAccessMixin:
    """Admin permissions for managers, and scoped querysets and choices.

    Managers hold no Django model permissions: their membership is what
    opens the back office, for the actions in `manager_actions`.
    """

    organisation_path = "organisation"
    manager_actions = ("view", "add", "change", "delete")

    def get_queryset(self, request):
        return scope_to_user(super().get_queryset(request), request.user, self.organisation_path)

    def _manager_may(self, request, action):
        if action not in self.manager_actions:
            return False
        # One admin page asks this many times; answer it once per request.
        if not hasattr(request, "_relais_back_office"):
            request._relais_back_office = is_back_office_user(request.user)
        return request._relais_back_office

    def has_module_permission(self, request):
        return super().has_module_permission(request) or self._manager_may(request, "view")

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self._manager_may(request, "view")

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) or self._manager_may(request, "add")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or self._manager_may(request, "change")

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) or self._manager_may(request, "delete")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", self._scoped_choices(db_field, request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", self._scoped_choices(db_field, request))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _scoped_choices(self, db_field, request):
        """Choices limited the way the related model's own admin limits its list."""
        related = db_field.remote_field.model
        related_admin = self.admin_site._registry.get(related)
        if isinstance(related_admin, ScopedAccessMixin):
            return related_admin.get_queryset(request)
        return related._default_manager.all()


class OrganisationScopedAdmin(ScopedAccessMixin, admin.ModelAdmin):
    """Base ModelAdmin for every model that belongs to an organisation."""


class OrganisationScopedInline(ScopedAccessMixin, admin.TabularInline):
    """Base inline for rows that belong to an organisation."""
