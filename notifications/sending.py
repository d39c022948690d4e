"""Send one delivery: claim, check, render, call the channel, record (DESIGN, step 5).

Whatever goes wrong ends in a recorded state: the exception's type and message
on the row, another try only for the kinds known to be transient, and `failed`
at the attempt limit. A delivery is never left `sending`, nor re-sent forever.
"""

import logging

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from notifications.channels import ChannelError, get_backend
from notifications.models import Delivery, Suppression
from notifications.outbox import send_on_commit
from notifications.planning import EXPIRED, ON_SUPPRESSION_LIST, plan_fallback
from notifications.rendering import render_delivery
from notifications.rules import conditions_hold
from notifications.templating import TemplateProblem
from notifications.timing import has_expired

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # the first try and five retries, however the tries were queued
# Besides a channel's own transient ChannelError: the network's "not now".
TRANSIENT_ERRORS = (ConnectionError, TimeoutError)
# Failures the engine expects and explains; anything else is logged with its traceback.
EXPECTED_ERRORS = (ChannelError, TemplateProblem, *TRANSIENT_ERRORS)

CONDITION_FAILED = gettext_noop("condition no longer holds: %s")
FELL_BACK = gettext_noop("fell back to another channel")
OBJECT_GONE = gettext_noop("what it was about no longer exists")
Status = Delivery.Status


class TransientFailure(Exception):
    """The channel failed for now; the task retries the delivery after `attempts` tries."""

    def __init__(self, message, priority, attempts):
        super().__init__(message)
        self.priority = priority
        self.attempts = attempts


def send(delivery_id):
    """Send a queued delivery once, even if two workers try at the same moment."""
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=Status.QUEUED, attempts__lt=MAX_ATTEMPTS
    ).update(status=Status.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1)
    if claimed != 1:
        return  # another worker has it, or it is no longer pending
    delivery = Delivery.objects.select_related(
        "event__organisation", "event__actor", "rule", "user"
    ).get(pk=delivery_id)
    try:
        _send(delivery)
    except Exception as error:
        _record_failure(delivery, error)


def _send(delivery):
    if _stopped(delivery):
        return
    if delivery.rule_id:  # manual messages come written
        _keep(delivery, render_delivery(delivery))
    result = get_backend(delivery.channel).send(delivery)
    _finish(
        delivery,
        Status.SENT,
        sent_at=timezone.now(),
        provider_message_id=result.provider_message_id,
        last_error="",
        error_type="",
    )


def _record_failure(delivery, error):
    """The failure on the row: queued again if it may pass later, else failed for good."""
    if not isinstance(error, EXPECTED_ERRORS):
        logger.exception("Delivery %s raised an unexpected error", delivery.pk)
    failure = {"last_error": str(error) or repr(error), "error_type": _type_name(error)}
    if not is_transient(error):
        _finish(delivery, Status.FAILED, **failure)
        if isinstance(error, ChannelError):
            _fall_back(delivery)
        return
    if delivery.attempts >= MAX_ATTEMPTS:
        failure["last_error"] += f" (gave up after {delivery.attempts} attempts)"
        _finish(delivery, Status.FAILED, **failure)
        return
    _finish(delivery, Status.QUEUED, **failure)
    raise TransientFailure(str(error), delivery.priority, delivery.attempts) from error


def is_transient(error):
    """Whether trying again later may succeed."""
    if isinstance(error, ChannelError):
        return not error.permanent
    return isinstance(error, TRANSIENT_ERRORS)


def _type_name(error):
    kind = type(error)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    return name[:100]


def _fall_back(delivery):
    fallback = plan_fallback(delivery)
    if fallback:
        _finish(delivery, Status.FAILED, reason=FELL_BACK)
        send_on_commit(fallback)


def _stopped(delivery):
    """Things that changed since planning: a failed condition, a new suppression."""
    rule, event = delivery.rule, delivery.event
    if rule and not event.is_test:
        about = delivery.about_object
        if about is None:  # deleted since planning: its message has nothing left to say
            _finish(delivery, Status.CANCELLED, reason=OBJECT_GONE)
            return True
        if has_expired(rule, event.target, delivery.send_at, timezone.now()):
            _finish(delivery, Status.CANCELLED, reason=EXPIRED)
            return True
        failed = conditions_hold(rule, about, event)
        if failed is not None:
            _finish(delivery, Status.CANCELLED, reason=CONDITION_FAILED % failed.code)
            return True
    if Suppression.objects.filter(channel=delivery.channel, address=delivery.address).exists():
        _finish(delivery, Status.SUPPRESSED, reason=ON_SUPPRESSION_LIST)
        return True
    return False


def _keep(delivery, message):
    """Store what is about to be sent: the log shows the message as it left."""
    _finish(
        delivery, delivery.status, subject=message.subject, body=message.body, html=message.html
    )


def _finish(delivery, status, **fields):
    fields["status"] = status
    for name, value in fields.items():
        setattr(delivery, name, value)
    Delivery.objects.filter(pk=delivery.pk).update(updated_at=timezone.now(), **fields)
