"""The engine's periodic tasks, visible and adjustable in the admin (django-celery-beat)."""

from django.db import migrations

PERIODIC_TASKS = [
    ("Relais: send due reminders", "notifications.tasks.dispatch_due"),
    ("Relais: sweep what the broker lost", "notifications.tasks.sweep"),
]


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    for name, task in PERIODIC_TASKS:
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "interval": every_minute, "queue": "high"}
        )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _task in PERIODIC_TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
