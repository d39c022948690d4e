"""What domain apps call: record an event, follow a target that moves or is cancelled.

`notifications.emit`, `notifications.target_moved` and `notifications.target_cancelled`
are these functions; the engine does the rest after the caller's transaction commits.
"""

from notifications.events import get_event_type
from notifications.outbox import plan_on_commit, store
from notifications.planning import cancel_target, replan_target


def emit(code, target, /, actor=None, organisation=None, batch=None, **data):
    """Record that `code` happened to `target`, in the caller's transaction (SPEC N-8).

    The relay (notifications/relay.py) publishes its planning once the transaction
    commits: the caller pays for its row, never for the broker. If the broker is
    down then, the stored event waits in the table. `batch`: the fan-out
    (route run, broadcast) whose counts its deliveries join (`notifications.batches`).
    """
    event_type = get_event_type(code)  # an unknown code fails here, loudly
    event = store(
        code,
        target,
        organisation=organisation or getattr(target, "organisation", None),
        actor=actor,
        batch=batch,
        data=data,
    )
    plan_on_commit(event.pk, event_type.priority)
    return event


def target_moved(target):
    """Call when a target's anchor datetimes changed: its reminders are re-planned (SPEC N-9).

    Runs in the caller's transaction, so the move and its reminders commit together.
    An event not planned yet needs nothing: it will be planned with the new times.
    """
    replan_target(target)


def target_cancelled(target):
    """Call when a target is cancelled: its pending reminders are cancelled (SPEC N-9)."""
    return cancel_target(target)
