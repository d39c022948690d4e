"""What happens to visits, and who hears of it.

Declared signals: `services.py` sends one for each change worth announcing,
after it is saved, with who acted as `actor` (a user, or None for the system).
A plain model save cannot tell who acted, so no receiver listens to one.
Receivers: thin, each turns one signal into one `notifications.emit` about the
visit; each visitor's message is about them (see events.py), so each gets their
own link and .ics.
"""

from django.dispatch import Signal, receiver

import notifications

# Declared signals. Senders pass the model class changed and the keyword arguments listed.
visitor_invited = Signal()  # visitor, actor
visitor_withdrawn = Signal()  # visitor, actor
visit_moved = Signal()  # visit, actor, old_start, old_end, old_site (a Site, or None)
visit_cancelled = Signal()  # visit, actor
visitor_checked_in = Signal()  # visitor, actor (None: the visitor's own link)
visitor_still_in = Signal()  # visitor, actor (None: the end-of-day report)


# Receivers.


@receiver(visitor_invited, dispatch_uid="visitors.invited")
def announce_invitation(sender, visitor, actor, **kwargs):
    _about_visitor("visits.invited", visitor, actor)


@receiver(visitor_withdrawn, dispatch_uid="visitors.withdrawn")
def announce_withdrawal(sender, visitor, actor, **kwargs):
    _about_visitor("visits.cancelled", visitor, actor)


@receiver(visit_moved, dispatch_uid="visitors.visit_moved")
def announce_move(sender, visit, actor, old_start, old_end, old_site, **kwargs):
    notifications.emit(
        "visits.changed",
        visit,
        actor=actor,
        visitor_ids=_still_invited(visit),
        old_start=old_start.isoformat(),
        old_end=old_end.isoformat(),
        old_site=old_site.name if old_site else "",
    )


@receiver(visit_cancelled, dispatch_uid="visitors.visit_cancelled")
def announce_cancellation(sender, visit, actor, **kwargs):
    notifications.emit("visits.cancelled", visit, actor=actor, visitor_ids=_still_invited(visit))


@receiver(visitor_checked_in, dispatch_uid="visitors.checked_in")
def announce_arrival(sender, visitor, actor, **kwargs):
    _about_visitor("visits.checked_in", visitor, actor)


@receiver(visitor_still_in, dispatch_uid="visitors.still_in")
def announce_still_in(sender, visitor, actor, **kwargs):
    _about_visitor("visits.not_checked_out", visitor, actor)


def _about_visitor(code, visitor, actor):
    notifications.emit(code, visitor.visit, actor=actor, visitor_ids=[visitor.pk])


def _still_invited(visit):
    """The visitors told of a change: those invited now, not one added later in the same save."""
    return list(visit.visitors.filter(removed_at=None).values_list("pk", flat=True))
