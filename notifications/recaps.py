"""Periodic summaries (SPEC N-10): "your appointments tomorrow", at 18:00 in your own zone.

One frequent beat task (`send_due_recaps`) finds, in the database, the recaps
due now in each recipient's time zone — rather than one PeriodicTask per person,
which django-celery-beat handles badly across zones. Each recap becomes an
ordinary event for its recipient, so rules, templates, preferences, channels
and the delivery log all apply; a RecapRun row makes it once per person and day.
"""

import datetime
import logging
import zoneinfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Organisation
from notifications.api import emit
from notifications.events import UnknownEvent, catalog, get_event_type
from notifications.models import RecapRun, RecapSchedule

logger = logging.getLogger(__name__)

# A recap found more than this late (beat was down, a schedule was just created)
# is skipped rather than sent at a surprising hour.
MAX_LATENESS = datetime.timedelta(hours=3)


def send_due_recaps(now=None):
    """Emit every recap due at `now`; return how many were made."""
    now = now or timezone.now()
    made = 0
    for schedule, organisation in _schedules_by_organisation():
        try:
            event_type = get_event_type(schedule.event_code)
        except UnknownEvent:
            logger.error("Recap schedule %s names an unknown event", schedule.pk)
            continue
        for user in event_type.recap.audience(organisation):
            made += _send_if_due(schedule, event_type, organisation, user, now)
    return made


def _schedules_by_organisation():
    """(schedule, organisation) pairs: an organisation's own schedules replace the defaults."""
    schedules = list(RecapSchedule.objects.filter(enabled=True).select_related("organisation"))
    own = {(s.organisation_id, s.event_code) for s in schedules if s.organisation_id}
    for schedule in schedules:
        if schedule.organisation:
            yield schedule, schedule.organisation
            continue
        for organisation in Organisation.objects.all():
            if (organisation.pk, schedule.event_code) not in own:
                yield schedule, organisation


def covered_window(schedule, local_now, day_kind=None):
    """The local day a recap sent on `local_now` covers, as (day, start, end)."""
    day = local_now.date()
    if (day_kind or schedule.day) == RecapSchedule.Day.DAY_BEFORE:
        day += datetime.timedelta(days=1)
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=local_now.tzinfo)
    return day, start, start + datetime.timedelta(days=1)


def _send_if_due(schedule, event_type, organisation, user, now):
    send_time, day_kind = schedule.send_time, schedule.day
    if event_type.recap.timing is not None:
        send_time, day_kind = event_type.recap.timing(user, organisation) or (send_time, day_kind)
    local_now = now.astimezone(zoneinfo.ZoneInfo(str(user.time_zone)))
    due_at = datetime.datetime.combine(local_now.date(), send_time, local_now.tzinfo)
    if not due_at <= local_now <= due_at + MAX_LATENESS:
        return 0
    day, start, end = covered_window(schedule, local_now, day_kind)
    if RecapRun.objects.filter(schedule=schedule, user=user, covered_day=day).exists():
        return 0
    try:
        with transaction.atomic():
            run = RecapRun.objects.create(schedule=schedule, user=user, covered_day=day)
            items = event_type.recap.items(user, organisation, start, end)
            if not items:
                return 0  # nothing to tell: no empty recap, and the run remembers it
            run.event = emit(
                event_type.code, user, organisation=organisation, day=day.isoformat(), items=items
            )
            run.save(update_fields=["event"])
    except IntegrityError:
        return 0  # another beat run made it a moment ago
    return 1


def recap_codes():
    """Codes of the event types that are recaps, for the admin's choices."""
    return [event_type.code for event_type in catalog() if event_type.recap]
