"""The consent ledger in the back office (SPEC N-20): read, never edited; per person too."""

import json

from django.contrib import admin
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.template.defaultfilters import date as format_date
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.scoping import ScopedAccessMixin, managed_organisations
from notifications.consent.export import person_ledger, records_of
from notifications.consent.models import ConsentRecord, ContactConsent, PhoneStop
from notifications.events import group_label
from notifications.preferences import channel_statuses
from notifications.suppressions import known_address

HISTORY_LENGTH = 50
# SPEC A-2's colours: pending yellow, accepted green, refused red (STOP burgundy).
STATE_COLOURS = {"pending": "#a15c00", "accepted": "#1e7a3c", "refused": "#b42318"}


class ReadOnlyAdmin(ScopedAccessMixin, admin.ModelAdmin):
    """Seen by managers, changed by nobody: these rows change only through the ledger."""

    manager_actions = ("view",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def visible_records(user, records=None):
    """Ledger rows a manager may read: their organisations', people's and addresses'."""
    records = ConsentRecord.objects.all() if records is None else records
    if user.is_superuser:
        return records
    organisations = managed_organisations(user)
    theirs = ConsentRecord.objects.filter(
        Q(organisation__in=organisations)
        | Q(user__memberships__organisation__in=organisations)
        | known_address(organisations)
    )
    return records.filter(pk__in=theirs.values("pk"))


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "channel", "address", "user", "how", "text_start"]
    list_filter = ["kind", "channel", "method"]
    search_fields = ["=address", "=user__email", "=provider_message_id"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    list_select_related = ["user", "admin_user"]

    def get_queryset(self, request):
        # Not organisation_path: a STOP or a bounce belongs to an address, not an organisation.
        return visible_records(request.user, super(ScopedAccessMixin, self).get_queryset(request))

    @admin.display(description=_("how"))
    def how(self, entry):
        return how_text(entry)

    @admin.display(description=_("exact text"))
    def text_start(self, entry):
        return truncatechars(entry.text, 80)


def how_text(entry):
    """The way a record was made, in a few words: "SMS · ARRET", "Back office · Bob"."""
    parts = [entry.get_method_display(), entry.keyword, entry.page]
    if entry.admin_user_id:
        parts.append(str(entry.admin_user))
    return " · ".join(part for part in parts if part)


@admin.register(ContactConsent)
class ContactConsentAdmin(ReadOnlyAdmin):
    list_display = ["address", "channel", "purpose", "organisation", "coloured_state", "updated_at"]
    list_filter = ["state", "channel", "purpose"]
    search_fields = ["=address"]

    @admin.display(description=_("state"), ordering="state")
    def coloured_state(self, consent):
        colour = STATE_COLOURS[consent.state]
        return format_html(
            '<span style="color:{};font-weight:600">● {}</span>',
            colour,
            consent.get_state_display(),
        )


@admin.register(PhoneStop)
class PhoneStopAdmin(ReadOnlyAdmin):
    list_display = ["number", "sender", "created_at", "words"]
    search_fields = ["=number"]
    list_select_related = ["record"]

    def get_queryset(self, request):
        stops = super(ScopedAccessMixin, self).get_queryset(request)
        if request.user.is_superuser:
            return stops
        return stops.filter(known_address(managed_organisations(request.user), field="number"))

    @admin.display(description=_("exact text"))
    def words(self, stop):
        return stop.record.text


def consent_panel(person, export_url=""):
    """A person's channels as they really are, and the ledger's history, for their admin page."""
    if person is None or person.pk is None:
        return "—"
    states = format_html_join(
        "",
        "<li><strong>{}</strong> {} — {} <span class='help'>{}</span></li>",
        (
            (s.channel.label, s.address, s.summary, s.hint)
            for s in channel_statuses(person, every_channel=True)
        ),
    )
    records = records_of(person).order_by("-created_at", "-pk")[:HISTORY_LENGTH]
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                format_date(entry.created_at, "SHORT_DATETIME_FORMAT"),
                _record_what(entry),
                f"{entry.get_channel_display()} {entry.address}".strip(),
                how_text(entry),
                truncatechars(entry.text, 120),
                truncatechars(entry.reply, 80),
            )
            for entry in records
        ),
    )
    headers = [_("when"), _("what"), _("contact point"), _("how"), _("exact text"), _("our reply")]
    export = (
        format_html('<p><a href="{}">{}</a></p>', export_url, gettext("Export this ledger (JSON)"))
        if export_url
        else ""
    )
    return format_html(
        '<ul class="consent-states">{}</ul><table class="consent-history"><thead><tr>{}</tr>'
        "</thead><tbody>{}</tbody></table>{}",
        states,
        format_html_join("", "<th>{}</th>", ((header,) for header in headers)),
        rows or format_html('<tr><td colspan="6">{}</td></tr>', gettext("Nothing recorded yet.")),
        export,
    )


def _record_what(entry):
    """ "STOP", "Preference changed · Appointments · off"."""
    if not entry.group or entry.enabled is None:
        return entry.get_kind_display()
    state = gettext("on") if entry.enabled else gettext("off")
    return " · ".join([entry.get_kind_display(), str(group_label(entry.group)), state])


def export_response(model_admin, request, object_id):
    """The person's ledger as a JSON download, for whoever may see the person."""
    person = model_admin.get_object(request, object_id)
    if person is None or not model_admin.has_view_permission(request, person):
        raise Http404
    body = json.dumps(person_ledger(person), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="consent-{person.pk}.json"'
    return response


def export_url(person):
    return reverse("admin:accounts_user_consent_export", args=[person.pk])
