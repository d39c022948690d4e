"""The portal home's section on tasks: those the person has to do, with "done" at hand (R-9)."""

from workorders import services

SHOWN = 5


def section(user):
    tasks = services.open_tasks(user)
    if not tasks.exists():
        return None
    return {"tasks": tasks[:SHOWN], "task_count": tasks.count()}
