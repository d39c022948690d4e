"""A service business's back office: clients, statuses and their triggers, work orders, tasks
and leads, each with its messages and "send a message" (SPEC R-8 … R-10, N-6, N-12)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.scoping import (
    OrganisationScopedAdmin,
    OrganisationScopedInline,
    managed_organisations,
)
from notifications.admin import DeliveryHistoryInline
from notifications.admin.common import admin_link
from notifications.admin.manual import ManualMessageMixin
from notifications.messengers.admin import MessengerTicksForm
from workorders import services
from workorders.forms import TriggerMessageForm
from workorders.models import Client, Lead, StatusTrigger, Task, WorkOrder, WorkOrderStatus
from workorders.services import STATUS_EVENT
from workorders.tokens import status_url


class ClientForm(MessengerTicksForm):
    """The client, with RemOnline's messenger ticks (SPEC C-6, N-12)."""

    class Meta:
        model = Client
        fields = [
            "organisation", "name", "email", "phone", "language", "accepts_email", "accepts_sms",
            "user",
        ]  # fmt: skip

    def organisation_of(self, client):
        return client.organisation


@admin.register(Client)
class ClientAdmin(ManualMessageMixin, OrganisationScopedAdmin):
    form = ClientForm
    list_display = ["name", "email", "phone", "accepts_email", "accepts_sms", "organisation"]
    list_filter = ["accepts_email", "accepts_sms"]
    search_fields = ["name", "email", "phone"]
    autocomplete_fields = ["user"]
    inlines = [DeliveryHistoryInline]  # the messages written to the client from this page
    fields = [
        "organisation", "name", "email", "phone", "language", "accepts_email", "accepts_sms",
        "accepts_whatsapp", "accepts_viber", "user",
    ]  # fmt: skip

    def message_recipients(self, client):
        return [client]

    def save_model(self, request, obj, form, change):
        services.save_client(obj)
        form.save_ticks(request, user=obj.user)


class StatusTriggerInline(OrganisationScopedInline):
    model = StatusTrigger
    organisation_path = "status__organisation"
    extra = 0
    fields = ["rule", "recipients", "channels"]
    readonly_fields = ["recipients", "channels"]
    verbose_name = _("message sent when an order enters this status")
    verbose_name_plural = _("messages sent when an order enters this status (triggers)")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "rule":
            # The organisations' own rules of the status event: a shipped one follows kinds.
            field.queryset = field.queryset.filter(
                event_code=STATUS_EVENT, organisation__isnull=False
            )
        return field

    @admin.display(description=_("recipients"))
    def recipients(self, trigger):
        if not trigger.pk:
            return "—"
        roles = {role.code: role.label for role in trigger.rule.event_type.roles}
        return admin_link(
            trigger.rule, ", ".join(str(roles.get(code, code)) for code in trigger.rule.roles)
        )

    @admin.display(description=_("channels"))
    def channels(self, trigger):
        return ", ".join(trigger.rule.channels) if trigger.pk else "—"


