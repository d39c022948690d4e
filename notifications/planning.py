"""Event -> Delivery rows (DESIGN, step 3).

For each rule that applies to the event: resolve its roles to recipients,
then for each channel decide — address, fallback, preferences, suppression
list, sending mode, daily cap, send window — and store one Delivery per
recipient x channel under a unique dedupe key, so replaying an event, or
planning it twice at once, creates nothing new. Recipients are streamed and
decided a chunk at a time: the number of queries grows with the number of
chunks, never with the number of recipients.
"""

import copy
import itertools
import logging
import zoneinfo
from collections import defaultdict

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import Organisation
from notifications.channels import get_backend
from notifications.consent import state as consent
from notifications.models import Delivery, Event, ForgottenRecipient, Preference
from notifications.recipients import Recipient, addressed
from notifications.rules import conditions_hold, rules_for_event
from notifications.timing import Slot, next_window_opening, slot_for

logger = logging.getLogger(__name__)
CHUNK_SIZE = 2000
Skip = Delivery.Skip

# Reasons shown in the delivery log (translated when displayed).
NO_ADDRESS = gettext_noop("no address for this channel")
TURNED_OFF = gettext_noop("turned off by the recipient")
ON_SUPPRESSION_LIST = gettext_noop("address on the suppression list")
DEMO_MODE = gettext_noop("demo mode: nothing leaves")
NOT_ALLOW_LISTED = gettext_noop("test mode: address not allow-listed")
DAILY_CAP = gettext_noop("daily cap reached")
EXPIRED = gettext_noop("expired: too late to be of use")
RESCHEDULED = gettext_noop("rescheduled")
RULE_CHANGED = gettext_noop("its rule was changed")
TARGET_CANCELLED = gettext_noop("cancelled with its object")
QUIET_HOURS = gettext_noop("outside the send window: of no use later")


def recipients_for(rule, target, event):
    """Each (Recipient, about) the rule's roles resolve to, once (a stream).

    `about` is what the message is about for that person (SPEC N-18), None for the
    event's target; a host told of three visitors is three recipients.
    """
    if event.is_test:
        yield Recipient.from_user(event.actor), None
        return
    # Nobody is told about what they did themselves (their own comment, their own change).
    actor = None if rule.event_type.notify_actor else f"user:{event.actor_id}"
    seen = set()
    undeclared = rule.undeclared_roles()
    if undeclared:  # a row edited around Rule.save, or a role its app no longer allows
        _record_refused_roles(event, rule, undeclared)
    for code in (code for code in rule.roles if code not in undeclared):
        for person in _stream(rule.event_type.role(code).resolve(target, event)):
            recipient, about = addressed(person)
            if about is not None and about_key(about) == about_key(target):
                about = None
            key = (recipient.key, about_key(about))
            if recipient.key != actor and key not in seen:
                seen.add(key)
                yield recipient, about


def about_key(obj):
    """A stable name for what a message is about: "visitors.visitor:5" (None: the target)."""
    return None if obj is None else f"{obj._meta.label_lower}:{obj.pk}"


def _record_refused_roles(event, rule, undeclared):
    note = f"Rule {rule.pk} ({rule.name}) names {', '.join(undeclared)}, which {event.code} "
    note += "does not allow: nobody was told through them."
    logger.warning("Event %s: %s", event.pk, note)
    Event.objects.filter(pk=event.pk).update(planning_error=note)


def _stream(people):
    """A resolver's answer, read a chunk at a time when it is a query (not 100,000 rows at once)."""
    if isinstance(people, QuerySet) and people._result_cache is None:
        return people.iterator(chunk_size=CHUNK_SIZE)
    return people


def plan_rule(event, rule, target, now, save=True):
    """Plan one rule for one event; return the dedupe keys it planned."""
    # "Send me a test" of a reminder goes now: its example event has no date to hang on.
    slot = Slot(now, "") if event.is_test else slot_for(rule, target, now)
    if slot is None:
        return set()
    planned = set()
    people = _holding(rule, target, event, recipients_for(rule, target, event))
    while chunk := list(itertools.islice(people, CHUNK_SIZE)):
        deliveries = _decide(event, rule, chunk, slot, now)
        if save:
            _save(deliveries)
        planned.update(delivery.dedupe_key for delivery in deliveries)
    return planned


