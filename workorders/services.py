"""What people do with work orders, tasks and leads. The admin, the demo and the tests call
these, and nothing else changes them: each change sends its signal, with who acted.

As in every domain: a function with plain arguments (`open_order`, `create_task`,
`record_no_answer`), and `save_<model>(instance, actor)` for a form that built the
instance itself (the admin); the first calls the second, so both announce alike.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

import notifications
from notifications.events import get_event_type
from notifications.models import MessageTemplate, Rule
from workorders import signals
from workorders.events.orders import TRIGGER_CONDITION
from workorders.models import Lead, StatusTrigger, Task, WorkOrder, WorkOrderStatus

Kind = WorkOrderStatus.Kind
STATUS_EVENT = "workorders.status_changed"
DEFAULT_STATUSES = [Kind.NEW, Kind.IN_PROGRESS, Kind.READY, Kind.CLOSED]


# Statuses and their triggers.


@transaction.atomic
def ensure_statuses(organisation):
    """An organisation's statuses; the four usual ones, named in the site's language, if none."""
    statuses = WorkOrderStatus.objects.filter(organisation=organisation)
    if not statuses.exists():
        with translation.override(settings.LANGUAGE_CODE):
            for position, kind in enumerate(DEFAULT_STATUSES):
                status = WorkOrderStatus(
                    organisation=organisation, name=str(Kind(kind).label), kind=kind
                )
                status.position = 10 * position
                save_status(status)
    return statuses


def first_status(organisation):
    """Where a new order starts: the first status of the kind "new", else the first one."""
    statuses = ensure_statuses(organisation)
    return statuses.filter(kind=Kind.NEW).first() or statuses.first()


def save_status(status):
    """Save a status (unannounced: what it triggers is announced when an order enters it)."""
    status.save()
    return status


@transaction.atomic
def add_trigger(status, *, role, channels, subject, body, language, name=""):
    """The status's own message (R-8): a rule of its organisation sent when an order enters it.

    The rule is an ordinary one: its templates, preview and "send me a test" are the
    rule's pages; only the status's trigger list ties it to this status.
    """
    with translation.override(settings.LANGUAGE_CODE):  # rule names are data, like statuses
        told = get_event_type(STATUS_EVENT).role(role).label
        name = name or f"{status.name} → {told}"
    rule = Rule.objects.create(
        name=name,
        event_code=STATUS_EVENT,
        organisation=status.organisation,
        roles=[role],
        channels=list(channels),
        conditions=[TRIGGER_CONDITION],
    )
    for channel in channels:
        MessageTemplate.objects.create(
            rule=rule, channel=channel, language=language, subject=subject, body=body
        )
    StatusTrigger.objects.create(status=status, rule=rule)
    return rule


def save_trigger(trigger):
    if trigger.rule.organisation_id not in (None, trigger.status.organisation_id):
        raise ValueError("A status can only trigger its own organisation's rules.")
    trigger.save()
    return trigger


def delete_trigger(trigger):
    trigger.delete()


# Clients.


def save_client(client):
    """Save a client's details; they are read when each message is planned."""
    client.save()
    return client


# Work orders.


@transaction.atomic
def open_order(organisation, *, client, asset, malfunction, actor, **fields):
    """A new work order, in the organisation's first status; the client is told."""
    order = WorkOrder(
        organisation=organisation, client=client, asset=asset, malfunction=malfunction, **fields
    )
    return save_order(order, actor)


@transaction.atomic
def change_status(order, status, actor):
    order.status = status
    return save_order(order, actor)


@transaction.atomic
def assign_specialist(order, specialist, actor):
    order.specialist = specialist
    return save_order(order, actor)


@transaction.atomic
def save_order(order, actor):
    """Save an order from any form: a new one, a new status and a new specialist each
    announce themselves once (R-8)."""
    if not order.status_id:
        order.status = first_status(order.organisation)
    tracker = order.tracker
    created = order.pk is None
    status_changed = not created and tracker.has_changed("status")
    assigned = order.specialist_id and (created or tracker.has_changed("specialist"))
    old_status = None
    if status_changed:
        old_status = WorkOrderStatus.objects.filter(pk=tracker.previous("status")).first()
    if created or status_changed:
        order.closed_at = timezone.now() if order.status.is_closed else None
    order.save()
    if created:
        signals.order_opened.send(sender=WorkOrder, order=order, actor=actor)
    if status_changed:
        signals.order_status_changed.send(
            sender=WorkOrder, order=order, actor=actor, old_status=old_status
        )
    if assigned:
        signals.specialist_assigned.send(sender=WorkOrder, order=order, actor=actor)
    return order


