"""Send one delivery: claim, check, render, call the channel, record (DESIGN, step 5)."""

import logging

from django.conf import settings
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from notifications import dispatch, planning, rendering, unsubscribe
from notifications.channels import ChannelError, get_backend
from notifications.models import Delivery, Suppression
from notifications.planning import ON_SUPPRESSION_LIST, conditions_hold

logger = logging.getLogger(__name__)

CONDITION_FAILED = gettext_noop("condition no longer holds: %s")
FELL_BACK = gettext_noop("fell back to another channel")
Status = Delivery.Status


class TransientFailure(Exception):
    """The channel failed for now; the caller may retry the delivery later."""

    def __init__(self, message, priority):
        super().__init__(message)
        self.priority = priority


class MissingTemplate(rendering.TemplateProblem):
    pass


def send(delivery_id):
    """Send a queued delivery once, even if two workers try at the same moment."""
    claimed = Delivery.objects.filter(pk=delivery_id, status=Status.QUEUED).update(
        status=Status.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    if claimed != 1:
        return  # another worker has it, or it is no longer pending
    delivery = Delivery.objects.select_related(
        "event__organisation", "event__actor", "rule", "user"
    ).get(pk=delivery_id)
    if _stopped(delivery):
        return
    try:
        if delivery.rule_id:  # manual messages come written
            render_delivery(delivery)
        result = get_backend(delivery.channel).send(delivery)
    except rendering.TemplateProblem as error:
        _finish(delivery, Status.FAILED, last_error=str(error))
    except ChannelError as error:
        if error.permanent:
            _finish(delivery, Status.FAILED, last_error=str(error))
            _fall_back(delivery)
        else:
            _finish(delivery, Status.QUEUED, last_error=str(error))
            raise TransientFailure(str(error), delivery.priority) from error
    else:
        _finish(
            delivery,
            Status.SENT,
            sent_at=timezone.now(),
            provider_message_id=result.provider_message_id,
            last_error="",
        )


def _fall_back(delivery):
    fallback = planning.plan_fallback(delivery)
    if fallback:
        _finish(delivery, Status.FAILED, reason=FELL_BACK)
        dispatch.queue_sends(fallback)


def give_up(delivery_id, error):
    """Retries are exhausted: the delivery failed."""
    Delivery.objects.filter(pk=delivery_id, status=Status.QUEUED).update(
        status=Status.FAILED, last_error=f"{error} (gave up after retries)"
    )


def _stopped(delivery):
    """Things that changed since planning: a failed condition, a new suppression."""
    rule, event = delivery.rule, delivery.event
    if rule and not event.is_test and event.target is not None:
        failed = conditions_hold(rule, event.target, event)
        if failed is not None:
            _finish(delivery, Status.CANCELLED, reason=CONDITION_FAILED % failed.code)
            return True
    if Suppression.objects.filter(channel=delivery.channel, address=delivery.address).exists():
        _finish(delivery, Status.SUPPRESSED, reason=ON_SUPPRESSION_LIST)
        return True
    return False


def _finish(delivery, status, **fields):
    fields["status"] = status
    for name, value in fields.items():
        setattr(delivery, name, value)
    Delivery.objects.filter(pk=delivery.pk).update(updated_at=timezone.now(), **fields)


def render_delivery(delivery):
    """Render the rule's template for the recipient and keep the result on the delivery."""
    template = choose_template(delivery)
    with translation.override(delivery.language):  # labels in the context speak it too
        context = message_context(delivery)
    message = rendering.render(
        template.subject,
        template.body,
        template.html,
        context,
        delivery.language,
        delivery.time_zone,
    )
    html = message.html
    if delivery.channel == "email" and not html:
        html = rendering.email_html(message.subject, message.body)
    Delivery.objects.filter(pk=delivery.pk).update(
        subject=message.subject[:255], body=message.body, html=html
    )
    delivery.subject, delivery.body, delivery.html = message.subject[:255], message.body, html


def choose_template(delivery):
    """The recipient's language, else the site's, else any language written for the channel."""
    templates = {
        t.language: t for t in delivery.rule.templates.all() if t.channel == delivery.channel
    }
    for language in (delivery.language, settings.LANGUAGE_CODE, *templates):
        if language in templates:
            return templates[language]
    raise MissingTemplate(f"Rule {delivery.rule} has no {delivery.channel!r} template.")


def message_context(delivery):
    """Template variables: the event's, filled from the target as it is now, and the common ones."""
    event = delivery.event
    event_type = event.event_type
    target = None if event.is_test else event.target
    if target is None:
        context = event_type.example_context()
        link = ""
    else:
        context = event_type.context(target, event.data)
        link = event_type.link(target)
    context.update(
        recipient_name=delivery.recipient_name,
        organisation=str(event.organisation or ""),
        link=settings.SITE_URL + link if link.startswith("/") else link,
        unsubscribe_url="" if event_type.mandatory else unsubscribe.url_for(delivery),
    )
    return context
