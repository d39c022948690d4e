"""The engine's entry points for domain apps: emit, and follow a target that moves."""

import logging

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

from notifications import planning
from notifications.events import get_event_type
from notifications.models import Event

logger = logging.getLogger(__name__)


def emit(code, target, /, actor=None, organisation=None, **data):
    """Record that `code` happened to `target`, in the caller's transaction (SPEC N-8).

    Planning is queued once the transaction commits; if the broker is down
    then, the stored event waits for the sweeper.
    """
    event_type = get_event_type(code)  # an unknown code fails here, loudly
    event = Event.objects.create(
        code=code,
        organisation=organisation or getattr(target, "organisation", None),
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=target.pk if target is not None else None,
        actor=actor,
        data=data,
    )
    transaction.on_commit(lambda: queue_planning(event.pk, event_type.priority))
    return event


def queue_planning(event_id, priority):
    from notifications.tasks import plan_event

    try:
        plan_event.apply_async((event_id,), queue=priority)
    except BrokerUnavailable:
        # The broker is unreachable: the event is stored, the sweeper will plan it.
        logger.exception("Could not queue planning of event %s; the sweeper will retry", event_id)


def target_moved(target):
    """Call when a target's anchor datetimes changed: its reminders are re-planned (SPEC N-9).

    Runs in the caller's transaction, so the move and its reminders commit together.
    An event not planned yet needs nothing: it will be planned with the new times.
    """
    planning.replan_target(target)


def target_cancelled(target):
    """Call when a target is cancelled: its pending reminders are cancelled (SPEC N-9)."""
    return planning.cancel_target(target)
