"""Organisation scoping (SPEC P-3): a manager sees only their organisations' data.

Every back-office list, filter, form and lookup goes through `scope_to_user`, so a
new domain admin is safe by subclassing `OrganisationScopedAdmin` and naming
the path from its model to `Organisation`.
"""

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.db.models import Q

from accounts.models import BACK_OFFICE_ROLES, Membership, Organisation


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


def may_change_person(user, person):
    """May `user` change `person`'s account (details, password, activity) or delete it?

    Only if `user` manages every organisation `person` belongs to: a person can be a
    manager in one organisation and an occupant in another, and the second's manager
    must not take over the first's account. Staff and superusers: superusers only.
    """
    if user.is_superuser:
        return True
    if person.is_superuser or person.is_staff:
        return False
    return not person.memberships.exclude(organisation__in=managed_organisations(user)).exists()


def changeable_people(user, people):
    """`people` (a User queryset) narrowed to those `user` may change (`may_change_person`)."""
    if user.is_superuser:
        return people
    elsewhere = Membership.objects.exclude(organisation__in=managed_organisations(user))
    return people.filter(is_staff=False, is_superuser=False).exclude(
        pk__in=elsewhere.values("user")
    )


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


def scoped_choices(model, request, admin_site):
    """The rows of `model` that `request.user` may pick or filter by.

    Limited the way the model's own admin limits its list; a model without a scoped
    admin offers nothing to a manager (its rows are the platform's, not theirs).
    """
    model_admin = admin_site._registry.get(model)
    if isinstance(model_admin, ScopedAccessMixin):
        return model_admin.get_queryset(request)
    if request.user.is_superuser:
        return model._default_manager.all()
    return model._default_manager.none()


class ScopedRelatedFieldListFilter(admin.RelatedOnlyFieldListFilter):
    """A sidebar filter on a related field that offers only rows the reader may see.

    Django's `RelatedFieldListFilter` offers every row of the related model, whatever
    the list shows: every person, site and organisation of the platform. This one
    offers the related rows of the listed rows, and only those the reader may see.
    """

    def field_choices(self, field, request, model_admin):
        in_use = model_admin.get_queryset(request).values(f"{self.field_path}__pk")
        visible = scoped_choices(field.related_model, request, model_admin.admin_site)
        return field.get_choices(
            include_blank=False,
            limit_choices_to=Q(pk__in=in_use) & Q(pk__in=visible.values("pk")),
            ordering=self.field_admin_ordering(field, request, model_admin),
        )


UNSCOPED_FILTERS = (admin.RelatedFieldListFilter, admin.RelatedOnlyFieldListFilter)


def scoped_list_filter(model, entry):
    """`entry` of a `list_filter`, with a related field filtered by the scoped filter."""
    if isinstance(entry, str):
        field = get_fields_from_path(model, entry)[-1]
        return (entry, ScopedRelatedFieldListFilter) if field.is_relation else entry
    if isinstance(entry, list | tuple) and entry[1] in UNSCOPED_FILTERS:
        return (entry[0], ScopedRelatedFieldListFilter)
    return entry


class ScopedAccessMixin:
    """Admin permissions for managers, and scoped querysets, filters and choices.

    Managers hold no Django model permissions: their membership is what
    opens the back office, for the actions in `manager_actions`.
    """

    organisation_path = "organisation"
    manager_actions = ("view", "add", "change", "delete")

    def get_queryset(self, request):
        return scope_to_user(super().get_queryset(request), request.user, self.organisation_path)

    def get_list_filter(self, request):
        return [scoped_list_filter(self.model, entry) for entry in super().get_list_filter(request)]

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
        return scoped_choices(db_field.remote_field.model, request, self.admin_site)


class OrganisationScopedAdmin(ScopedAccessMixin, admin.ModelAdmin):
    """Base ModelAdmin for every model that belongs to an organisation."""


class OrganisationScopedInline(ScopedAccessMixin, admin.TabularInline):
    """Base inline for rows that belong to an organisation."""
