"""The delivery log, the events behind it, and the history panel of domain objects (SPEC N-6)."""

import csv
import itertools

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.admin import ReadOnlyInline
from accounts.scoping import (
    OrganisationScopedAdmin,
    ScopedAccessMixin,
    ScopedRelatedFieldListFilter,
    managed_organisations,
)
from notifications import delivery_log, failures
from notifications.admin.common import (
    EventCodeFilter,
    admin_link,
    database_key,
    html_frame,
    reason_text,
    status_light,
    two_lines,
)
from notifications.admin.paging import EstimatedCountPaginator
from notifications.events import event_label
from notifications.models import Delivery, Event


class EventFilter(EventCodeFilter):
    field_path = "code"


class DeliveryEventFilter(EventCodeFilter):
    field_path = "event__code"


class ReadOnlyDeliveriesMixin(ReadOnlyInline, ScopedAccessMixin):
    """Deliveries listed under another object: the log is never edited by hand."""

    model = Delivery
    manager_actions = ("view",)
    extra = 0
    can_delete = False
    ordering = ["-created_at"]
    # "why" and not "reason": a model field's name would show its raw, untranslated value.
    fields = ["created", "channel", "recipient", "address", "light", "why", "sent_at"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("created"))
    def created(self, delivery):
        # Each row leads to its full log entry: rendered text, errors, timestamps.
        return admin_link(delivery, _short(delivery.created_at))

    @admin.display(description=gettext_lazy("recipient"))
    def recipient(self, delivery):
        return delivery.recipient_name

    @admin.display(description=gettext_lazy("status"))
    def light(self, delivery):
        return status_light(delivery)

    @admin.display(description=gettext_lazy("reason"))
    def why(self, delivery):
        return reason_text(delivery)


class _ConcerningFormSet(BaseGenericInlineFormSet):
    """The latest deliveries whose target *or* about is the object: an inline cannot paginate."""

    def __init__(self, *args, queryset=None, **kwargs):
        super().__init__(*args, queryset=queryset, **kwargs)
        self.more_url = ""
        if self.instance is None or self.instance.pk is None:
            return
        concerning = (queryset or Delivery.objects).concerning(self.instance)
        latest = list(concerning.order_by("-created_at", "-pk")[: HISTORY_LENGTH + 1])
        if len(latest) > HISTORY_LENGTH:
            self.more_url = concerning_log_url(self.instance)
        self.queryset = concerning.filter(pk__in=[d.pk for d in latest[:HISTORY_LENGTH]])


HISTORY_LENGTH = 50


def concerning_log_url(obj):
    """The delivery log filtered on the messages about one object."""
    kind = ContentType.objects.get_for_model(obj)
    changelist = reverse("admin:notifications_delivery_changelist")
    return f"{changelist}?{ConcerningFilter.parameter_name}={kind.pk}-{obj.pk}"


class DeliveryHistoryInline(ReadOnlyDeliveriesMixin, GenericTabularInline):
    """Every message sent about an object, newest first, for any domain admin (SPEC N-6, N-18).

    A domain admin shows it with `inlines = [DeliveryHistoryInline]`. It lists the
    messages of the object's own events and those about it from another's (a
    visitor's invitation, from its visit's event); the latest 50, and a link to the
    rest in the delivery log.
    """

    ct_field = "target_type"
    ct_fk_field = "target_id"
    formset = _ConcerningFormSet
    template = "admin/notifications/delivery_history.html"
    verbose_name = gettext_lazy("message sent")
    verbose_name_plural = gettext_lazy("messages sent about it")
    fields = ["created", "event_code", *ReadOnlyDeliveriesMixin.fields[1:]]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event")

    def has_view_permission(self, request, obj=None):
        # Nothing was sent about an object not saved yet: no panel (nor formset) on "add".
        return obj is not None and super().has_view_permission(request, obj)

    @admin.display(description=gettext_lazy("event"))
    def event_code(self, delivery):
        return event_label(delivery.event.code)


class BatchFilter(admin.SimpleListFilter):
    """?batch=<id>: the messages of one fan-out (from its batch page)."""

    title = gettext_lazy("batch")
    parameter_name = "batch"

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, gettext("this batch"))] if value else []

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        batch = database_key(self.value())
        return queryset.none() if batch is None else queryset.filter(batch_id=batch)


class FailureFilter(admin.SimpleListFilter):
    """?failure=<cause>: the failures of one cause (notifications/failures.py; the dashboard's)."""

    title = gettext_lazy("failure cause")
    parameter_name = "failure"

    def lookups(self, request, model_admin):
        choices = [(code, cause.label) for code, cause in failures.CAUSES.items()]
        value = self.value()
        if value and value not in failures.CAUSES:  # a Twilio code outside the catalog
            choices.append((value, failures.describe(value).label))
        return choices

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if self.value() == failures.OTHER:  # with the failures older than their causes
            unknown = Q(failure="", status__in=[Delivery.Status.FAILED, Delivery.Status.BOUNCED])
            return queryset.filter(Q(failure=failures.OTHER) | unknown)
        return queryset.filter(failure=self.value())


