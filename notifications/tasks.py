"""Celery tasks: thin wrappers that take ids and call the engine."""

from celery import shared_task
from django.conf import settings

from notifications import dispatch, outbox, recaps, retention, sending

# The delivery row counts its attempts (sending.MAX_ATTEMPTS), whoever queued them.
MAX_SEND_RETRIES = sending.MAX_ATTEMPTS - 1


def backoff(retries, retry_after=None):
    """10 s, 20 s, 40 s... or the provider's retry-after if longer; capped at 5 min: later
    than that is a scheduled row, not an ETA."""
    wait = settings.RELAIS_RETRY_BASE_SECONDS * 2**retries
    return min(max(wait, retry_after or 0), 300)


@shared_task
def plan_event(event_id):
    dispatch.plan_event(event_id)


@shared_task
def plan_events(event_ids):
    dispatch.plan_events(event_ids)


@shared_task(bind=True, max_retries=MAX_SEND_RETRIES)
def send_delivery(self, delivery_id):
    """One delivery (what queues before batches published; tests)."""
    try:
        sending.send(delivery_id)
    except sending.TransientFailure as failure:
        # The row is queued again; a retry lost with the broker is found by the sweeper.
        countdown = backoff(failure.attempts - 1, failure.retry_after)
        raise self.retry(countdown=countdown, queue=failure.priority) from None


@shared_task
def send_batch(delivery_ids):
    """Send deliveries together; those that failed for now are queued again, with backoff."""
    retries = sending.send_batch(delivery_ids)
    waits = {}
    for retry in retries:
        countdown = backoff(retry.attempts - 1, retry.retry_after)
        waits.setdefault(countdown, []).append((retry.delivery_id, retry.priority))
    for countdown, rows in sorted(waits.items()):
        outbox.queue_sends(rows, countdown=countdown)


@shared_task
def dispatch_due():
    return dispatch.dispatch_due()


@shared_task
def sweep():
    return dispatch.sweep()


@shared_task
def send_due_recaps():
    return recaps.send_due_recaps()


@shared_task
def redact_expired_deliveries():
    return retention.redact_expired()