def dry_run(event, rule, target, now=None):
    """The deliveries the rule would create for this event, unsaved (for the admin's preview)."""
    now = now or timezone.now()
    slot = slot_for(rule, target, now)
    if slot is None:
        return []
    people = _holding(rule, target, event, recipients_for(rule, target, event))
    return _decide(event, rule, list(itertools.islice(people, 200)), slot, now)


def _holding(rule, target, event, people):
    """The (recipient, about) whose object meets the rule's conditions, each object tested once."""
    if event.is_test or not rule.conditions:
        yield from people
        return
    verdicts = {}
    for recipient, about in people:
        key = about_key(about)
        if key not in verdicts:
            verdicts[key] = conditions_hold(rule, target if about is None else about, event) is None
        if verdicts[key]:
            yield recipient, about


def _decide(event, rule, people, slot, now):
    """Delivery objects for one chunk of (recipient, about), each with its status and reason."""
    people = _not_forgotten(people)
    deliveries = {}
    for channel in rule.channels:
        for recipient, about, used_channel, address in _addresses(rule, channel, people):
            delivery = _delivery(event, rule, recipient, about, used_channel, address, slot, now)
            deliveries.setdefault(delivery.dedupe_key, delivery)
    deliveries = list(deliveries.values())
    checks = (_check_address, _check_preferences, _check_suppressions, _check_consent, _check_mode)
    for check in (*checks, _check_cap):
        check(event, rule, [d for d in deliveries if d.status in Delivery.PENDING])
    for delivery in deliveries:
        _apply_send_window(rule, delivery, now)
    return deliveries


def _not_forgotten(people):
    """The chunk without the people erased at their request (SPEC P-5): nothing, not even a
    suppressed row, is planned for them."""
    keys = {recipient.key for recipient, _ in people}
    forgotten = set(ForgottenRecipient.objects.filter(key__in=keys).values_list("key", flat=True))
    return [person for person in people if person[0].key not in forgotten]


def _addresses(rule, channel, people):
    """(recipient, about, channel, address), with the rule's fallback for the unreachable."""
    recipients = list({recipient.key: recipient for recipient, _ in people}.values())
    found = get_backend(channel).addresses(recipients)
    unreachable = [r for r in recipients if r.key not in found]
    fallback = {}
    if unreachable and rule.fallback_channel and rule.fallback_channel != channel:
        fallback = get_backend(rule.fallback_channel).addresses(unreachable)
    for recipient, about in people:
        if recipient.key in found:
            yield recipient, about, channel, found[recipient.key]
        elif recipient.key in fallback:
            yield recipient, about, rule.fallback_channel, fallback[recipient.key]
        else:
            yield recipient, about, channel, ""


def _delivery(event, rule, recipient, about, channel, address, slot, now):
    late = slot.expired
    return Delivery.to(
        recipient,
        event=event,
        channel=channel,
        address=address,
        about=about,
        rule=rule,
        priority=rule.priority,
        dedupe_key=dedupe_key(event, rule, recipient, channel, slot, about),
        status=Delivery.Status.CANCELLED if late else _pending_status(slot.at, now),
        reason=EXPIRED if late else "",
        reason_code=Skip.EXPIRED if late else "",
        send_at=max(slot.at, now),
    )


def dedupe_key(event, rule, recipient, channel, slot, about=None):
    """One delivery per event, rule, recipient, channel, slot and object it is about.

    A message about the event's target keeps the key it always had.
    """
    key = f"{event.pk}:{rule.pk}:{recipient.key}:{channel}{slot.key}"
    return key if about is None else f"{key}|{about_key(about)}"


def _pending_status(send_at, now):
    return Delivery.Status.QUEUED if send_at <= now else Delivery.Status.SCHEDULED


def _suppress(delivery, reason, code):
    delivery.status = Delivery.Status.SUPPRESSED
    delivery.reason = reason
    delivery.reason_code = code


