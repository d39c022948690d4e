"""Route runs and broadcasts (A-5, A-10): each leads to the engine's one batch page."""

from django.contrib import admin, messages
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.scoping import (
    OrganisationScopedAdmin,
    OrganisationScopedInline,
    managed_organisations,
)
from alerts import services
from alerts.forms import BroadcastForm
from alerts.models import Broadcast, Company, RouteRun, RunStop
from alerts.services.broadcasts import reach


class RunStopInline(OrganisationScopedInline):
    model = RunStop
    organisation_path = "run__company__organisation"
    fields = ["order", "contract", "alerted_at", "served_at", "served_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


def batch_link(obj):
    url = reverse("admin:notifications_batch_change", args=[obj.batch_id])
    return format_html('<a href="{}">{}</a>', url, gettext("Counts and skips"))


@admin.register(RouteRun)
class RouteRunAdmin(OrganisationScopedAdmin):
    organisation_path = "company__organisation"
    manager_actions = ("view",)
    list_display = ["route", "company", "mode", "started_at", "ended_at", "counts"]
    list_filter = ["company", "mode"]
    date_hierarchy = "started_at"
    fields = ["route", "company", "mode", "buffer_size", "reverse", "started_by", "started_at"]
    fields += ["ended_at", "counts", "operator"]
    readonly_fields = fields
    inlines = [RunStopInline]

    def has_add_permission(self, request):
        return False  # a run is started from its route, or from the operator page

    @admin.display(description=_("messages"))
    def counts(self, run):
        return batch_link(run)

    @admin.display(description=_("operator page"))
    def operator(self, run):
        url = reverse("alerts:run", args=[run.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Open on the tablet"))


@admin.register(Broadcast)
class BroadcastAdmin(OrganisationScopedAdmin):
    organisation_path = "company__organisation"
    list_display = ["message", "company", "created_at", "created_by", "counts"]
    list_filter = ["company"]
    fields = ["company", "message", "criteria", "created_by", "created_at", "counts"]
    readonly_fields = fields

    @admin.display(description=_("messages"))
    def counts(self, broadcast):
        return batch_link(broadcast)

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_send"
        view = self.admin_site.admin_view(self.send_view)
        return [path("send/<int:company_id>/", view, name=name), *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        companies = Company.objects.filter(organisation__in=managed_organisations(request.user))
        company = companies.first()
        if company is None:
            messages.error(request, gettext("No company to send for."))
            return HttpResponseRedirect(reverse("admin:alerts_broadcast_changelist"))
        chosen = request.GET.get("company")
        if chosen and chosen.isdigit():
            company = companies.filter(pk=int(chosen)).first() or company
        return HttpResponseRedirect(reverse("admin:alerts_broadcast_send", args=[company.pk]))

    def send_view(self, request, company_id):
        companies = Company.objects.filter(organisation__in=managed_organisations(request.user))
        company = companies.filter(pk=company_id).first()
        if company is None:  # another organisation's, or none
            raise Http404
        form = BroadcastForm(request.POST or None, company=company)
        preview = None
        if request.method == "POST" and form.is_valid():
            criteria = form.criteria()
            if "preview" in request.POST:
                preview = reach(company, criteria)
            else:
                try:
                    broadcast = services.send_broadcast(
                        company, form.cleaned_data["message"], criteria, request.user
                    )
                except services.RunError as error:
                    form.add_error(None, error)
                else:
                    return HttpResponseRedirect(
                        reverse("admin:notifications_batch_change", args=[broadcast.batch_id])
                    )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Broadcast: %(company)s") % {"company": company.name},
            "form": form,
            "company": company,
            "companies": companies,
            "preview": preview,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/alerts/broadcast/send.html", context)
