"""When a rule sends: its slot for a target, when it expires, its send window, all in words.

Offsets in days keep the wall clock in the anchor's zone ("1 day before" a 10:00
visit is 10:00 the day before, across a change of the clocks); minutes and hours
count elapsed time ("24 h before" is 24 hours of time, whatever the clocks do).

A reminder before its anchor expires at the anchor: held back past it (an
outage, a late plan) it is never sent. A message after its anchor may be late by
AFTER_ANCHOR_LATENESS at most.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

AFTER_ANCHOR_LATENESS = datetime.timedelta(hours=1)
UNIT_MINUTES = {"minutes": 1, "hours": 60, "days": 1440}


@dataclass(frozen=True)
class Slot:
    """When a rule sends for an event: `at`, the part of the dedupe key it adds, and
    whether it is already too late to send (`expired`)."""

    at: datetime.datetime
    key: str
    expired: bool = False


def slot_for(rule, target, now):
    """When the rule sends: now, or its offset from the target's anchor (None: no anchor value)."""
    if rule.is_immediate:
        return Slot(now, "")
    anchor_value = anchor_of(rule, target)
    if anchor_value is None:
        return None
    at = shifted(anchor_value, rule, anchor_zone(target))
    key = "@" + at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S")
    return Slot(at, key, expired=at < now and has_expired(rule, target, at, now))


def anchor_of(rule, target):
    """The target's datetime the rule's timing hangs on, as it is now (None: not set)."""
    return rule.event_type.anchor(rule.anchor).value(target)


def shifted(anchor_value, rule, zone):
    """The anchor moved by the rule's offset: in days on the wall clock, else in elapsed time."""
    if not rule.keeps_wall_clock:
        return anchor_value + datetime.timedelta(minutes=rule.offset_minutes)
    local = anchor_value.astimezone(zone)
    wall = local.replace(tzinfo=None) + datetime.timedelta(days=rule.offset_minutes // 1440)
    return wall.replace(tzinfo=zone).astimezone(datetime.UTC)  # fold=0: the first 01:30


def anchor_zone(target):
    """The zone a target's times are read on: its own `zone`, else its organisation's."""
    zone = getattr(target, "zone", None)
    if isinstance(zone, datetime.tzinfo):
        return zone
    organisation = getattr(target, "organisation", None)
    return zoneinfo.ZoneInfo(str(organisation.time_zone if organisation else settings.TIME_ZONE))


def has_expired(rule, target, scheduled_at, now):
    """Whether a reminder is too late to be worth sending (see the module's docstring)."""
    if rule.is_immediate:
        return False
    if rule.offset_minutes <= 0:  # before (or at) its anchor: it expires there
        anchor_value = anchor_of(rule, target)
        return anchor_value is not None and now >= anchor_value
    return now > scheduled_at + AFTER_ANCHOR_LATENESS


def next_window_opening(moment, start, end, time_zone):
    """`moment` if it falls within [start, end) local time, else the next `start`."""
    local = moment.astimezone(zoneinfo.ZoneInfo(time_zone))
    if start <= local.time() < end:
        return moment
    day = local.date() if local.time() < start else local.date() + datetime.timedelta(days=1)
    opening = datetime.datetime.combine(day, start, tzinfo=local.tzinfo)
    return opening.astimezone(datetime.UTC)


def split_offset(minutes, unit=""):
    """(amount, unit) for an offset in minutes: the rule's own unit, else the largest that fits."""
    minutes = abs(minutes)
    if unit in UNIT_MINUTES and minutes % UNIT_MINUTES[unit] == 0:
        return minutes // UNIT_MINUTES[unit], unit
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
    amount, unit = split_offset(rule.offset_minutes, rule.offset_unit)
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
