"""Celery tasks: thin wrappers around the services."""

from celery import shared_task

from visitors import services


@shared_task
def close_the_day():
    """Every 15 minutes from beat: visitors still in after closing time are reported (V-6)."""
    return services.close_the_day()
