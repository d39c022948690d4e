"""The periodic tasks of settings.RELAIS_PERIODIC_TASKS, installed in django-celery-beat's tables.

Beat reads its schedule from the database (DatabaseScheduler), where the admin
shows it and lets the platform team change a pace or pause a task. `migrate`
installs what is missing and leaves an installed task as the admin left it.
"""

from django.conf import settings


def install_periodic_tasks(**kwargs):
    """Create the declared periodic tasks that do not exist yet; return how many."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    created = 0
    for name, declared in settings.RELAIS_PERIODIC_TASKS.items():
        interval, _ = IntervalSchedule.objects.get_or_create(
            every=declared["every_minutes"], period=IntervalSchedule.MINUTES
        )
        _task, was_created = PeriodicTask.objects.get_or_create(
            name=name,
            defaults={"task": declared["task"], "interval": interval, "queue": declared["queue"]},
        )
        created += was_created
    return created
