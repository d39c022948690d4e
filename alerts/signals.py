"""What happens in the snow alerts, and who hears of it.

Declared signals: `alerts.services` sends one for each change worth announcing, after it
is saved, with who acted as `actor` (a user, or None for the system).
Receivers: thin, each turns one signal into `notifications.emit`.
"""

from django.dispatch import Signal, receiver

import notifications

# Declared signals. Senders pass the model class changed and the keyword arguments listed.
contact_point_added = Signal()  # point, actor
confirmation_resent = Signal()  # point, actor
contact_point_deleted = Signal()  # point, actor (the row is gone; its fields are not)
contract_changed = Signal()  # contract, actor, changes (a list of sentences)
stops_alerted = Signal()  # run, actor, first, last (orders), first_position
stop_served = Signal()  # run, stop, actor
run_ended = Signal()  # run, actor
broadcast_sent = Signal()  # broadcast, actor


@receiver(contact_point_added, dispatch_uid="alerts.opt_in_request")
@receiver(confirmation_resent, dispatch_uid="alerts.opt_in_request.again")
def ask_confirmation(sender, point, actor, **kwargs):
    notifications.emit("alerts.opt_in_request", point, actor=actor)


@receiver(stops_alerted, dispatch_uid="alerts.truck_coming")
def announce_truck(sender, run, actor, first, last, first_position, at, **kwargs):
    notifications.emit(
        "alerts.truck_coming",
        run,
        actor=actor,
        batch=run.batch,
        first=first,
        last=last,
        first_position=first_position,
        at=at.isoformat(),
        minutes=run.company.minutes_per_stop,
    )


@receiver(broadcast_sent, dispatch_uid="alerts.broadcast")
def announce_broadcast(sender, broadcast, actor, **kwargs):
    notifications.emit(
        "alerts.broadcast", broadcast, actor=actor, batch=broadcast.batch, message=broadcast.message
    )
