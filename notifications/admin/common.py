"""Pieces the notification admins share: the event filter, status lights, links to objects."""

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape, format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from notifications.events import catalog
from notifications.models import Delivery

Status = Delivery.Status


def database_key(text):
    """`text` as a row's id, or None: "²" is a digit to Python and 30 nines overflow a key."""
    if text and text.isascii() and text.isdigit() and len(text) < 16:
        return int(text)
    return None


GREEN, GREY, BLUE, ORANGE, RED = "#2e7d32", "#8a8f98", "#1565c0", "#ef6c00", "#c62828"
LIGHT_COLOURS = {
    Status.SENT: GREEN,
    Status.DELIVERED: GREEN,
    Status.OPENED: GREEN,
    Status.CLICKED: GREEN,
    Status.SCHEDULED: GREY,
    Status.QUEUED: GREY,
    Status.CANCELLED: GREY,
    Status.SENDING: BLUE,
    Status.SUPPRESSED: ORANGE,
    Status.FAILED: RED,
    Status.BOUNCED: RED,
}


def can_edit_rule(user, rule):
    """Default rules (and recap schedules) are the platform's: only superusers change them."""
    return rule is None or rule.organisation_id is not None or user.is_superuser


def status_light(delivery):
    """A coloured dot and the status in words (the word, so colour is never the only signal)."""
    return format_html(
        '<span class="relais-light" style="white-space:nowrap" title="{}">'
        '<span aria-hidden="true" style="display:inline-block;width:.65em;height:.65em;'
        'border-radius:50%;margin-right:.35em;background:{}"></span>{}</span>',
        reason_text(delivery),
        LIGHT_COLOURS.get(delivery.status, GREY),
        delivery.get_status_display(),
    )


def reason_text(delivery):
    # Planning stores its reasons untranslated (gettext_noop); say them in the reader's language.
    return gettext(delivery.reason) if delivery.reason else ""


class EventCodeFilter(admin.SimpleListFilter):
    """Filter by event, offered from the catalog rather than a scan of a large table."""

    title = _("event")
    parameter_name = "event_code"
    field_path = "event_code"

    def lookups(self, request, model_admin):
        return [(event_type.code, event_type.label) for event_type in catalog()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.field_path: self.value()})
        return queryset


def admin_link(obj, text=None):
    """A link to the object's admin page when it has one, else its name."""
    if obj is None:
        return "—"
    opts = obj._meta
    try:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return str(text or obj)
    return format_html('<a href="{}">{}</a>', url, text or obj)


def html_frame(html):
    """An email's HTML shown as it renders, sandboxed: no script, no form, no navigation."""
    if not html:
        return "—"
    return format_html(
        '<iframe sandbox="" srcdoc="{}" title="{}" '
        'style="width:44em;max-width:100%;height:28em;border:1px solid #ccc;background:#fff">'
        "</iframe>",
        escape(html),  # always: rendered HTML may arrive marked safe, and must stay in srcdoc
        gettext("HTML version"),
    )


def two_lines(first, second):
    """A list cell with a quieter second line, e.g. a name over its address."""
    if not second:
        return first
    return format_html(
        '{}<br><span style="color:var(--body-quiet-color);font-size:.85em">{}</span>',
        first,
        second,
    )
