"""A contract's log (SPEC A-9): its alerts, its people's opt-in changes, its runs and its
edits, newest first, in one table on the contract's admin page."""

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from alerts.consent import purpose_of
from alerts.models import ContactPoint
from notifications.consent.models import ConsentRecord
from notifications.models import Delivery

SHOWN = 100


def contract_log(contract):
    """[(when, what, detail)] newest first, at most SHOWN of each kind."""
    lines = [
        (note.created_at, _("Change"), _by(note.text, note.actor))
        for note in contract.notes.all()[:SHOWN]
    ]
    for stop in contract.stops.select_related("run__route").order_by("-pk")[:SHOWN]:
        route = stop.run.route.name
        if stop.alerted_at:
            lines.append((stop.alerted_at, _("Run"), _("%(route)s: alerted") % {"route": route}))
        if stop.served_at:
            lines.append((stop.served_at, _("Run"), _("%(route)s: served") % {"route": route}))
    for delivery in Delivery.objects.concerning(contract).order_by("-pk")[:SHOWN]:
        detail = f"{delivery.get_channel_display()} → {delivery.address or delivery.recipient_name}"
        status = delivery.get_status_display()
        if delivery.reason_code:
            status += f" ({delivery.get_reason_code_display()})"
        lines.append((delivery.created_at, _("Message"), f"{detail}: {status}"))
    addresses = set(
        ContactPoint.objects.filter(occupant__contracts=contract).values_list("address", flat=True)
    )
    Kind = ConsentRecord.Kind
    # This organisation's opt-in records, and the STOPs and STARTs of its numbers.
    records = (
        ConsentRecord.objects.filter(address__in=addresses)
        .filter(
            Q(organisation=contract.company.organisation_id, purpose=purpose_of(contract.company))
            | Q(kind__in=[Kind.STOP, Kind.START])
        )
        .order_by("-created_at")[:SHOWN]
    )
    for entry in records:
        text = f"{entry.address}: {entry.get_kind_display()} ({entry.get_method_display()})"
        if entry.text:
            text += f" — {Truncator(entry.text).chars(80)}"
        lines.append((entry.created_at, _("Consent"), text))
    return sorted(lines, key=lambda line: line[0], reverse=True)


def _by(text, actor):
    return f"{text} ({actor})" if actor else text


def contract_log_panel(contract):
    if contract.pk is None:
        return "—"
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (date_format(when, "SHORT_DATETIME_FORMAT"), what, detail)
            for when, what, detail in contract_log(contract)
        ),
    )
    return format_html(
        '<table class="alerts-log"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
        "<tbody>{}</tbody></table>",
        _("when"),
        _("what"),
        _("detail"),
        rows or format_html('<tr><td colspan="3">{}</td></tr>', _("Nothing recorded yet.")),
    )
