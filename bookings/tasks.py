"""Celery tasks: thin wrappers around the services."""

from celery import shared_task

from bookings import services
from bookings.services import appointments, waitlists


@shared_task
def release_unchecked():
    """Every 5 minutes: free resources nobody checked in to (B-1)."""
    return services.release_unchecked()


@shared_task
def complete_ended():
    """Every 15 minutes: bookings whose time is over are completed."""
    return services.complete_ended()


@shared_task
def warn_expiring_validities():
    """Every hour: members' validities within their warning period (B-16)."""
    return services.warn_expiring_validities()


@shared_task
def move_waitlist_holds():
    """Every minute: offers whose claim window passed expire, their slot goes to the next (B-12)."""
    return waitlists.move_holds_on()


@shared_task
def release_unpaid_appointments():
    """Every minute: appointments confirmed by payment, unpaid at their deadline (B-11)."""
    return appointments.release_unpaid()
