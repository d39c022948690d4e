"""The one batch page (SPEC N-18): a fan-out's counts, its skips by reason, "resend the failed".

Route runs, broadcasts and any later fan-out link here rather than build their own.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.scoping import OrganisationScopedAdmin, ScopedRelatedFieldListFilter
from notifications import batches
from notifications.admin.deliveries import BatchFilter
from notifications.models import Batch, Delivery

REFRESH_SECONDS = 10  # a live batch's page reloads itself while messages are pending


@admin.register(Batch)
class BatchAdmin(OrganisationScopedAdmin):
    manager_actions = ("view",)
    list_display = ["label", "kind", "created_at", "targeted", "sent", "failed", "skipped"]
    list_filter = ["kind", ("organisation", ScopedRelatedFieldListFilter)]
    search_fields = ["label"]
    date_hierarchy = "created_at"
    fields = ["label", "kind", "organisation", "created_by", "created_at", "targeted"]
    readonly_fields = fields
    change_form_template = "admin/notifications/batch/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tallies")

    def has_add_permission(self, request):
        return False  # a batch is started by its fan-out (a route run, a broadcast)

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("sent"))
    def sent(self, batch):
        return batches.counts_from(batch).sent

    @admin.display(description=gettext_lazy("failed"))
    def failed(self, batch):
        return batches.counts_from(batch).failed

    @admin.display(description=gettext_lazy("skipped"))
    def skipped(self, batch):
        return batches.counts_from(batch).skipped_total

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_resend_failed"
        view = self.admin_site.admin_view(require_POST(self.resend_failed_view))
        return [path("<path:object_id>/resend-failed/", view, name=name), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = self.get_object(request, unquote(object_id))
        extra_context = extra_context or {}
        if batch is not None:
            counts = batches.counts(batch)
            extra_context.update(
                counts=counts,
                skipped=[
                    (_skip_label(code), n, _log_url(batch, reason_code__exact=code) if code else "")
                    for code, n in counts.skipped.items()
                ],
                failed_url=_log_url(batch, status__exact=Delivery.Status.FAILED),
                all_url=_log_url(batch),
                refresh_seconds=REFRESH_SECONDS if counts.live else None,
                expected_finish=batches.expected_finish(batch, counts),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def resend_failed_view(self, request, object_id):
        batch = self.get_object(request, unquote(object_id))  # scoped: another's is not found
        if batch is None:
            raise Http404
        count = batches.resend_failed(batch)
        if count:
            messages.success(
                request,
                ngettext(
                    "%(count)d failed message sent again.",
                    "%(count)d failed messages sent again.",
                    count,
                )
                % {"count": count},
            )
        else:
            messages.info(request, gettext("No failed message to send again."))
        return HttpResponseRedirect(reverse("admin:notifications_batch_change", args=[batch.pk]))


def _skip_label(code):
    try:
        return Delivery.Skip(code).label
    except ValueError:
        return code or gettext("no reason given")


def _log_url(batch, **filters):
    """The delivery log of this batch, filtered (a figure leads to its messages)."""
    query = urlencode({BatchFilter.parameter_name: batch.pk, **filters})
    return f"{reverse('admin:notifications_delivery_changelist')}?{query}"
