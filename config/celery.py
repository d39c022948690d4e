"""The Celery app: settings come from Django's (`CELERY_*`), tasks from each app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("relais")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="relais.ping")
def ping():
    """A worker's liveness probe: `celery -A config call relais.ping -q high`."""
    return "pong"