def _check_address(event, rule, deliveries):
    for delivery in deliveries:
        if not delivery.address:
            _suppress(delivery, NO_ADDRESS, Skip.NO_CONTACT)


def _check_preferences(event, rule, deliveries):
    if event.event_type.mandatory or event.is_test:
        return
    off = set(
        Preference.objects.filter(
            user__in={d.user_id for d in deliveries if d.user_id},
            group=event.event_type.group.code,
            enabled=False,
        ).values_list("user_id", "channel")
    )
    for delivery in deliveries:
        if (delivery.user_id, delivery.channel) in off:
            _suppress(delivery, TURNED_OFF, Skip.PREFERENCE)


def _check_suppressions(event, rule, deliveries):
    suppressed = consent.suppressed_among({d.address for d in deliveries})
    for delivery in deliveries:
        reason = suppressed.get((delivery.channel, delivery.address))
        if reason is not None:
            _suppress(delivery, ON_SUPPRESSION_LIST, suppression_code(reason))


def suppression_code(reason):
    """Bounces, complaints and the rest of the list (a STOP is the consent ledger's: Skip.STOP)."""
    return Skip.SUPPRESSION


def _check_consent(event, rule, deliveries):
    """The consent ledger's state: a STOP, an opt-in not (yet) confirmed (SPEC N-20)."""
    for delivery, reason, code in consent.refusals(
        event.event_type, event.organisation, deliveries
    ):
        _suppress(delivery, reason, code)


def _check_mode(event, rule, deliveries):
    """Demo: nothing leaves Relais (the in-app inbox stays). Test: only allow-listed addresses."""
    organisation = event.organisation
    if organisation is None or event.is_test:
        return
    leaving = [d for d in deliveries if get_backend(d.channel).leaves_relais]
    if organisation.sending_mode == Organisation.SendingMode.DEMO:
        for delivery in leaving:
            _suppress(delivery, DEMO_MODE, Skip.SENDING_MODE)
    elif organisation.sending_mode == Organisation.SendingMode.TEST:
        allowed = {line.strip().lower() for line in organisation.test_recipients.splitlines()}
        for delivery in leaving:
            if delivery.address.lower() not in allowed:
                _suppress(delivery, NOT_ALLOW_LISTED, Skip.SENDING_MODE)


def _check_cap(event, rule, deliveries):
    """At most `daily_cap` events of this rule per recipient per day (SPEC N-14, A-7).

    A day is the recipient's own: a snow company's occupants count theirs in the
    company's zone, whatever the organisation's. One query per zone among the recipients.
    """
    if not rule.daily_cap or not deliveries:
        return
    by_zone = defaultdict(list)
    for delivery in deliveries:
        by_zone[delivery.time_zone or str(_zone(event.organisation))].append(delivery)
    rules = [rule.pk, rule.overrides_id] if rule.overrides_id else [rule.pk]
    for zone, in_zone in by_zone.items():
        day_start = timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(zone)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        already = dict(
            Delivery.objects.filter(
                rule__in=rules,
                recipient_key__in={d.recipient_key for d in in_zone},
                created_at__gte=day_start,
                status__in=_COUNTED_STATUSES,
            )
            .exclude(event=event)
            .values("recipient_key")
            .annotate(events=Count("event", distinct=True))
            .values_list("recipient_key", "events")
        )
        for delivery in in_zone:
            if already.get(delivery.recipient_key, 0) >= rule.daily_cap:
                _suppress(delivery, DAILY_CAP, Skip.CAP)


_COUNTED_STATUSES = [
    status
    for status in Delivery.Status.values
    if status not in (Delivery.Status.SUPPRESSED, Delivery.Status.CANCELLED)
]


def _zone(organisation):
    return (
        zoneinfo.ZoneInfo(str(organisation.time_zone))
        if organisation
        else timezone.get_default_timezone()
    )


