"""Celery tasks: thin wrappers that take ids and call the engine."""

from celery import shared_task
from django.conf import settings

from notifications import dispatch, outbox, recaps, sending

# The delivery row counts its attempts (sending.MAX_ATTEMPTS), whoever queued them.
MAX_SEND_RETRIES = sending.MAX_ATTEMPTS - 1


def backoff(retries):
    """10 s, 20 s, 40 s... capped at 5 min: later than that is a scheduled row, not an ETA."""
    return min(settings.RELAIS_RETRY_BASE_SECONDS * 2**retries, 300)


@shared_task
def plan_event(event_id):
    dispatch.plan_event(event_id)


@shared_task(bind=True, max_retries=MAX_SEND_RETRIES)
def send_delivery(self, delivery_id):
    """One delivery (what queues before batches published; tests)."""
    try:
        sending.send(delivery_id)
    except sending.TransientFailure as failure:
        # The row is queued again; a retry lost with the broker is found by the sweeper.
        raise self.retry(countdown=backoff(failure.attempts - 1), queue=failure.priority) from None


@shared_task
def send_batch(delivery_ids):
    """Send deliveries together; those that failed for now are queued again, with backoff."""
    retries = sending.send_batch(delivery_ids)
    for attempts in sorted({retry.attempts for retry in retries}):
        outbox.queue_sends(
            [(r.delivery_id, r.priority) for r in retries if r.attempts == attempts],
            countdown=backoff(attempts - 1),
        )


@shared_task
def dispatch_due():
    return dispatch.dispatch_due()


@shared_task
def sweep():
    return dispatch.sweep()


@shared_task
def send_due_recaps():
    return recaps.send_due_recaps()
