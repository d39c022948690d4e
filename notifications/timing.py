"""When a rule sends: its slot for a target, its daily send window, and both in words."""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class Slot:
    """When a rule sends for an event: `at`, and the part of the dedupe key it adds."""

    at: datetime.datetime
    key: str


def slot_for(rule, target, now):
    """When the rule sends: now, or its offset from the target's anchor (None: no anchor value)."""
    if rule.is_immediate:
        return Slot(now, "")
    anchor_value = rule.event_type.anchor(rule.anchor).value(target)
    if anchor_value is None:
        return None
    at = anchor_value + datetime.timedelta(minutes=rule.offset_minutes)
    return Slot(at, "@" + at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S"))


def next_window_opening(moment, start, end, time_zone):
    """`moment` if it falls within [start, end) local time, else the next `start`."""
    local = moment.astimezone(zoneinfo.ZoneInfo(time_zone))
    if start <= local.time() < end:
        return moment
    day = local.date() if local.time() < start else local.date() + datetime.timedelta(days=1)
    opening = datetime.datetime.combine(day, start, tzinfo=local.tzinfo)
    return opening.astimezone(datetime.UTC)


def split_offset(minutes):
    """(amount, unit) for an offset in minutes: the largest unit that divides it exactly."""
    minutes = abs(minutes)
    # "24 h before" reads better than "1 day before"; days from two on.
    if minutes and minutes % 1440 == 0 and minutes >= 2880:
        return minutes // 1440, "days"
    if minutes and minutes % 60 == 0:
        return minutes // 60, "hours"
    return minutes, "minutes"


def describe_timing(rule):
    """The rule's timing in words: "at once", "24 h before Start", "10 min after Created"."""
    if rule.is_immediate:
        return _("at once")
    anchor = _anchor_label(rule)
    if not rule.offset_minutes:
        return _("at %(anchor)s") % {"anchor": anchor}
    amount, unit = split_offset(rule.offset_minutes)
    length = {
        "minutes": _("%(amount)s min"),
        "hours": _("%(amount)s h"),
        "days": ngettext("%(amount)s day", "%(amount)s days", amount),
    }[unit] % {"amount": amount}
    if rule.offset_minutes < 0:
        return _("%(length)s before %(anchor)s") % {"length": length, "anchor": anchor}
    return _("%(length)s after %(anchor)s") % {"length": length, "anchor": anchor}


def _anchor_label(rule):
    try:
        return str(rule.event_type.anchor(rule.anchor).label)
    except LookupError:  # an unknown event, or an anchor its app no longer declares
        return rule.anchor
