"""Send one delivery: claim, check, render, call the channel, record (DESIGN, step 5).

Whatever goes wrong ends in a recorded state: the exception's type and message
on the row, another try only for the kinds known to be transient, and `failed`
at the attempt limit. A delivery is never left `sending`, nor re-sent forever.
"""

import functools
import logging
import time
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_noop

from notifications import failures, pacing
from notifications.channels import ChannelError, get_backend
from notifications.consent import opt_in
from notifications.consent import state as consent
from notifications.models import Delivery
from notifications.outbox import queue_sends, send_on_commit
from notifications.planning import (
    EXPIRED,
    ON_SUPPRESSION_LIST,
    QUIET_HOURS,
    outside_window,
    plan_fallback,
    suppression_code,
)
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
Skip = Delivery.Skip


class TransientFailure(Exception):
    """The channel failed for now; the task retries the delivery after `attempts` tries."""

    def __init__(self, message, priority, attempts, delivery_id=None, retry_after=None):
        super().__init__(message)
        self.priority = priority
        self.attempts = attempts
        self.delivery_id = delivery_id
        self.retry_after = retry_after  # the provider's "not before", in seconds, if it said


def send(delivery_id):
    """Send one queued delivery (a retry); raise TransientFailure when it may pass later."""
    [retry] = send_batch([delivery_id]) or [None]
    if retry is not None:
        raise retry


def send_batch(delivery_ids):
    """Send queued deliveries together, each once even if two workers try at the same moment.

    One statement claims them; what they share is read once (events, rules and their
    templates, what each is about, the suppression list for their addresses); each is
    rendered here, and the provider calls overlap on a small thread pool. Return a
    TransientFailure for each delivery to try again later (the task queues them).
    """
    delivery_ids, turns = _take_turns(delivery_ids)
    claimed = claim(delivery_ids)
    if not claimed:
        return []  # other workers have them, or they are no longer pending
    deliveries = _load(claimed)
    suppressed = _suppressions(deliveries)
    refused = consent.refusals_now(deliveries)  # a STOP or a change of mind since planning wins
    ready = []
    for delivery in deliveries:
        try:
            if not _stopped(delivery, suppressed, refused):
                if delivery.rule_id:  # manual messages come written
                    _keep(delivery, render_delivery(delivery))
                ready.append(delivery)
        except Exception as error:
            _record_failure(delivery, error)
    return [retry for retry in _transmit_all(ready, turns) if retry is not None]


def _take_turns(delivery_ids):
    """The ids to send now, with each paced one's turn (SPEC N-21).

    Messages of a paced channel whose sender is booked up are left queued, and
    queued again for when their turn nears.
    """
    now, to_send, turns = timezone.now(), [], {}
    paced, senders = {}, {}
    queued = Delivery.objects.filter(pk__in=list(delivery_ids), status=Status.QUEUED)
    rows = queued.values_list("pk", "channel", "priority", "organisation_id").order_by("pk")
    for pk, channel, priority, organisation_id in rows:
        if not pacing.rate(channel):
            to_send.append(pk)
            continue
        if (channel, organisation_id) not in senders:
            senders[channel, organisation_id] = pacing.sender_of(channel, organisation_id)
        paced.setdefault((channel, senders[channel, organisation_id]), []).append((pk, priority))
    for (channel, sender), rows in paced.items():
        start, booked = pacing.book(channel, len(rows), now, sender)
        if booked < len(rows):
            _come_back(rows[booked:], pacing.come_back(channel, now, sender), now)
        pks = [pk for pk, _priority in rows[:booked]]
        turns.update(zip(pks, pacing.turns(channel, start, booked), strict=True))
        to_send += pks
    return to_send, turns


def _come_back(rows, when, now):
    # Touched, so the sweeper does not take them for forgotten while they wait their turn.
    Delivery.objects.filter(pk__in=[pk for pk, _p in rows], status=Status.QUEUED).update(
        updated_at=now
    )
    queue_sends(rows, countdown=max((when - now).total_seconds(), 1))