def _apply_send_window(rule, delivery, now):
    """Outside the rule's daily window, wait for its next opening in the recipient's zone."""
    if delivery.status not in Delivery.PENDING or delivery.channel not in rule.send_window_channels:
        return
    if rule.send_window_start is None or rule.send_window_end is None:
        return
    opening = next_window_opening(
        delivery.send_at, rule.send_window_start, rule.send_window_end, delivery.time_zone
    )
    if opening != delivery.send_at and rule.event_type.stale_outside_window:
        _suppress(delivery, QUIET_HOURS, Skip.QUIET_HOURS)  # "the truck is coming" tomorrow: no
        return
    delivery.send_at = opening
    delivery.status = _pending_status(delivery.send_at, now)


def outside_window(rule, delivery, now):
    """Whether a message whose event is of use only now has left its rule's send window."""
    if not rule.event_type.stale_outside_window:
        return False
    if delivery.channel not in rule.send_window_channels or rule.send_window_start is None:
        return False
    start, end = rule.send_window_start, rule.send_window_end
    return next_window_opening(now, start, end, delivery.time_zone) != now


def _save(deliveries):
    """Insert what is new; a dedupe key already stored (a replay, a race) is left alone."""
    keys = [delivery.dedupe_key for delivery in deliveries]
    existing = set(
        Delivery.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
    )
    new = [delivery for delivery in deliveries if delivery.dedupe_key not in existing]
    Delivery.objects.bulk_create(new, ignore_conflicts=True)
    # A reminder moved away and back again (its target, or its rule) comes back to life.
    Delivery.objects.filter(
        dedupe_key__in=existing,
        status=Delivery.Status.CANCELLED,
        reason__in=[RESCHEDULED, RULE_CHANGED],
    ).update(status=Delivery.Status.SCHEDULED, reason="", reason_code="")


def plan_fallback(delivery, now=None):
    """A permanent failure on a channel: plan the rule's fallback channel instead (SPEC N-15).

    Return the ids of the deliveries to queue; the usual checks apply to the fallback.
    """
    rule = delivery.rule
    if rule is None or not rule.fallback_channel or rule.fallback_channel == delivery.channel:
        return []
    if delivery.user is None:
        return []
    now = now or timezone.now()
    fallback_rule = copy.copy(rule)
    fallback_rule.channels, fallback_rule.fallback_channel = [rule.fallback_channel], ""
    person = (Recipient.from_user(delivery.user), delivery.about if delivery.about_id else None)
    deliveries = _decide(delivery.event, fallback_rule, [person], Slot(now, ""), now)
    _save(deliveries)
    return list(
        Delivery.objects.filter(
            dedupe_key__in=[d.dedupe_key for d in deliveries], status=Delivery.Status.QUEUED
        ).values_list("pk", "priority")
    )


def plan(event, now=None):
    """Plan every rule of a stored event; return the number of rules applied."""
    now = now or timezone.now()
    target = event.target
    rules = rules_for_event(event)
    for rule in rules:
        plan_rule(event, rule, target, now)
    Event.objects.filter(pk=event.pk).update(planned_at=now)
    return len(rules)


def replan_target(target, now=None):
    """The target's anchor moved: reminders follow it, those for the old time are cancelled.

    Events about another target follow too when some of their deliveries are about this one.
    """
    now = now or timezone.now()
    about_it = Delivery.objects.concerning(target).filter(status=Delivery.Status.SCHEDULED)
    events = Event.objects.filter(
        Q(pk__in=Event.objects.for_target(target).values("pk"))
        | Q(pk__in=about_it.values("event_id"))
    ).exclude(planned_at=None)
    for event in events:
        event_target = event.target
        for rule in rules_for_event(event):
            if rule.is_immediate or event_target is None:
                continue
            keep = plan_rule(event, rule, event_target, now)
            Delivery.objects.filter(
                event=event, rule=rule, status=Delivery.Status.SCHEDULED
            ).exclude(dedupe_key__in=keep).update(
                status=Delivery.Status.CANCELLED, reason=RESCHEDULED, reason_code=Skip.WITHDRAWN
            )


def cancel_target(target):
    """The target was cancelled: its reminders, and those about it, will not go out."""
    return (
        Delivery.objects.concerning(target)
        .filter(status=Delivery.Status.SCHEDULED)
        .update(
            status=Delivery.Status.CANCELLED, reason=TARGET_CANCELLED, reason_code=Skip.WITHDRAWN
        )
    )
