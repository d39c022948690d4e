"""Periodic tasks: declared in settings, installed on migrate, kept as the admin sets them."""

import pytest
from django.conf import settings
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from config.celery import app as celery_app
from config.periodic import install_periodic_tasks

pytestmark = pytest.mark.django_db


def test_every_declared_task_is_installed_and_exists_in_celery():
    installed = dict(PeriodicTask.objects.values_list("name", "task"))
    celery_app.loader.import_default_modules()  # what a worker does first: autodiscover
    for name, declared in settings.RELAIS_PERIODIC_TASKS.items():
        assert installed[name] == declared["task"]
        assert declared["task"] in celery_app.tasks  # a typo would never run


def test_installing_again_keeps_what_the_admin_changed():
    task = PeriodicTask.objects.get(task="notifications.tasks.sweep")
    task.interval, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    task.enabled = False
    task.save()
    assert install_periodic_tasks() == 0
    task.refresh_from_db()
    assert (task.enabled, task.interval.every) == (False, 5)


def test_a_task_deleted_in_the_admin_comes_back_at_the_next_migrate():
    PeriodicTask.objects.filter(task="visitors.tasks.close_the_day").delete()
    assert install_periodic_tasks() == 1
    assert PeriodicTask.objects.filter(task="visitors.tasks.close_the_day", enabled=True).exists()
