"""The Celery app: settings come from Django's (`CELERY_*`), tasks from each app."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("relais")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def close_old_connections(sender=None, **kwargs):
    """Around each task, Django's rule for requests: drop connections too old or broken.

    With DATABASE_CONN_MAX_AGE set, settings stop Celery from closing the
    connection after every task (CELERY_DB_REUSE_MAX); this keeps the age
    limit and recovers from a database restart.
    """
    if sender is not None and sender.request.is_eager:
        return  # run in the caller's process (tests): its connection is the caller's
    from django.db import close_old_connections

    close_old_connections()


@app.task(name="relais.ping")
def ping():
    """A worker's liveness probe: `celery -A config call relais.ping -q high`."""
    return "pong"