class ConcerningFilter(admin.SimpleListFilter):
    """?concerning=<content type>-<id>: the messages about one object (from its history)."""

    title = gettext_lazy("object")
    parameter_name = "concerning"

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, gettext("this object"))] if value else []

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        kind_id, _, pk = self.value().partition("-")
        try:
            obj = ContentType.objects.get_for_id(int(kind_id)).model_class()(pk=int(pk))
        except (ContentType.DoesNotExist, ValueError, TypeError, AttributeError):
            return queryset.none()  # junk in the address bar: no rows, no error
        return queryset.concerning(obj)


class EventDeliveryInline(ReadOnlyDeliveriesMixin, admin.TabularInline):
    verbose_name_plural = gettext_lazy("deliveries")


@admin.register(Event)
class EventAdmin(OrganisationScopedAdmin):
    """The outbox, read-only, for support: what happened and whether it was planned."""

    manager_actions = ("view",)
    list_display = ["created", "event", "organisation", "target_link", "actor", "planned"]
    list_display += ["is_test"]
    list_filter = [EventFilter, "is_test", ("organisation", ScopedRelatedFieldListFilter)]
    search_fields = ["code"]
    date_hierarchy = "created_at"
    fields = ["code", "label", "organisation", "target_link", "actor", "data"]
    fields += ["is_test", "created_at", "planned_at", "planning_attempts", "planning_error"]
    readonly_fields = fields
    inlines = [EventDeliveryInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("organisation", "actor")
            .prefetch_related("target")
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("label"))
    def label(self, event):
        return event_label(event.code)

    @admin.display(description=gettext_lazy("created"), ordering="created_at")
    def created(self, event):
        return _short(event.created_at)

    @admin.display(description=gettext_lazy("event"), ordering="code")
    def event(self, event):
        return two_lines(event_label(event.code), event.code)

    @admin.display(description=gettext_lazy("planned"), ordering="planned_at")
    def planned(self, event):
        return _short(event.planned_at)

    @admin.display(description=gettext_lazy("object"))
    def target_link(self, event):
        return admin_link(event.target)


DELIVERY_HEADER = ["light", "reason_shown", "event_link", "rule", "organisation", "target_link"]


class OrganisationFilter(admin.SimpleListFilter):
    """The reader's organisations, from their memberships: not a scan of the log for those used."""

    title = gettext_lazy("organisation")
    parameter_name = "organisation__id__exact"

    def lookups(self, request, model_admin):
        return [(str(o.pk), str(o)) for o in managed_organisations(request.user).order_by("name")]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        organisation = database_key(self.value())
        return (
            queryset.none()
            if organisation is None
            else queryset.filter(organisation_id=organisation)
        )