def claim(delivery_ids):
    """Mark the queued ones `sending`, with their attempt, before any provider call: one
    conditional UPDATE … RETURNING (rows locked by another worker skipped on PostgreSQL)."""
    ids = list(delivery_ids)
    if not ids:
        return []
    table = Delivery._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    locked = "FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, claimed_at = %s, updated_at = %s,"
            " attempts = attempts + 1"
            f" WHERE id IN (SELECT id FROM {table} WHERE id IN ({marks})"
            f" AND status = %s AND attempts < %s {locked}) RETURNING id",
            [Status.SENDING, timezone.now(), timezone.now(), *ids, Status.QUEUED, MAX_ATTEMPTS],
        )
        return [row[0] for row in cursor.fetchall()]


def _load(ids):
    """The claimed rows with what they share read once: each event, rule and object once."""
    deliveries = list(
        Delivery.objects.filter(pk__in=ids)
        .select_related("event__organisation", "event__actor", "rule", "user")
        .prefetch_related("rule__templates")
        .order_by("pk")
    )
    events, rules = {}, {}
    for delivery in deliveries:  # one instance each, so targets and templates load once
        delivery.event = events.setdefault(delivery.event_id, delivery.event)
        if delivery.rule_id:
            delivery.rule = rules.setdefault(delivery.rule_id, delivery.rule)
    _prefetch_about(deliveries)
    return deliveries


def _prefetch_about(deliveries):
    """What each delivery is about, one query per kind of object (a visitor, a contract)."""
    wanted = {}
    for delivery in deliveries:
        if delivery.about_id is not None:
            wanted.setdefault(delivery.about_type_id, set()).add(delivery.about_id)
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        found = model._base_manager.in_bulk(ids) if model else {}
        for delivery in deliveries:
            if delivery.about_type_id == type_id:
                # A deleted object stays None: `_stopped` cancels its message.
                Delivery.about.set_cached_value(delivery, found.get(delivery.about_id))


def _suppressions(deliveries):
    """{(channel, address): reason} of the batch's addresses on the list, read once."""
    return consent.suppressed_among({d.address for d in deliveries})


def _transmit_all(ready, turns=None):
    """Call the providers: on the pool where the channel allows, else one after the other.

    What a pooled call needs is read from the database here first (`prepare`): the
    pool's threads only talk to the provider.
    """
    calls, outcomes = [], []
    for delivery in ready:
        backend = get_backend(delivery.channel)
        if not backend.transmits_in_threads:
            outcomes.append(_outcome(delivery, lambda b=backend, d=delivery: b.send(d)))
            continue
        try:
            prepared = backend.prepare(delivery)
            turn = turns.get(delivery.pk) if turns else None
            if turn is None:
                calls.append((delivery, _pool().submit(backend.transmit, prepared)))
            else:  # on a pool of its own: waiting for turns never holds up the emails
                call = _paced_pool().submit(_at_turn, turn, backend.transmit, prepared)
                calls.append((delivery, call))
        except Exception as error:
            outcomes.append((delivery, None, error))
    outcomes += [_outcome(delivery, call.result) for delivery, call in calls]
    return _record(outcomes)


def _at_turn(turn, transmit, prepared):
    """A paced message leaves at its turn, never before (at most pacing.MAX_WAIT from now)."""
    time.sleep(max((turn - timezone.now()).total_seconds(), 0))
    return transmit(prepared)


def _outcome(delivery, call):
    try:
        return delivery, call(), None
    except Exception as error:
        return delivery, None, error


def _record(outcomes):
    """The batch's results on its rows: successes in two statements, failures one by one."""
    now = timezone.now()
    sent = [(delivery, result) for delivery, result, error in outcomes if error is None]
    for delivery, result in sent:
        delivery.provider_message_id = result.provider_message_id
        # What the provider bills (SMS segments), counted by the dashboard (SPEC P-4).
        delivery.segments = get_backend(delivery.channel).billed_segments(delivery.body)
    # What all successes share in one plain UPDATE; what each has of its own in one more.
    Delivery.objects.filter(pk__in=[delivery.pk for delivery, _result in sent]).update(
        status=Status.SENT, sent_at=now, updated_at=now, last_error="", error_type=""
    )
    Delivery.objects.bulk_update([delivery for delivery, _result in sent], OWN_FIELDS)
    for delivery, _result in sent:
        opt_in.request_sent(delivery)  # a confirmation request goes on the ledger as it left
    retries = []
    for delivery, _result, error in outcomes:
        if error is not None:
            try:
                _record_failure(delivery, error)
            except TransientFailure as retry:
                retries.append(retry)
    return retries


