"""The notification engine. Domain apps call `emit`, `target_moved` and `target_cancelled`.

They are `notifications.api`'s, imported on first call: this package is imported
before Django's apps are ready, and the API needs the engine's models.
"""


def emit(code, target, /, actor=None, organisation=None, batch=None, **data):
    """Record an event in the caller's transaction; see `notifications.api.emit`."""
    from notifications.api import emit as _emit

    return _emit(code, target, actor=actor, organisation=organisation, batch=batch, **data)


def target_moved(target):
    """Re-plan the target's reminders after its anchors changed."""
    from notifications.api import target_moved as _target_moved

    return _target_moved(target)


def target_cancelled(target):
    """Cancel the target's pending reminders."""
    from notifications.api import target_cancelled as _target_cancelled

    return _target_cancelled(target)
