"""The managers' desk: requests with their comments, attachments and messages (SPEC R-1, N-6)."""

import functools

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from accounts.scoping import OrganisationScopedAdmin, OrganisationScopedInline
from core.files import PrivateFileWidget, private_file_response
from notifications.admin import DeliveryHistoryInline
from notifications.admin.manual import ManualMessageMixin
from requests_center import services
from requests_center.models import Attachment, Category, Comment, Request


@admin.register(Category)
class CategoryAdmin(OrganisationScopedAdmin):
    list_display = ["name", "organisation", "manager_names"]
    list_filter = ["organisation"]
    search_fields = ["name"]
    filter_horizontal = ["managers"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("managers")

    @admin.display(description=_("managers"))
    def manager_names(self, category):
        return ", ".join(str(manager) for manager in category.managers.all()) or "—"


class CommentInline(OrganisationScopedInline):
    model = Comment
    organisation_path = "request__organisation"
    extra = 1
    fields = ["body", "is_internal", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    manager_actions = ("view", "add", "change")  # a sent comment stays in the record


def admin_attachment_url(attachment):
    return reverse(
        "admin:requests_center_request_attachment", args=[attachment.request_id, attachment.pk]
    )


class AttachmentInline(OrganisationScopedInline):
    model = Attachment
    organisation_path = "request__organisation"
    extra = 0
    fields = ["file", "comment", "uploaded_by", "created_at"]
    readonly_fields = ["uploaded_by", "created_at"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "file":
            kwargs["widget"] = PrivateFileWidget(url_for=admin_attachment_url)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "comment":
            kwargs["queryset"] = Comment.objects.none()  # set from the manager's own comment
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Request)
class RequestAdmin(ManualMessageMixin, OrganisationScopedAdmin):
    list_display = [
        "label",
        "title",
        "category",
        "site",
        "status",
        "assigned_to",
        "declarant",
        "created_at",
    ]
    list_display_links = ["label", "title"]
    list_filter = ["status", "category", "assigned_to", "site", "created_at"]
    list_select_related = ["category", "site", "assigned_to", "declarant"]
    search_fields = ["=id", "title", "description", "declarant__email", "declarant__display_name"]
    autocomplete_fields = ["declarant", "assigned_to", "followers"]
    date_hierarchy = "created_at"
    inlines = [CommentInline, AttachmentInline, DeliveryHistoryInline]
    fieldsets = [
        (
            None,
            {"fields": ["title", "description", "organisation", "site", "category", "declarant"]},
        ),
        (_("Handling"), {"fields": ["assigned_to", "status", "resolution", "followers"]}),
    ]

    def get_urls(self):
        return [
            path(
                "<path:object_id>/attachments/<int:attachment_id>/",
                self.admin_site.admin_view(self.attachment_view),
                name="requests_center_request_attachment",
            ),
            *super().get_urls(),
        ]

    def attachment_view(self, request, object_id, attachment_id):
        """A file of a request in the manager's organisations; any other is a 404."""
        request_obj = self.get_object(request, unquote(object_id))
        if request_obj is None or not self.has_view_permission(request, request_obj):
            raise Http404
        attachment = get_object_or_404(request_obj.attachments, pk=attachment_id)
        return private_file_response(attachment.file, str(attachment))

    def message_recipients(self, request_obj):
        people = [request_obj.declarant, request_obj.assigned_to, *request_obj.followers.all()]
        return list(dict.fromkeys(person for person in people if person))

    @admin.display(description=_("number"), ordering="id")
    def label(self, request_obj):
        return request_obj.label

    # Every change goes through the services, as on the portal: the same change announces
    # the same events, with the manager as the one who acted.

    def save_model(self, request, obj, form, change):
        services.save_request(obj, request.user)

    def save_related(self, request, form, formsets, change):
        if "followers" in form.cleaned_data:
            services.set_followers(form.instance, form.cleaned_data["followers"], request.user)
        form.save_m2m()  # the followers are in place already: only other fields are left
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        if formset.model is Comment:
            save = functools.partial(services.save_comment, actor=request.user)
            delete, by = services.delete_comment, "author"
        elif formset.model is Attachment:
            save, delete, by = services.save_attachment, services.delete_attachment, "uploaded_by"
        else:
            return super().save_formset(request, form, formset, change)
        for instance in formset.save(commit=False):
            if not getattr(instance, f"{by}_id"):
                setattr(instance, by, request.user)  # a new row is the manager's own
            save(instance)
        for removed in formset.deleted_objects:
            delete(removed)
        formset.save_m2m()