OWN_FIELDS = ["provider_message_id", "subject", "body", "html", "segments"]


@functools.cache
def _paced_pool():
    """Threads for paced messages (SMS, calls), which wait for their turn before they go."""
    return ThreadPoolExecutor(settings.RELAIS_SEND_THREADS, thread_name_prefix="relais-paced")


@functools.cache
def _pool():
    """The process's provider-call threads, kept between batches: each keeps its ESP session
    alive, and however many batches run at once, at most this many calls are in flight."""
    return ThreadPoolExecutor(settings.RELAIS_SEND_THREADS, thread_name_prefix="relais-send")


def _record_failure(delivery, error):
    """The failure on the row: queued again if it may pass later, else failed for good."""
    if not isinstance(error, EXPECTED_ERRORS):
        logger.exception("Delivery %s raised an unexpected error", delivery.pk)
    failure = {"last_error": str(error) or repr(error), "error_type": _type_name(error)}
    # The text it tried to send, as rendered (unchanged from the row when it never was).
    failure.update(subject=delivery.subject, body=delivery.body, html=delivery.html)
    if not is_transient(error):
        _fail(delivery, failure)
        if isinstance(error, ChannelError):
            _fall_back(delivery)
        return
    if delivery.attempts >= MAX_ATTEMPTS:
        failure["last_error"] += f" (gave up after {delivery.attempts} attempts)"
        _fail(delivery, failure)
        return
    _finish(delivery, Status.QUEUED, **failure)
    retry_after = getattr(error, "retry_after", None)
    raise TransientFailure(
        str(error), delivery.priority, delivery.attempts, delivery.pk, retry_after
    ) from error


def _fail(delivery, failure):
    """Failed for good, with the cause the dashboard counts it by (SPEC P-4)."""
    cause = failures.cause_of(delivery.channel, Status.FAILED, failure["last_error"])
    _finish(delivery, Status.FAILED, failure=cause, **failure)


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
        _finish(delivery, Status.FAILED, reason=FELL_BACK, reason_code=Skip.FELL_BACK)
        send_on_commit(fallback)


def _stopped(delivery, suppressed, refused):
    """Things that changed since planning: a failed condition, a suppression, a STOP."""
    rule, event = delivery.rule, delivery.event
    if rule and not event.is_test:
        about = delivery.about_object
        if about is None:  # deleted since planning: its message has nothing left to say
            _finish(delivery, Status.CANCELLED, reason=OBJECT_GONE, reason_code=Skip.WITHDRAWN)
            return True
        if has_expired(rule, event.target, delivery.send_at, timezone.now()):
            _finish(delivery, Status.CANCELLED, reason=EXPIRED, reason_code=Skip.EXPIRED)
            return True
        if outside_window(rule, delivery, timezone.now()):  # paced past 20:00, say
            _finish(delivery, Status.CANCELLED, reason=QUIET_HOURS, reason_code=Skip.QUIET_HOURS)
            return True
        failed = conditions_hold(rule, about, event)
        if failed is not None:
            reason = CONDITION_FAILED % failed.code
            _finish(delivery, Status.CANCELLED, reason=reason, reason_code=Skip.CONDITION)
            return True
    reason = suppressed.get((delivery.channel, delivery.address))
    if reason is not None:
        code = suppression_code(reason)
        _finish(delivery, Status.SUPPRESSED, reason=ON_SUPPRESSION_LIST, reason_code=code)
        return True
    if delivery.pk in refused:
        reason, code = refused[delivery.pk]
        _finish(delivery, Status.SUPPRESSED, reason=reason, reason_code=code)
        return True
    return False


def _keep(delivery, message):
    """What is about to be sent, stored with the outcome: the log shows the message as it left."""
    delivery.subject, delivery.body, delivery.html = message.subject, message.body, message.html


def _finish(delivery, status, **fields):
    fields["status"] = status
    for name, value in fields.items():
        setattr(delivery, name, value)
    Delivery.objects.filter(pk=delivery.pk).update(updated_at=timezone.now(), **fields)
