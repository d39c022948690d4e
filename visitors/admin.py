"""Reception's desk: today's visits and visitors, check in and out, each visit's messages
(SPEC V-1 … V-5, N-6)."""

import datetime
import zoneinfo

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.scoping import OrganisationScopedAdmin, OrganisationScopedInline
from notifications.admin import DeliveryHistoryInline
from notifications.admin.manual import ManualMessageMixin
from notifications.messengers.admin import MessengerTicksForm
from visitors import services
from visitors.models import Visit, Visitor


class DayFilter(admin.SimpleListFilter):
    """Today first: what reception opens the page for. Days in the reader's own zone."""

    title = _("day")
    parameter_name = "day"
    field_path = "start"

    def lookups(self, request, model_admin):
        return [
            ("today", _("Today")),
            ("upcoming", _("Upcoming")),
            ("past", _("Past")),
            ("all", _("All")),
        ]

    def value(self):
        return super().value() or "today"

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        zone = zoneinfo.ZoneInfo(str(request.user.time_zone))
        today = timezone.localtime(timezone.now(), zone).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        tomorrow = today + datetime.timedelta(days=1)
        field = self.field_path
        return {
            "today": queryset.filter(**{f"{field}__gte": today, f"{field}__lt": tomorrow}),
            "upcoming": queryset.filter(**{f"{field}__gte": today}),
            "past": queryset.filter(**{f"{field}__lt": today}),
        }.get(self.value(), queryset)


class VisitorDayFilter(DayFilter):
    field_path = "visit__start"


def presence(visitor):
    """Where the visitor is, in words."""
    if visitor.removed_at:
        return gettext("Invitation withdrawn")
    if visitor.checked_out_at:
        return gettext("Left at %(time)s") % {"time": _time(visitor.checked_out_at)}
    if visitor.checked_in_at:
        return gettext("In since %(time)s (%(source)s)") % {
            "time": _time(visitor.checked_in_at),
            "source": visitor.get_check_in_source_display(),
        }
    return gettext("Expected")


def _time(moment):
    return formats.time_format(timezone.localtime(moment), "TIME_FORMAT")


def presence_buttons(visitor):
    """Check in / check out, posting the page's own form (and its CSRF token) to the action."""
    if visitor.pk is None or visitor.removed_at or visitor.checked_out_at:
        return ""
    if visitor.checked_in_at:
        name, label = "check-out", gettext("Check out")
    elif visitor.visit.is_planned:
        name, label = "check-in", gettext("Check in")
    else:
        return ""
    url = reverse(f"admin:visitors_visitor_{name.replace('-', '_')}", args=[visitor.pk])
    return format_html(
        '<button type="submit" class="button" formaction="{}" formnovalidate>{}</button>',
        url,
        label,
    )


class VisitorInline(OrganisationScopedInline):
    model = Visitor
    organisation_path = "visit__organisation"
    extra = 1
    fields = ["name", "email", "phone", "company", "language", "where"]
    readonly_fields = ["where"]
    verbose_name_plural = _("visitors (a new one is invited when saved)")
    # Narrow inputs: a row stays within the page, presence and buttons included.
    INPUT_SIZES = {"name": 15, "email": 18, "phone": 11, "company": 11}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in self.INPUT_SIZES:
            field.widget.attrs["size"] = self.INPUT_SIZES[db_field.name]
            field.widget.attrs["style"] = "width:auto"
        return field

    @admin.display(description=_("presence"))
    def where(self, visitor):
        if not visitor.pk:
            return "—"
        return format_html("{}<br>{}", presence(visitor), presence_buttons(visitor))


