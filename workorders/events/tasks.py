"""Tasks (SPEC R-9): created, assigned, due soon, completed → their creator and assignees.

"Due soon" is a reminder anchored on the due date, held by `tasks.due` (emitted once
with the task): moving the due date, or changing the assignees, re-plans it
(`notifications.target_moved`); completing the task cancels it.
"""

import datetime

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from notifications.events import (
    Anchor,
    Condition,
    EventGroup,
    EventType,
    Priority,
    RecipientRole,
    Variable,
    register,
)
from workorders.events.common import active, admin_path, rule

# Not staff_only: a specialist is a staff member without the back office, and chooses too.
TASKS = EventGroup("tasks", _("My tasks"))


def creator(task, event):
    return active(task.created_by)


def assignees(task, event):
    return task.assignees.filter(is_active=True)


def new_assignees(task, event):
    return task.assignees.filter(is_active=True, pk__in=event.data.get("assignee_ids", []))


ROLES = {
    role.code: role
    for role in [
        RecipientRole("creator", _("The task's creator"), creator),
        RecipientRole("assignees", _("The task's assignees"), assignees),
        RecipientRole("new_assignees", _("The assignees just added"), new_assignees),
    ]
}

DUE = datetime.datetime(2026, 12, 1, 16, 0, tzinfo=datetime.UTC)
VARIABLES = [
    Variable("title", _("Title"), "Rappeler le fournisseur d’écrans"),
    Variable("description", _("Description"), "Commande de 10 écrans iPhone 12."),
    Variable("due_at", _("Due"), DUE),
    Variable("creator_name", _("Creator's name"), "Bob Martin"),
    Variable("assignee_names", _("Assignees' names"), "Théo Lambert"),
    Variable("completed_by_name", _("Completed by"), "Théo Lambert"),
    Variable("order_number", _("Work order number"), 1042),
    Variable(
        "admin_url", _("Link to the task in the back office"), "https://relais.example/admin/"
    ),
]


def task_context(task, data):
    return {
        "title": task.title,
        "description": task.description,
        "due_at": task.due_at,
        "creator_name": str(task.created_by),
        "assignee_names": ", ".join(str(person) for person in task.assignees.all()),
        "completed_by_name": str(task.completed_by or ""),
        "order_number": task.work_order_id or "",
        "admin_url": settings.SITE_URL + admin_path(task),
    }


def still_open(task, event):
    return not task.is_done


def task_event(code, label, roles, **options):
    return register(
        EventType(
            code=code,
            label=label,
            group=TASKS,
            roles=[ROLES[role] for role in roles],
            variables=VARIABLES,
            context=task_context,
            link=admin_path,
            **options,
        )
    )


DUE_FR = (
    "{% if due_at %}\nÀ faire pour le {{ due_at|date:'j F Y' }} à {{ due_at|time:'H:i' }}"
    "{% endif %}"
)
DUE_EN = "{% if due_at %}\nDue {{ due_at|date:'F j, Y' }} at {{ due_at|time:'g:i A' }}{% endif %}"

task_event(
    "tasks.created",
    _("Task created"),
    ["assignees", "creator"],
    default_rules=[
        rule(
            "tasks.created/assignees",
            _("Tell the assignees about their new task"),
            ["assignees"],
            ["email", "inapp"],
            fr=(
                "Nouvelle tâche\u00a0: {{ title }}",
                "{{ creator_name }} vous a confié une tâche\u00a0: «\u00a0{{ title }}\u00a0»."
                + DUE_FR
                + "{% if description %}\n\n{{ description }}{% endif %}\n\n{{ link }}",
            ),
            en=(
                "New task: {{ title }}",
                "{{ creator_name }} gave you a task: “{{ title }}”."
                + DUE_EN
                + "{% if description %}\n\n{{ description }}{% endif %}\n\n{{ link }}",
            ),
        )
    ],
)

task_event(
    "tasks.assigned",
    _("Task assigned to more people"),
    ["new_assignees", "creator"],
    priority=Priority.HIGH,
    default_rules=[
        rule(
            "tasks.assigned/new_assignees",
            _("Tell the people just assigned"),
            ["new_assignees"],
            ["email", "inapp"],
            fr=(
                "Tâche attribuée\u00a0: {{ title }}",
                "La tâche «\u00a0{{ title }}\u00a0», créée par {{ creator_name }}, vous est "
                "désormais attribuée." + DUE_FR + "\n\n{{ link }}",
            ),
            en=(
                "Task assigned: {{ title }}",
                "You are now assigned “{{ title }}”, created by {{ creator_name }}."
                + DUE_EN
                + "\n\n{{ link }}",
            ),
        )
    ],
)

task_event(
    "tasks.due",
    _("Task due soon (reminders before the due date)"),
    ["assignees", "creator"],
    anchors=[Anchor("due", _("Task due"), "due_at")],
    notify_actor=True,  # a reminder is for whoever has the task, its creator included
    conditions=[Condition("still_open", _("The task is not completed"), still_open)],
    default_rules=[
        rule(
            "tasks.due/assignees",
            _("Remind the assignees 1 h before the task is due"),
            ["assignees"],
            ["email", "inapp"],
            anchor="due",
            offset_minutes=-60,
            conditions=["still_open"],
            fr=(
                "Bientôt due\u00a0: {{ title }}",
                "La tâche «\u00a0{{ title }}\u00a0» est à faire pour le "
                "{{ due_at|date:'j F Y' }} à {{ due_at|time:'H:i' }}.\n\n{{ link }}",
            ),
            en=(
                "Due soon: {{ title }}",
                "“{{ title }}” is due on {{ due_at|date:'F j, Y' }} at {{ due_at|time:'g:i A' }}."
                "\n\n{{ link }}",
            ),
        )
    ],
)

task_event(
    "tasks.completed",
    _("Task completed"),
    ["creator", "assignees"],
    default_rules=[
        rule(
            "tasks.completed/creator",
            _("Tell the creator their task is done"),
            ["creator"],
            ["email", "inapp"],
            fr=(
                "Tâche terminée\u00a0: {{ title }}",
                "{{ completed_by_name }} a terminé la tâche «\u00a0{{ title }}\u00a0»."
                "\n\n{{ link }}",
            ),
            en=(
                "Task completed: {{ title }}",
                "{{ completed_by_name }} completed “{{ title }}”.\n\n{{ link }}",
            ),
        )
    ],
)
