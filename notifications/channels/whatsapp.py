"""WhatsApp through Twilio's WhatsApp sender (SPEC C-6): the SMS client, `whatsapp:` addresses.

WhatsApp lets a business write freely only within 24 hours of the person's last message to
it; outside that window only a template Meta approved may be sent. The channel knows the
approved ones (`WhatsAppTemplate`: the rule's template and its Twilio Content SID) and
refuses the rest with a message that tells the manager what to do. Status callbacks come
to the SMS status webhook.
"""

import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from notifications.channels.base import ChannelBackend, ChannelError, SendResult
from notifications.messengers import integrations, ticks
from notifications.messengers.models import WhatsAppTemplate, WhatsAppWindow

logger = logging.getLogger(__name__)

WINDOW = timedelta(hours=24)
MAX_LENGTH = 1600  # Twilio's limit for a WhatsApp message body


@dataclass(frozen=True)
class Prepared:
    pk: int
    account: object  # integrations.TwilioAccount
    to: str
    body: str
    content_sid: str = ""
    content_variables: str = ""


class WhatsAppChannel(ChannelBackend):
    kind = "whatsapp"
    transmits_in_threads = True  # `prepare` reads the window and the approval
    text_limit = MAX_LENGTH

    def address_for(self, recipient):
        return self.addresses([recipient]).get(recipient.key, "")

    def addresses(self, recipients):
        """Numbers whose owner ticked WhatsApp (Meta requires the person's opt-in)."""
        phones = {r.phone: r.key for r in recipients if r.phone}
        accepted = ticks.accepted_addresses("whatsapp", phones)
        return {phones[phone]: phone for phone in accepted}

    def prepare(self, delivery):
        account = integrations.twilio_account(delivery.event.organisation_id)
        if not account.whatsapp_from:
            raise ChannelError(
                "WhatsApp is not connected for this organisation (Integrations).", permanent=True
            )
        prepared = Prepared(delivery.pk, account, delivery.address, delivery.body)
        if in_window(delivery.address):
            return prepared
        approved = _approved_template(delivery)
        variables = {
            str(index): str(_value(delivery, name))
            for index, name in enumerate(approved.variable_names(), start=1)
        }
        return Prepared(
            delivery.pk,
            account,
            delivery.address,
            "",
            approved.content_sid,
            json.dumps(variables),
        )


def in_window(number):
    """Whether the number wrote to us on WhatsApp in the last 24 hours."""
    since = timezone.now() - WINDOW
    return WhatsAppWindow.objects.filter(number=number, last_inbound_at__gte=since).exists()


def opened_window(number, when=None):
    """The number wrote to us: free-form messages may go to it for 24 hours."""
    WhatsAppWindow.objects.update_or_create(
        number=number, defaults={"last_inbound_at": when or timezone.now()}
    )


def _approved_template(delivery):
    """The delivery's template as Meta approved it, or the error that tells the manager."""
    from notifications.rendering import MissingTemplate, choose_template

    if not delivery.rule_id:
        raise ChannelError(
            "WhatsApp: this person has not written in the last 24 hours, so only an approved "
            "template may be sent; a message written by hand cannot be (use SMS or email).",
            permanent=True,
        )
    try:
        template = choose_template(delivery)
    except MissingTemplate as error:
        raise ChannelError(str(error), permanent=True) from error
    approval = WhatsAppTemplate.objects.filter(template=template).first()
    if approval is None:
        raise ChannelError(
            f"WhatsApp: outside the 24-hour window only approved templates may be sent, and "
            f"the rule “{delivery.rule}” has no approved WhatsApp template for "
            f"“{template.language}”: add its Content SID under “Approved WhatsApp templates”.",
            permanent=True,
        )
    return approval


def _value(delivery, name):
    from notifications.rendering import message_context

    if not hasattr(delivery, "_whatsapp_context"):
        delivery._whatsapp_context = message_context(delivery)
    value = delivery._whatsapp_context
    for part in name.split("."):
        value = value.get(part, "") if isinstance(value, dict) else getattr(value, part, "")
    return value


class ConsoleWhatsApp(WhatsAppChannel):
    """Development: printed to the worker's log, the window and approvals checked all the same."""

    def transmit(self, prepared):
        what = prepared.body or f"template {prepared.content_sid} {prepared.content_variables}"
        logger.warning("WhatsApp to %s: %s", prepared.to, what)
        return SendResult(provider_message_id=f"console-whatsapp-{prepared.pk}")


class TwilioWhatsApp(WhatsAppChannel):
    @property
    def sender(self):
        return "whatsapp"  # one pacing budget for the WhatsApp sender

    def sender_for(self, organisation_id):
        from notifications.messengers.integrations import twilio_account

        return f"whatsapp:{twilio_account(organisation_id).whatsapp_from}"

    def transmit(self, prepared):
        from notifications.channels import twilio_api

        twilio = twilio_api.client(prepared.account)
        fields = {
            "to": f"whatsapp:{prepared.to}",
            "from_": f"whatsapp:{prepared.account.whatsapp_from}",
            "status_callback": twilio_api.callback_url("notifications:twilio_status"),
        }
        if prepared.content_sid:
            fields |= {
                "content_sid": prepared.content_sid,
                "content_variables": prepared.content_variables,
            }
        else:
            fields["body"] = prepared.body
        try:
            message = twilio.messages.create(**fields)
        except twilio_api.ERRORS as error:
            raise twilio_api.channel_error(error) from error
        return SendResult(provider_message_id=message.sid)
