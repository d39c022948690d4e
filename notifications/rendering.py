"""A delivery's message: its template, its context, its layout and its unsubscribe link.

Sending, previews, dry runs and manual messages all come here, so a message
reads the same in the back office as in the recipient's mailbox. The
templates themselves are checked and rendered by `templating`.
"""

import dataclasses

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import linebreaks, urlize
from django.utils.safestring import mark_safe

from notifications.channels import get_backend
from notifications.templating import RenderedMessage, TemplateProblem, render
from notifications.unsubscribe import url_for

# Previews and dry runs must not hand a manager a working unsubscribe link for someone else.
PLACEHOLDER_UNSUBSCRIBE_URL = settings.SITE_URL + "/unsubscribe/example/"


class MissingTemplate(TemplateProblem):
    """The rule has no template for the delivery's channel."""


def render_delivery(delivery, *, preview=False):
    """The rule's message for this delivery, in the recipient's language and time zone."""
    return render_template(choose_template(delivery), delivery, preview=preview)


def render_template(template, delivery, *, preview=False):
    """One template rendered for a delivery (a preview shows each template of a rule)."""
    with translation.override(delivery.language):  # labels in the context speak it too
        context = message_context(delivery, preview=preview)
    message = render(
        template.subject,
        template.body,
        template.html,
        context,
        delivery.language,
        delivery.time_zone,
    )
    return laid_out(delivery.channel, message)


def written_message(channel, subject, body):
    """A message a manager wrote by hand, laid out like the rest (SPEC N-12)."""
    return laid_out(channel, RenderedMessage(subject=subject, body=body))


def laid_out(channel, message):
    """The message as its channel carries it: an email's HTML part from its text when needed."""
    message = dataclasses.replace(message, subject=message.subject[:255])
    if get_backend(channel).carries_html and not message.html:
        return dataclasses.replace(message, html=email_html(message.subject, message.body))
    return message


def choose_template(delivery):
    """The recipient's language, else the site's, else any language written for the channel."""
    templates = {
        t.language: t for t in delivery.rule.templates.all() if t.channel == delivery.channel
    }
    for language in (delivery.language, settings.LANGUAGE_CODE, *templates):
        if language in templates:
            return templates[language]
    raise MissingTemplate(f"Rule {delivery.rule} has no {delivery.channel!r} template.")


def message_context(delivery, *, preview=False):
    """Template variables: the event's, filled from the target as it is now, and the common ones.

    A preview (or a test event) uses the event type's example values.
    """
    event = delivery.event
    event_type = event.event_type
    target = None if event.is_test else event.target
    if target is None:
        context = event_type.example_context()
        link = ""
    else:
        context = event_type.context(target, event.data)
        link = event_type.link(target)
    if preview and target is None:
        link = "/"  # a preview's link must lead somewhere
    context.update(
        recipient_name=delivery.recipient_name,
        organisation=str(event.organisation or ""),
        link=settings.SITE_URL + link if link.startswith("/") else link,
        unsubscribe_url=_unsubscribe_url(delivery, event_type, preview),
    )
    return context


def _unsubscribe_url(delivery, event_type, preview):
    if event_type.mandatory:
        return ""
    return PLACEHOLDER_UNSUBSCRIBE_URL if preview else url_for(delivery)


def html_from_text(text):
    """A plain HTML version of a text message: paragraphs, and its links clickable."""
    linked = urlize(text, nofollow=True, autoescape=True)  # escapes the text, then adds <a>
    return mark_safe(linebreaks(linked, autoescape=False))


def email_html(subject, text):
    """The HTML part of an email whose template has none: its text in Relais's layout."""
    return render_to_string(
        "notifications/email.html", {"subject": subject, "body": html_from_text(text)}
    )