@admin.register(WorkOrderStatus)
class WorkOrderStatusAdmin(OrganisationScopedAdmin):
    list_display = ["name", "kind", "position", "trigger_count", "organisation"]
    list_display_links = ["name"]
    list_filter = ["kind"]
    list_editable = ["position"]
    search_fields = ["name"]
    fields = ["organisation", "name", "kind", "position", "add_message"]
    readonly_fields = ["add_message"]
    inlines = [StatusTriggerInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("triggers")

    @admin.display(description=_("triggers"))
    def trigger_count(self, status):
        return len(status.triggers.all())

    @admin.display(description=_("new message"))
    def add_message(self, status):
        if not status.pk:
            return gettext("Save the status first, then add the messages it sends.")
        url = reverse("admin:workorders_workorderstatus_add_message", args=[status.pk])
        return format_html(
            '<a class="button" href="{}">{}</a>', url, gettext("Add a message for this status")
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/add-message/",
                self.admin_site.admin_view(self.add_message_view),
                name="workorders_workorderstatus_add_message",
            ),
            *super().get_urls(),
        ]

    def add_message_view(self, request, object_id):
        """A new rule for this status alone: the group told, channels, first wording (R-8)."""
        status = self.get_object(request, unquote(object_id))
        if status is None:
            raise Http404
        if not self.has_change_permission(request, status):
            raise PermissionDenied
        form = TriggerMessageForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            rule = services.add_trigger(status, **form.cleaned_data)
            messages.success(
                request,
                gettext(
                    "“%(rule)s” is sent when an order enters “%(status)s”. Add the other "
                    "channels' and languages' wording, preview it or send yourself a test here."
                )
                % {"rule": rule.name, "status": status.name},
            )
            return HttpResponseRedirect(reverse("admin:notifications_rule_change", args=[rule.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": status,
            "title": gettext("New message for the status “%(status)s”") % {"status": status},
            "form": form,
        }
        return TemplateResponse(request, "admin/workorders/add_message.html", context)

    def save_model(self, request, obj, form, change):
        services.save_status(obj)

    def save_formset(self, request, form, formset, change):
        for trigger in formset.save(commit=False):
            services.save_trigger(trigger)
        for removed in formset.deleted_objects:
            services.delete_trigger(removed)


@admin.register(WorkOrder)
class WorkOrderAdmin(ManualMessageMixin, OrganisationScopedAdmin):
    list_display = [
        "label", "client", "asset", "status", "specialist", "price", "due_at", "created_at",
    ]  # fmt: skip
    list_display_links = ["label", "asset"]
    list_filter = ["status", "specialist", "created_at"]
    list_select_related = ["client", "status", "specialist"]
    search_fields = ["=id", "asset", "serial_number", "client__name", "client__phone"]
    autocomplete_fields = ["client", "manager", "specialist"]
    date_hierarchy = "created_at"
    readonly_fields = ["closed_at", "public_link"]
    inlines = [DeliveryHistoryInline]
    fieldsets = [
        (None, {"fields": ["organisation", "client", "status", "public_link"]}),
        (_("Asset"), {"fields": ["asset", "serial_number", "malfunction", "work_done"]}),
        (_("Employees"), {"fields": ["manager", "specialist"]}),
        (_("Finances"), {"fields": ["price", "prepaid"]}),
        (_("Dates"), {"fields": ["due_at", "closed_at"]}),
    ]

    @admin.display(description=_("number"), ordering="id")
    def label(self, order):
        return order.label

    @admin.display(description=_("client's status page"))
    def public_link(self, order):
        if not order.pk:
            return "—"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            status_url(order),
            gettext("Open the page the client sees"),
        )

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        organisations = list(managed_organisations(request.user)[:2])
        if len(organisations) == 1:  # one shop: it comes chosen, its orders start as "new"
            initial.setdefault("organisation", organisations[0].pk)
            initial.setdefault("status", services.first_status(organisations[0]).pk)
        return initial

    def message_recipients(self, order):
        return [person for person in (order.client, order.specialist, order.manager) if person]

    def save_model(self, request, obj, form, change):
        services.save_order(obj, request.user)


@admin.register(Task)
class TaskAdmin(ManualMessageMixin, OrganisationScopedAdmin):
    list_display = ["title", "due_at", "assignee_names", "created_by", "completed_at"]
    list_filter = [("completed_at", admin.EmptyFieldListFilter), "due_at"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["assignees", "work_order"]
    readonly_fields = ["created_by", "completed_at", "completed_by"]
    fields = [
        "organisation", "title", "description", "due_at", "assignees", "work_order",
        "created_by", "completed_at", "completed_by",
    ]  # fmt: skip
    inlines = [DeliveryHistoryInline]
    actions = ["complete"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("created_by").prefetch_related("assignees")
        )

    @admin.display(description=_("assignees"))
    def assignee_names(self, task):
        return ", ".join(str(person) for person in task.assignees.all()) or "—"

    def message_recipients(self, task):
        return list(dict.fromkeys([task.created_by, *task.assignees.all()]))

    @admin.action(description=_("Mark the selected tasks completed"))
    def complete(self, request, queryset):
        done = 0
        for task in queryset.filter(completed_at=None):
            services.complete_task(task, request.user)
            done += 1
        self.message_user(
            request, ngettext("%(n)s task completed.", "%(n)s tasks completed.", done) % {"n": done}
        )

    # Saved in save_related, with its assignees: a new task tells them once.

    def save_model(self, request, obj, form, change):
        if not obj.pk:
            obj.created_by = request.user

    def save_related(self, request, form, formsets, change):
        services.save_task(form.instance, request.user, assignees=form.cleaned_data["assignees"])
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class LeadForm(forms.ModelForm):
    class Meta:
        model = Lead
        fields = [
            "organisation", "client", "source", "interest", "status", "responsible", "callback_at",
        ]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Lead.Status.NO_ANSWER and not cleaned.get("callback_at"):
            self.add_error("callback_at", _("Without an answer, say when to call back."))
        return cleaned


@admin.register(Lead)
class LeadAdmin(ManualMessageMixin, OrganisationScopedAdmin):
    form = LeadForm
    list_display = ["client", "status", "source", "responsible", "callback_at", "call_attempts"]
    list_filter = ["status", "source", "responsible"]
    list_select_related = ["client", "responsible"]
    search_fields = ["client__name", "client__phone", "client__email", "interest"]
    autocomplete_fields = ["client", "responsible"]
    readonly_fields = ["call_attempts", "created_at"]
    fields = [
        "organisation", "client", "source", "interest", "status", "responsible", "callback_at",
        "call_attempts", "created_at",
    ]  # fmt: skip
    inlines = [DeliveryHistoryInline]

    def message_recipients(self, lead):
        return [person for person in (lead.client, lead.responsible) if person]

    def save_model(self, request, obj, form, change):
        services.save_lead(obj, request.user)