# Tasks.


@transaction.atomic
def create_task(organisation, creator, *, title, assignees=(), **fields):
    """A new task; its assignees are told, and reminded before it is due."""
    task = Task(organisation=organisation, created_by=creator, title=title, **fields)
    return save_task(task, creator, assignees=assignees)


@transaction.atomic
def save_task(task, actor, assignees=None):
    """Save a task from any form. New: its assignees are told. Later, people added are told;
    a new due date or new assignees re-plan its reminders."""
    created = task.pk is None
    due_moved = not created and task.tracker.has_changed("due_at")
    task.save()
    added, removed = _set_assignees(task, assignees) if assignees is not None else ([], [])
    if created:
        signals.task_created.send(sender=Task, task=task, actor=actor)
        return task
    if added:
        signals.task_assigned.send(sender=Task, task=task, actor=actor, assignees=added)
    if due_moved or added or removed:
        notifications.target_moved(task)
    return task


def _set_assignees(task, people):
    """Make `people` the assignees; return (those added, the ids of those removed)."""
    wanted = {person.pk: person for person in people}
    current = set(task.assignees.values_list("pk", flat=True))
    removed = [pk for pk in current if pk not in wanted]
    added = [person for pk, person in wanted.items() if pk not in current]
    task.assignees.remove(*removed)
    task.assignees.add(*added)
    return added, removed


def open_tasks(user):
    """The tasks `user` is to do, soonest due first (those without a date last)."""
    return (
        Task.objects.filter(assignees=user, completed_at=None)
        .select_related("created_by")
        .order_by(F("due_at").asc(nulls_last=True), "created_at")
    )


@transaction.atomic
def complete_task(task, actor):
    """The task is done: its creator is told (R-9), its reminders will not go out."""
    if task.is_done:
        return task
    task.completed_at, task.completed_by = timezone.now(), actor
    task.save(update_fields=["completed_at", "completed_by"])
    signals.task_completed.send(sender=Task, task=task, actor=actor)
    notifications.target_cancelled(task)
    return task


# Leads.


@transaction.atomic
def create_lead(organisation, *, client, actor, **fields):
    return save_lead(Lead(organisation=organisation, client=client, **fields), actor)


@transaction.atomic
def change_lead_status(lead, status, actor, *, callback_at=None):
    lead.status = status
    if callback_at is not None:
        lead.callback_at = callback_at
    return save_lead(lead, actor)


@transaction.atomic
def record_no_answer(lead, actor, *, callback_at):
    """Another unanswered call: a new attempt, with its own call-back (R-10)."""
    if lead.status == Lead.Status.NO_ANSWER:
        notifications.target_cancelled(lead)  # the previous attempt's call-back is spent
        lead.callback_at = callback_at
        lead.call_attempts += 1
        lead.save()
        signals.lead_unanswered.send(sender=Lead, lead=lead, actor=actor)
        return lead
    return change_lead_status(lead, Lead.Status.NO_ANSWER, actor, callback_at=callback_at)


@transaction.atomic
def move_callback(lead, callback_at, actor):
    lead.callback_at = callback_at
    return save_lead(lead, actor)


@transaction.atomic
def save_lead(lead, actor):
    """Save a lead from any form. A new status is announced (R-10); entering "no answer"
    plans a call-back reminder, which moves with the call-back and is cancelled when the
    lead moves on."""
    tracker = lead.tracker
    created = lead.pk is None
    status_changed = not created and tracker.has_changed("status")
    old_status = tracker.previous("status")
    unanswered = lead.status == Lead.Status.NO_ANSWER and (created or status_changed)
    moved_on = status_changed and old_status == Lead.Status.NO_ANSWER
    callback_moved = not (created or status_changed) and tracker.has_changed("callback_at")
    if unanswered:
        lead.call_attempts += 1
    if moved_on:
        lead.callback_at = None  # no call-back is due any more
    lead.save()
    if created:
        signals.lead_created.send(sender=Lead, lead=lead, actor=actor)
    if status_changed:
        signals.lead_status_changed.send(sender=Lead, lead=lead, actor=actor, old_status=old_status)
    if moved_on:
        notifications.target_cancelled(lead)
    if unanswered:
        signals.lead_unanswered.send(sender=Lead, lead=lead, actor=actor)
    elif callback_moved:
        notifications.target_moved(lead)
    return lead