@admin.register(Visit)
class VisitAdmin(ManualMessageMixin, OrganisationScopedAdmin):
    list_display = ["when", "title", "site", "host", "visitor_summary", "status"]
    list_display_links = ["when", "title"]
    list_filter = [DayFilter, "status", "site"]
    list_select_related = ["site", "host"]
    search_fields = [
        "purpose",
        "visitors__name",
        "visitors__company",
        "visitors__email",
        "host__display_name",
        "host__email",
    ]
    autocomplete_fields = ["host", "co_hosts"]
    readonly_fields = ["status", "sequence", "created_at"]
    fieldsets = [
        (None, {"fields": ["purpose", "organisation", "site", "start", "end"]}),
        (_("Hosts"), {"fields": ["host", "co_hosts"]}),
        (_("State"), {"fields": ["status", "sequence", "created_at"]}),
    ]
    inlines = [VisitorInline, DeliveryHistoryInline]
    actions = ["cancel_visits"]
    ordering = ["start"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("visitors")

    @admin.display(description=_("time"), ordering="start")
    def when(self, visit):
        start, end = timezone.localtime(visit.start), timezone.localtime(visit.end)
        return f"{formats.date_format(start, 'SHORT_DATE_FORMAT')} {_time(start)}–{_time(end)}"

    @admin.display(description=_("purpose"), ordering="purpose")
    def title(self, visit):
        return visit.purpose or "—"

    @admin.display(description=_("visitors"))
    def visitor_summary(self, visit):
        invited = [v for v in visit.visitors.all() if not v.removed_at]
        arrived = sum(1 for v in invited if v.checked_in_at)
        names = ", ".join(v.name for v in invited[:3]) + ("…" if len(invited) > 3 else "")
        return format_html("{} <small>({}/{})</small>", names or "—", arrived, len(invited))

    def message_recipients(self, visit):
        """Reception may write to the visitors still invited and to the hosts (SPEC N-12)."""
        visitors = visit.visitors.filter(removed_at=None).select_related("visit__organisation")
        return [*visitors, visit.host, *visit.co_hosts.all()]

    # Every change goes through the services, as on the portal: the same change announces
    # the same events, in the same order, with the manager as the one who acted.

    def save_model(self, request, obj, form, change):
        pass  # saved in save_related, with its visitors: withdrawals come before the new details

    def save_related(self, request, form, formsets, change):
        # A reader without access to the visitor rows has no such formset.
        visitors = next((f for f in formsets if f.model is Visitor), None)
        saved = visitors.save(commit=False) if visitors else []  # the service saves them
        services.save_visit(
            form.instance,
            request.user,
            co_hosts=form.cleaned_data.get("co_hosts"),
            visitors=saved,  # new ones are invited
            # Withdrawn, not erased: the visitor is told and the history stays.
            withdraw=visitors.deleted_objects if visitors else [],
        )
        form.save_m2m()  # the co-hosts are in place already: only other fields are left
        for formset in formsets:
            if formset is visitors:
                formset.save_m2m()
            else:
                self.save_formset(request, form, formset, change=change)

    @admin.action(description=_("Cancel the selected visits (visitors are told)"))
    def cancel_visits(self, request, queryset):
        cancelled = 0
        for visit in queryset.filter(status=Visit.Status.PLANNED):
            services.cancel_visit(visit, request.user)
            cancelled += 1
        self.message_user(
            request,
            ngettext("%(count)d visit cancelled.", "%(count)d visits cancelled.", cancelled)
            % {"count": cancelled},
        )


class VisitorForm(MessengerTicksForm):
    """A visitor, with the messengers they accept a chat on (SPEC C-6, N-12)."""

    class Meta:
        model = Visitor
        fields = ["visit", "name", "email", "phone", "company", "language"]

    def organisation_of(self, visitor):
        return visitor.visit.organisation


@admin.register(Visitor)
class VisitorAdmin(OrganisationScopedAdmin):
    """The reception list: who is expected today, who is in, check in and out."""

    form = VisitorForm
    organisation_path = "visit__organisation"
    list_display = ["name", "company", "visit_time", "host", "site", "where", "buttons"]
    list_filter = [VisitorDayFilter, "check_in_source", "visit__site"]
    list_select_related = ["visit__site", "visit__host", "visit__organisation"]
    search_fields = ["name", "company", "email", "phone", "visit__purpose"]
    autocomplete_fields = ["visit"]
    fields = ["visit", "name", "email", "phone", "accepts_whatsapp", "accepts_viber", "company"]
    fields += ["language", "where"]
    fields += ["checked_in_at", "checked_out_at", "check_in_source", "removed_at"]
    readonly_fields = ["where", "checked_in_at", "checked_out_at", "check_in_source"]
    readonly_fields += ["removed_at"]
    actions = ["check_in_selected", "check_out_selected"]
    ordering = ["visit__start", "name"]
    inlines = [DeliveryHistoryInline]  # their own messages, from the visit's events (N-18)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(removed_at=None)

    @admin.display(description=_("time"), ordering="visit__start")
    def visit_time(self, visitor):
        return _time(visitor.visit.start)

    @admin.display(description=_("host"))
    def host(self, visitor):
        return visitor.visit.host

    @admin.display(description=_("site"))
    def site(self, visitor):
        return visitor.visit.site

    @admin.display(description=_("presence"))
    def where(self, visitor):
        return presence(visitor)

    @admin.display(description="")
    def buttons(self, visitor):
        return presence_buttons(visitor)

    def save_model(self, request, obj, form, change):
        services.save_visitor(obj, request.user)
        form.save_ticks(request)

    @admin.action(description=_("Check in the selected visitors (hosts are told)"))
    def check_in_selected(self, request, queryset):
        done = sum(self._check_in(request, visitor) for visitor in queryset)
        self.message_user(
            request,
            ngettext("%(count)d visitor checked in.", "%(count)d visitors checked in.", done)
            % {"count": done},
        )

    @admin.action(description=_("Check out the selected visitors"))
    def check_out_selected(self, request, queryset):
        done = sum(services.check_out(visitor) for visitor in queryset)
        self.message_user(
            request,
            ngettext("%(count)d visitor checked out.", "%(count)d visitors checked out.", done)
            % {"count": done},
        )

    def _check_in(self, request, visitor):
        try:
            return services.check_in(visitor, Visitor.Source.RECEPTION, actor=request.user)
        except services.CheckInRefused:
            return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/check-in/",
                view(require_POST(self.check_in_view)),
                name="visitors_visitor_check_in",
            ),
            path(
                "<path:object_id>/check-out/",
                view(require_POST(self.check_out_view)),
                name="visitors_visitor_check_out",
            ),
            *super().get_urls(),
        ]

    def check_in_view(self, request, object_id):
        visitor = self._visitor(request, object_id)
        if self._check_in(request, visitor):
            self.message_user(
                request, gettext("%(name)s is checked in; the hosts are told.") % {"name": visitor}
            )
        else:
            refused = gettext("%(name)s was not checked in.") % {"name": visitor}
            self.message_user(request, refused, messages.WARNING)
        return self._back(request)

    def check_out_view(self, request, object_id):
        visitor = self._visitor(request, object_id)
        if services.check_out(visitor):
            self.message_user(request, gettext("%(name)s is checked out.") % {"name": visitor})
        return self._back(request)

    def _visitor(self, request, object_id):
        # Scoped like the list: another organisation's visitor is not found (SPEC P-3).
        visitor = self.get_object(request, unquote(object_id))
        if visitor is None or not self.has_change_permission(request, visitor):
            raise Http404
        return visitor

    def _back(self, request):
        """Back to the page the button was on: the reception list or the visit."""
        referer = request.headers.get("referer", "")
        if url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
            return HttpResponseRedirect(referer)
        return HttpResponseRedirect(reverse("admin:visitors_visitor_changelist"))
