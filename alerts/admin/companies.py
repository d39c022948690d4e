"""Companies (master switch, zone, texts), their services and routes, with "start a run" (A-1,
A-5, A-6)."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.scoping import OrganisationScopedAdmin, OrganisationScopedInline
from alerts import services
from alerts.forms import StartRunForm
from alerts.models import Company, Route, Service

RECENT_RUNS = 10
ALERT_EVENTS = ["alerts.truck_coming", "alerts.opt_in_request", "alerts.broadcast"]


class ServiceInline(OrganisationScopedInline):
    model = Service
    organisation_path = "company__organisation"
    extra = 0


@admin.register(Company)
class CompanyAdmin(OrganisationScopedAdmin):
    list_display = ["name", "organisation", "alerts_enabled", "time_zone"]
    list_filter = ["alerts_enabled"]
    search_fields = ["name"]
    fields = ["organisation", "name", "alerts_enabled", "time_zone", "minutes_per_stop", "texts"]
    readonly_fields = ["texts"]
    inlines = [ServiceInline]

    @admin.display(description=_("message texts"))
    def texts(self, company):
        """Where the company's own wording is written (A-6): the engine's rules, customised."""
        rules = reverse("admin:notifications_rule_changelist")
        return format_html_join(
            mark_safe("<br>"),  # noqa: S308  (a constant)
            '<a href="{}?{}">{}</a>',
            ((rules, urlencode({"event_code": code}), _label(code)) for code in ALERT_EVENTS),
        )


def _label(code):
    from notifications.events import event_label

    return event_label(code)


@admin.register(Route)
class RouteAdmin(OrganisationScopedAdmin):
    organisation_path = "company__organisation"
    list_display = ["name", "company", "contract_count"]
    list_filter = ["company"]
    search_fields = ["name"]
    readonly_fields = ["recent_runs"]
    change_form_template = "admin/alerts/route/change_form.html"

    @admin.display(description=_("contracts"))
    def contract_count(self, route):
        return route.contracts.count()

    @admin.display(description=_("recent runs"))
    def recent_runs(self, route):
        """What each of the last runs sent, skipped and why (A-8: "I got no alert")."""
        if route.pk is None:
            return "—"
        runs = route.runs.order_by("-started_at")[:RECENT_RUNS]
        return format_html_join(
            mark_safe("<br>"),  # noqa: S308  (a constant)
            '<a href="{}">{}</a>',
            (
                (reverse("admin:notifications_batch_change", args=[run.batch_id]), str(run))
                for run in runs
            ),
        ) or gettext("No run yet.")

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_start_run"
        view = self.admin_site.admin_view(self.start_run_view)
        return [path("<path:object_id>/start-run/", view, name=name), *super().get_urls()]

    def start_run_view(self, request, object_id):
        route = self.get_object(request, unquote(object_id))  # scoped: another's is not found
        if route is None:
            raise Http404
        form = StartRunForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                run = services.start_run(route, request.user, **form.cleaned_data)
            except services.RunError as error:
                form.add_error(None, error)
            else:
                messages.success(request, gettext("Run started."))
                return HttpResponseRedirect(
                    reverse("admin:notifications_batch_change", args=[run.batch_id])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Start a run: %(route)s") % {"route": route.name},
            "route": route,
            "form": form,
            "opts": self.opts,
            "operator_url": reverse("alerts:operator"),
        }
        return TemplateResponse(request, "admin/alerts/route/start_run.html", context)