@admin.register(Delivery)
class DeliveryAdmin(OrganisationScopedAdmin):
    """The delivery log (SPEC N-6): filter, search, read, resend, export.

    Built for ten million rows: every filter and the search read an index in the
    page's order, newest first by creation time (Delivery.Meta.indexes), and the
    paginator never counts past a thousand (`EstimatedCountPaginator`).
    """

    manager_actions = ("view",)
    # Name over address and status over reason: the log keeps every column on one screen.
    list_display = ["created", "event_code", "recipient", "channel", "light_and_reason"]
    list_display += ["attempts", "sent"]
    list_filter = [
        ("created_at", admin.DateFieldListFilter),
        "channel",
        "status",
        "reason_code",
        FailureFilter,
        # Not empty: the SMS handed to the provider, whose segments it bills (the dashboard's).
        ("segments", admin.EmptyFieldListFilter),
        DeliveryEventFilter,
        OrganisationFilter,
        ConcerningFilter,
        BatchFilter,
    ]
    # The search box: get_search_results matches an exact address, never a scan.
    search_fields = ["address"]
    search_help_text = gettext_lazy(
        "An email address or a phone number, complete (any case, any spacing), "
        "or a provider message id."
    )
    # The page's hundred events by primary key, not a join the planner may read whole.
    list_select_related = False
    ordering = ["-created_at", "-pk"]
    sortable_by = ["created"]  # sorting by any other column would sort the whole log
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice: a scan each
    actions = ["resend", "export_csv"]
    fieldsets = [
        (None, {"fields": DELIVERY_HEADER}),
        (
            gettext_lazy("Recipient"),
            {"fields": ["recipient_name", "user", "address", "channel", "language", "time_zone"]},
        ),
        (
            gettext_lazy("Sending"),
            {
                "fields": [
                    "priority",
                    "send_at",
                    "attempts",
                    "last_error",
                    "error_type",
                    "failure_cause",
                    "segments",
                    "provider_message_id",
                    "created_at",
                    "claimed_at",
                    "sent_at",
                    "delivered_at",
                    "opened_at",
                    "read_at",
                ]
            },
        ),
        (gettext_lazy("Message"), {"fields": ["subject", "body", "html_frame"]}),
    ]

    def has_add_permission(self, request):
        return False  # deliveries come from events, resends and manual sends only

    def has_change_permission(self, request, obj=None):
        return False  # the log says what happened; nobody rewrites it

    def get_queryset(self, request):
        # A delivery has one organisation: the reader's organisation ids, as a list the
        # planner sees, let it read the index (organisation, id) newest first. The usual
        # scoping's sub-query would make it collect the organisation's every row first.
        deliveries = self.model._default_manager.order_by(*self.get_ordering(request))
        deliveries = deliveries.prefetch_related("event")
        if request.user.is_superuser:
            return deliveries
        organisations = list(managed_organisations(request.user).values_list("pk", flat=True))
        return deliveries.filter(organisation_id__in=organisations)

    def get_search_results(self, request, queryset, search_term):
        return delivery_log.search(queryset, search_term), False

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_resend"
        view = self.admin_site.admin_view(require_POST(self.resend_view))
        return [path("<path:object_id>/resend/", view, name=name), *super().get_urls()]

    @admin.display(description=gettext_lazy("created"), ordering="created_at")
    def created(self, delivery):
        return _short(delivery.created_at)

    @admin.display(description=gettext_lazy("sent"), ordering="sent_at")
    def sent(self, delivery):
        if delivery.status == Delivery.Status.SCHEDULED:  # not sent yet: say when it will be
            return gettext("due %(when)s") % {"when": _short(delivery.send_at)}
        return _short(delivery.sent_at)

    @admin.display(description=gettext_lazy("recipient"), ordering="recipient_name")
    def recipient(self, delivery):
        return two_lines(delivery.recipient_name, delivery.address)

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def light_and_reason(self, delivery):
        why = reason_text(delivery) or Truncator(delivery.last_error).chars(80)
        return two_lines(status_light(delivery), why)

    @admin.display(description=gettext_lazy("event"), ordering="event__code")
    def event_code(self, delivery):
        # The label a manager reads ("Nouvelle demande"), the code beneath for support.
        return two_lines(event_label(delivery.event.code), delivery.event.code)

    @admin.display(description=gettext_lazy("event"))
    def event_link(self, delivery):
        return admin_link(delivery.event, event_label(delivery.event.code))

    @admin.display(description=gettext_lazy("object"))
    def target_link(self, delivery):
        return admin_link(delivery.target)

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def light(self, delivery):
        return status_light(delivery)

    @admin.display(description=gettext_lazy("reason"))
    def reason_shown(self, delivery):
        return reason_text(delivery)

    @admin.display(description=gettext_lazy("failure cause"))
    def failure_cause(self, delivery):
        if not delivery.failure:
            return "—"
        return two_lines(failures.describe(delivery.failure).label, delivery.failure)

    @admin.display(description=gettext_lazy("HTML"))
    def html_frame(self, delivery):
        return html_frame(delivery.html)

    @admin.action(description=gettext_lazy("Resend the selected messages"))
    def resend(self, request, queryset):
        _report_resend(request, queryset)

    def resend_view(self, request, object_id):
        delivery = self.get_object(request, unquote(object_id))
        if delivery is None:
            raise Http404
        _report_resend(request, [delivery])
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        return HttpResponseRedirect(url)

    @admin.action(description=gettext_lazy("Export the selected messages as CSV"))
    def export_csv(self, request, queryset):
        # Headers are translated now: the rows stream after this request's language is gone.
        header = delivery_log.csv_header()
        writer = csv.writer(_Echo())
        rows = (writer.writerow(row) for row in delivery_log.csv_rows(queryset))
        # The BOM makes Excel read the file as UTF-8: accents in French names survive.
        content = itertools.chain(["\ufeff", writer.writerow(header)], rows)
        response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
        filename = f"deliveries-{timezone.localdate():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def _report_resend(request, deliveries):
    deliveries = list(deliveries)
    copies = delivery_log.resend(deliveries)
    if copies:
        messages.success(
            request,
            ngettext(
                "%(count)d message sent again; it appears in the log as a new row.",
                "%(count)d messages sent again; they appear in the log as new rows.",
                len(copies),
            )
            % {"count": len(copies)},
        )
    skipped = len(deliveries) - len(copies)
    if skipped:
        messages.warning(
            request,
            ngettext(
                "%(count)d message was not sent again: still pending, or without an address.",
                "%(count)d messages were not sent again: still pending, or without an address.",
                skipped,
            )
            % {"count": skipped},
        )


def _short(moment):
    """A compact local date and time: the log has many columns to fit."""
    if moment is None:
        return "—"
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


class _Echo:
    """A file-like object for csv.writer that hands each line back instead of storing it."""

    def write(self, value):
        return value
