"""Trying a rule before it goes live: preview, dry run and "send me a test" (SPEC N-3)."""

import dataclasses

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.scoping import managed_organisations, scope_to_user
from notifications.channels.sms import SmsLength, segment_info
from notifications.dispatch import plan_event
from notifications.models import Channel, Delivery, Event
from notifications.planning import dry_run as planned_deliveries
from notifications.recipients import Recipient
from notifications.rendering import MissingTemplate, choose_template, render_template
from notifications.rules import conditions_hold, rules_for_event
from notifications.templating import RenderedMessage, TemplateProblem


@dataclasses.dataclass
class Rendered:
    """One message as a recipient would get it, or the problem that stops it."""

    channel: str
    language: str
    message: RenderedMessage | None = None
    problem: str = ""
    sms: SmsLength | None = None
    delivery: Delivery | None = None

    @property
    def channel_label(self):
        return Channel(self.channel).label


def _rendered(template, delivery):
    result = Rendered(channel=template.channel, language=delivery.language)
    try:
        result.message = render_template(template, delivery, preview=True)
    except TemplateProblem as problem:
        result.problem = str(problem)
    else:
        if template.channel == Channel.SMS:
            result.sms = segment_info(result.message.body)
    return result


def preview(rule, user):
    """Each template of the rule rendered with the event's example values (SPEC N-3)."""
    organisation = rule.organisation or managed_organisations(user).first()
    event = Event(code=rule.event_code, organisation=organisation, is_test=True)
    reader = Recipient.from_user(user)
    results = []
    for template in rule.templates.order_by("channel", "language"):
        # The manager reads each template in its own language, at their own time zone.
        reader = dataclasses.replace(reader, language=template.language)
        delivery = Delivery.to(reader, event=event, channel=template.channel, address="", rule=rule)
        results.append(_rendered(template, delivery))
    return results


def dry_run_events(rule, user):
    """Recent real events a rule can be tried on: its event code, within the user's scope."""
    events = Event.objects.filter(code=rule.event_code, is_test=False)
    if rule.organisation_id:
        events = events.filter(organisation=rule.organisation_id)
    return scope_to_user(events, user, "organisation").order_by("-created_at")


@dataclasses.dataclass
class DryRun:
    event: Event
    applies: bool  # False: disabled, or replaced by the organisation's own rule
    blocked_by: str = ""  # why nothing would be sent at all
    results: list = dataclasses.field(default_factory=list)


def dry_run(rule, event):
    """Who would receive what, on which channel, rendered, and when — writing nothing."""
    run = DryRun(event=event, applies=rule in rules_for_event(event))
    target = event.target
    if target is None:
        run.blocked_by = _("The object of this event no longer exists.")
        return run
    failed = conditions_hold(rule, target, event)
    if failed is not None:
        run.blocked_by = _("Condition not met: %(condition)s.") % {"condition": failed.label}
        return run
    # Role resolvers and template contexts are domain code: whatever they do, leave no trace.
    with transaction.atomic():
        run.results = [_dry_run_result(d) for d in planned_deliveries(event, rule, target)]
        transaction.set_rollback(True)
    if not run.results:
        run.blocked_by = _("Nobody to notify, or no date to anchor the reminder on.")
    return run


def _dry_run_result(delivery):
    if delivery.status not in Delivery.PENDING:
        return Rendered(channel=delivery.channel, language=delivery.language, delivery=delivery)
    try:
        template = choose_template(delivery)
    except MissingTemplate as problem:
        return Rendered(
            delivery.channel, delivery.language, problem=str(problem), delivery=delivery
        )
    result = _rendered(template, delivery)
    result.delivery = delivery
    return result


def send_test(rule, user):
    """Send the rule to `user` alone, with example values (SPEC N-3); return its deliveries.

    The test goes through planning and sending like any event, so it is logged
    like any delivery; the manager's organisation makes it visible in their log.
    """
    organisation = rule.organisation
    if organisation is None and not user.is_superuser:
        organisation = managed_organisations(user).first()
    event = Event.objects.create(
        code=rule.event_code,
        organisation=organisation,
        actor=user,
        data={"rule_id": rule.pk},
        is_test=True,
    )
    plan_event(event.pk)
    return list(Delivery.objects.filter(event=event).order_by("channel"))
