"""What editing a rule does to the messages it already planned (SPEC N-19).

A reminder follows its rule: change the rule's timing, conditions, roles or
channels, or switch it off, and its scheduled deliveries are planned again —
new ones for new recipients or a new time, the others cancelled. Customise a
shipped rule for an organisation and the copy takes over the shipped rule's
pending deliveries there: never both.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from notifications.models import Delivery, Event
from notifications.outbox import send_on_commit
from notifications.planning import RULE_CHANGED, plan_rule
from notifications.rules import customise, rules_for_event

# The form fields whose change re-plans (the timing row stands for anchor and offset).
REPLANNING_FIELDS = {
    "enabled", "roles", "channels", "fallback_channel", "anchor", "timing_amount",
    "timing_unit", "timing_direction", "conditions", "send_window_start", "send_window_end",
    "send_window_channels", "daily_cap",
}  # fmt: skip
SUPERSEDED = gettext_noop("replaced by the organisation's own rule")
Status = Delivery.Status


@dataclass
class Replanned:
    """What a re-plan did to the pending deliveries: kept as they were, cancelled, added."""

    kept: int = 0
    cancelled: int = 0
    added: int = 0

    def __add__(self, other):
        return Replanned(*(a + b for a, b in zip(self._counts(), other._counts(), strict=True)))

    def _counts(self):
        return self.kept, self.cancelled, self.added

    @property
    def touched(self):
        return self.cancelled + self.added


@transaction.atomic
def replan_rule(rule, now=None):
    """Plan the rule's scheduled deliveries again, after an edit; return what changed."""
    now = now or timezone.now()
    total = Replanned()
    for event in _events_waiting_on(rule):
        applies = rule in rules_for_event(event)
        # An immediate rule is never planned again for an event long past: it only lets go.
        replan = applies and not rule.is_immediate and event.target is not None
        total += _replan(event, rule, now, RULE_CHANGED, plan=replan)
    return total


@transaction.atomic
def customise_and_take_over(default, organisation, now=None):
    """The organisation's own copy of a default rule, which takes over its pending deliveries."""
    copy, created = customise(default, organisation)
    taken = Replanned()
    if created:
        now = now or timezone.now()
        for event in _events_waiting_on(default).filter(organisation=organisation):
            taken += _replan(event, default, now, SUPERSEDED, plan=False)
            if not copy.is_immediate and event.target is not None:
                taken += _replan(event, copy, now, SUPERSEDED, plan=True)
    return copy, created, taken


def _events_waiting_on(rule):
    waiting = Delivery.objects.filter(rule=rule, status=Status.SCHEDULED).values("event")
    return Event.objects.filter(pk__in=waiting).select_related("organisation", "actor")


def _replan(event, rule, now, reason, plan):
    pending = Delivery.objects.filter(event=event, rule=rule, status=Status.SCHEDULED)
    before = set(pending.values_list("dedupe_key", flat=True))
    known = set(
        Delivery.objects.filter(event=event, rule=rule).values_list("dedupe_key", flat=True)
    )
    keep = plan_rule(event, rule, event.target, now) if plan else set()
    cancelled = pending.exclude(dedupe_key__in=keep).update(
        status=Status.CANCELLED, reason=reason, reason_code=Delivery.Skip.WITHDRAWN
    )
    send_on_commit(
        Delivery.objects.filter(
            event=event, rule=rule, status=Status.QUEUED, dedupe_key__in=keep - known
        ).values_list("pk", "priority")
    )
    return Replanned(kept=len(before & keep), cancelled=cancelled, added=len(keep - known))
