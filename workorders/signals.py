"""What happens to work orders, tasks and leads, and who hears of it.

Declared signals: `services.py` sends one for each change worth announcing, after
it is saved, with who acted as `actor` (a user, or None for the system). A plain
model save cannot tell who acted, so no receiver listens to one.
Receivers: thin, each turns one signal into `notifications.emit`.
"""

from django.dispatch import Signal, receiver

import notifications

# Declared signals. Senders pass the model class changed and the keyword arguments listed.
order_opened = Signal()  # order, actor
order_status_changed = Signal()  # order, actor, old_status (a WorkOrderStatus)
specialist_assigned = Signal()  # order, actor
task_created = Signal()  # task, actor
task_assigned = Signal()  # task, actor, assignees (the users just added)
task_completed = Signal()  # task, actor
lead_created = Signal()  # lead, actor
lead_status_changed = Signal()  # lead, actor, old_status
lead_unanswered = Signal()  # lead, actor: a call went unanswered, a call-back is due


# Receivers.


@receiver(order_opened, dispatch_uid="workorders.created")
def announce_order(sender, order, actor, **kwargs):
    notifications.emit("workorders.created", order, actor=actor)


@receiver(order_status_changed, dispatch_uid="workorders.status_changed")
def announce_status(sender, order, actor, old_status, **kwargs):
    notifications.emit(
        "workorders.status_changed",
        order,
        actor=actor,
        status_id=order.status_id,
        status_kind=order.status.kind,
        status_name=order.status.name,
        old_status_name=old_status.name if old_status else "",
    )


@receiver(specialist_assigned, dispatch_uid="workorders.specialist_assigned")
def announce_specialist(sender, order, actor, **kwargs):
    notifications.emit(
        "workorders.specialist_assigned", order, actor=actor, specialist_id=order.specialist_id
    )


@receiver(task_created, dispatch_uid="tasks.created")
def announce_task(sender, task, actor, **kwargs):
    notifications.emit("tasks.created", task, actor=actor)


@receiver(task_created, dispatch_uid="tasks.due")
def plan_due_reminders(sender, task, actor, **kwargs):
    # Its reminders hang on the due date: set later, moved, or removed, they follow it.
    notifications.emit("tasks.due", task, actor=actor)


@receiver(task_assigned, dispatch_uid="tasks.assigned")
def announce_assignees(sender, task, actor, assignees, **kwargs):
    ids = [person.pk for person in assignees]
    notifications.emit("tasks.assigned", task, actor=actor, assignee_ids=ids)


@receiver(task_completed, dispatch_uid="tasks.completed")
def announce_completion(sender, task, actor, **kwargs):
    notifications.emit("tasks.completed", task, actor=actor)


@receiver(lead_created, dispatch_uid="leads.created")
def announce_lead(sender, lead, actor, **kwargs):
    notifications.emit("leads.created", lead, actor=actor)


@receiver(lead_status_changed, dispatch_uid="leads.status_changed")
def announce_lead_status(sender, lead, actor, old_status, **kwargs):
    notifications.emit(
        "leads.status_changed", lead, actor=actor, status=lead.status, old_status=old_status
    )


@receiver(lead_unanswered, dispatch_uid="leads.no_answer")
def announce_no_answer(sender, lead, actor, **kwargs):
    notifications.emit("leads.no_answer", lead, actor=actor, attempt=lead.call_attempts)
