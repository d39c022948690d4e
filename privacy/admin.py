"""Export and erasure of a person in the back office (SPEC P-5), and the erasure records.

The person's admin is accounts' own, extended here the way the engine extends it
(notifications.admin.people): accounts does not know this app.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.scoping import ScopedAccessMixin
from privacy.erasure import erase_person
from privacy.forms import ErasureForm
from privacy.models import ErasureRecord
from privacy.permissions import may_export_or_erase
from privacy.views import archive_response

REFUSED = _(
    "Only a manager of every organisation this person belongs to may export or erase their data."
)
ONE_AT_A_TIME = _("Choose one person at a time.")


UserAdmin = type(admin.site._registry[User])
admin.site.unregister(User)


@admin.register(User)
class UserWithPrivacyAdmin(UserAdmin):
    change_form_template = "admin/privacy/user_change_form.html"
    actions = [*(UserAdmin.actions or []), "export_data", "erase"]

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_view)
        erase = self.admin_site.admin_view(self.erase_view)
        return [
            path("<path:object_id>/privacy/export/", export, name="accounts_user_privacy_export"),
            path("<path:object_id>/privacy/erase/", erase, name="accounts_user_privacy_erase"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        context["may_export_or_erase"] = obj is not None and may_export_or_erase(request.user, obj)
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    @admin.action(description=_("Download their data"))
    def export_data(self, request, queryset):
        person = self._only_one(request, queryset)
        if person is not None:
            return archive_response(person)

    @admin.action(description=_("Erase this person…"))
    def erase(self, request, queryset):
        person = self._only_one(request, queryset)
        if person is not None:
            url = reverse("admin:accounts_user_privacy_erase", args=[person.pk])
            return HttpResponseRedirect(url)

    def _only_one(self, request, queryset):
        """The one person selected whom the reader may export or erase; else a message, None."""
        people = list(queryset[:2])
        if len(people) != 1:
            self.message_user(request, ONE_AT_A_TIME, messages.ERROR)
            return None
        if not may_export_or_erase(request.user, people[0]):
            self.message_user(request, REFUSED, messages.ERROR)
            return None
        return people[0]

    def export_view(self, request, object_id):
        return archive_response(self._person(request, object_id))

    def erase_view(self, request, object_id):
        person = self._person(request, object_id)
        form = ErasureForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            erase_person(person, by=request.user, reason=form.cleaned_data["reason"])
            self.message_user(request, gettext("The person was erased."), messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:accounts_user_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Erase %(person)s") % {"person": person},
            "person": person,
            "form": form,
            "opts": self.opts,
            "memberships": person.memberships.select_related("organisation"),
        }
        return TemplateResponse(request, "admin/privacy/erase.html", context)

    def _person(self, request, object_id):
        """The person the reader may export or erase: 404 out of their sight, 403 if not theirs."""
        person = self.get_object(request, unquote(object_id))
        if person is None:
            raise Http404
        if not may_export_or_erase(request.user, person):
            raise PermissionDenied(REFUSED)
        return person


@admin.register(ErasureRecord)
class ErasureRecordAdmin(ScopedAccessMixin, admin.ModelAdmin):
    """Who erased whom, when and why: read by the managers of the person's organisations."""

    organisation_path = "organisations"
    manager_actions = ("view",)
    list_display = ["erased_at", "person_id", "erased_by", "reason"]
    fields = ["erased_at", "person_id", "erased_by", "reason", "hashed_identifiers", "summary"]
    readonly_fields = fields
    list_select_related = ["erased_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
