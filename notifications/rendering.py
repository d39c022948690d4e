"""A delivery's message: its template, its context, its layout and its unsubscribe link.

Sending, previews, dry runs and manual messages all come here, so a message
reads the same in the back office as in the recipient's mailbox. The
templates themselves are checked and rendered by `templating`.
"""

import dataclasses

import css_inline
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import linebreaks, urlize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

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
    return laid_out(delivery.channel, message, delivery, preview=preview)


def written_message(channel, subject, body, delivery=None):
    """A message a manager wrote by hand, laid out like the rest (SPEC N-12)."""
    return laid_out(channel, RenderedMessage(subject=subject, body=body), delivery)


def laid_out(channel, message, delivery=None, *, preview=False):
    """The message as its channel carries it: an email in the layout, its text part in step."""
    message = dataclasses.replace(message, subject=message.subject[:255])
    if not get_backend(channel).carries_html:
        return message
    facts = email_facts(delivery, preview) if delivery else EmailFacts()
    return dataclasses.replace(
        message,
        body=text_with_footer(message.body, facts),
        html=email_html(message.subject, message.body, facts, html=message.html),
    )


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
    """Template variables: the event's, filled from what the message is about as it is now
    (the recipient's own object, else the event's target), and the common ones.

    A preview (or a test event) uses the event type's example values.
    """
    event = delivery.event
    event_type = event.event_type
    about = delivery.about_object
    if about is None:
        context = event_type.example_context()
    else:
        context = event_type.context(about, event.data)
    context.update(
        recipient_name=delivery.recipient_name,
        organisation=str(event.organisation or ""),
        link=_message_link(delivery, preview),
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


def email_html(subject, text, facts=None, *, html=""):
    """The HTML part of an email: its own HTML, else its text, in the layout, CSS inlined."""
    facts = facts or EmailFacts()
    text, button = _button_from_link(text, facts.link)
    page = render_to_string(
        "notifications/email.html",
        {
            **dataclasses.asdict(facts),
            "title": subject,
            "body": mark_safe(html) if html else html_from_text(text),
            "button": "" if html else button,
            "footer": facts,
        },
    )
    return css_inline.inline(page)  # mail clients drop <style>; the media queries are kept


def _button_from_link(text, link):
    """Where the text gives the message's link as a paragraph of its own, a button instead.

    A visitor's invitation does not give it (the page needs an account): no button then.
    """
    paragraphs = text.split("\n\n")
    if not link or link not in (part.strip() for part in paragraphs):
        return text, ""
    return "\n\n".join(part for part in paragraphs if part.strip() != link), link


def text_with_footer(text, facts):
    """The plain-text part: the text as written (its link included), then the same footer."""
    if not facts.sender:
        return text
    return f"{text}\n\n-- \n{facts.as_text()}"


@dataclasses.dataclass(frozen=True)
class EmailFacts:
    """What an email's layout says around the message, in the recipient's language."""

    language: str = settings.LANGUAGE_CODE
    organisation: str = ""
    link: str = ""
    action: str = ""
    sender: str = ""
    why: str = ""
    stop: str = ""
    unsubscribe: str = ""
    unsubscribe_url: str = ""
    choose: str = ""
    preferences: str = ""
    preferences_url: str = ""

    def as_text(self):
        lines = [self.sender, self.why]
        if self.unsubscribe_url:
            lines.append(f"{self.stop} {self.unsubscribe_url}")
        if self.preferences_url:
            lines.append(f"{self.choose} {self.preferences_url}")
        return "\n".join(line for line in lines if line)


def email_facts(delivery, preview=False):
    """Who sends the email, why the reader gets it, how to stop: the layout's footer."""
    event_type = delivery.event.event_type
    organisation = str(delivery.event.organisation or "")
    with translation.override(delivery.language):
        return EmailFacts(
            language=delivery.language,
            organisation=organisation,
            link=_message_link(delivery, preview),
            action=_("See the details"),
            sender=_sender_line(organisation),
            why=_why_line(event_type),
            stop=_("Stop receiving these messages:"),
            unsubscribe=_("Unsubscribe"),
            unsubscribe_url=_unsubscribe_url(delivery, event_type, preview),
            choose=_("Choose what you receive and how:"),
            preferences=_("Your preferences"),
            preferences_url=_preferences_url(delivery),
        )


def _message_link(delivery, preview):
    """The absolute URL of the page the message is about (the template's `link`)."""
    about = delivery.about_object
    link = delivery.event.event_type.link(about) if about is not None else ""
    if preview and about is None:
        link = "/"  # a preview's link must lead somewhere
    return settings.SITE_URL + link if link.startswith("/") else link


def _sender_line(organisation):
    if organisation:
        return _("Sent by %(organisation)s with Relais.") % {"organisation": organisation}
    return _("Sent by Relais.")


def _why_line(event_type):
    group = str(event_type.group.label)
    if event_type.mandatory:
        return _(
            "You receive this message about “%(group)s”: it is required and cannot be turned off."
        ) % {"group": group}
    return _("You receive this message about “%(group)s”.") % {"group": group}


def _preferences_url(delivery):
    """People with an account choose on their preferences page; visitors only unsubscribe."""
    if not delivery.user_id:
        return ""
    return settings.SITE_URL + reverse("notifications:preferences")
