"""Each person's choices: which event groups reach them on which channels (SPEC N-5, N-20).

Every change is a record of the consent ledger, written with the preference in one
transaction; the page shows each channel's real state beside the choices (on, off
by choice, blocked by a STOP or a bounce, and what undoes it).
"""

from dataclasses import dataclass

import phonenumbers
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.scoping import is_back_office_user
from notifications.consent.ledger import record
from notifications.consent.models import ConsentRecord
from notifications.consent.state import blocks_of
from notifications.events import catalog, group_label, groups, mandatory_groups
from notifications.models import Channel, Device, Preference, Rule, Suppression
from notifications.suppressions import suppress
from notifications.unsubscribe import read_token

Kind, Method = ConsentRecord.Kind, ConsentRecord.Method

# Channels a person can turn off; voice calls only serve snow alerts, which have their own opt-in.
CHOOSABLE_CHANNELS = [
    Channel.EMAIL,
    Channel.SMS,
    Channel.PUSH,
    Channel.INAPP,
    Channel.TELEGRAM,
    Channel.WHATSAPP,
]


class UnknownRecipient(LookupError):
    """An unsubscribe token for a user who no longer exists."""


@dataclass
class Choice:
    group: object
    channel: str
    enabled: bool
    mandatory: bool  # every event of the group is mandatory: it cannot be turned off
    offered: bool  # some enabled rule of the group sends on this channel


@dataclass
class ChannelStatus:
    """A channel's real state for one person, in words: what they chose and what blocks it."""

    channel: Channel
    address: str
    state: str  # "on", "off", "blocked", "no_address"
    summary: str
    hint: str = ""

    @property
    def blocked(self):
        return self.state == "blocked"


def preference_matrix(user):
    """One row per event group, one Choice per channel."""
    off = set(Preference.objects.filter(user=user, enabled=False).values_list("group", "channel"))
    used = _channels_used_by_group(user)
    staff = is_back_office_user(user)
    mandatory_codes = mandatory_groups()
    rows = []
    for group in groups():
        if group.staff_only and not staff:
            continue  # an occupant is never told about a manager's desk
        mandatory = group.code in mandatory_codes
        choices = [
            Choice(
                group=group,
                channel=channel,
                enabled=(group.code, channel) not in off,
                mandatory=mandatory,
                offered=channel in used.get(group.code, set()),
            )
            for channel in CHOOSABLE_CHANNELS
        ]
        if any(choice.offered for choice in choices):
            rows.append((group, choices))
    return rows


def channels_in(rows):
    """The channels some row offers: the matrix's columns, so none is empty throughout."""
    return [
        channel
        for index, channel in enumerate(CHOOSABLE_CHANNELS)
        if any(choices[index].offered for _group, choices in rows)
    ]


def _channels_used_by_group(user):
    """{group: channels} of the enabled rules that can reach the user."""
    # The defaults and their own organisations' rules: another organisation's are not theirs.
    group_of = {event_type.code: event_type.group.code for event_type in catalog()}
    rules = Rule.objects.filter(enabled=True).filter(
        Q(organisation=None) | Q(organisation__in=user.memberships.values("organisation"))
    )
    used = {}
    for code, channels, fallback in rules.values_list("event_code", "channels", "fallback_channel"):
        if code in group_of:
            used.setdefault(group_of[code], set()).update(channels, [fallback] if fallback else [])
    return used


@transaction.atomic
def save_choices(user, enabled_pairs, page=""):
    """Store the matrix as submitted: `enabled_pairs` is the set of (group, channel) left on.

    Mandatory groups and channels no rule uses are not the form's to change, whatever it sent.
    Each choice that changed is one ledger record, with the words the person saw.
    """
    for group, choices in preference_matrix(user):
        for choice in choices:
            wanted = (group.code, choice.channel) in enabled_pairs
            if choice.offered and not choice.mandatory and wanted != choice.enabled:
                set_preference(
                    user, group.code, choice.channel, wanted, method=Method.PAGE, page=page
                )


def set_preference(user, group, channel, enabled, *, method, **how):
    """Turn one group on or off on one channel for `user`, through the ledger."""
    how.setdefault("text", choice_text(group, channel, enabled))
    return record(
        Kind.PREFERENCE,
        channel=channel,
        address=_address(user, channel),
        method=method,
        user=user,
        group=group,
        enabled=enabled,
        **how,
    )[0]


def choice_text(group, channel, enabled):
    """The choice as the page shows it: "Rendez-vous · SMS : non"."""
    state = _("on") if enabled else _("off")
    return _("%(group)s · %(channel)s: %(state)s") % {
        "group": group_label(group),
        "channel": Channel(channel).label,
        "state": state,
    }


def _address(user, channel):
    phone = str(user.phone or "")
    return {Channel.EMAIL: user.email, Channel.SMS: phone, Channel.WHATSAPP: phone}.get(channel, "")


def unsubscribe(token, *, method=Method.ONE_CLICK, text="", page=""):
    """Act on a one-click unsubscribe token: a user's preference, or a contact's address."""
    recipient_key, group, channel, address = read_token(token)
    kind, _sep, pk = recipient_key.partition(":")
    how = {"method": method, "text": text, "page": page}
    if kind == "user":
        user = get_user_model().objects.filter(pk=pk).first()
        if user is None:
            raise UnknownRecipient(recipient_key)
        record(
            Kind.UNSUBSCRIBE,
            channel=channel,
            address=address,
            user=user,
            group=group,
            enabled=False,
            **how,
        )
    else:
        # A visitor or a subscriber has no preferences page: their address is suppressed.
        suppress(channel, address, Suppression.Reason.UNSUBSCRIBED, text, method=method, page=page)
    return group, channel


def channel_statuses(user, rows=None, every_channel=False):
    """Each channel of the person's matrix as it really is (SPEC N-20): the page and the admin.

    The page lists the channels some rule uses; the admin, `every_channel`, all of them.
    """
    rows = preference_matrix(user) if rows is None else rows
    blocks = blocks_of(user)
    statuses = []
    for index, channel in enumerate(CHOOSABLE_CHANNELS):
        choices = [choices[index] for _group, choices in rows if choices[index].offered]
        if not choices and not every_channel:
            continue
        statuses.append(_status(user, Channel(channel), choices, blocks.get(channel)))
    return statuses


def _status(user, channel, choices, block):
    address = _address(user, channel)
    if block is not None:
        summary, hint = _block_words(block)
        return ChannelStatus(channel, block.address, "blocked", summary, hint)
    if channel in (Channel.SMS, Channel.WHATSAPP) and not address:
        return ChannelStatus(channel, "", "no_address", _("No mobile number"))
    if channel == Channel.TELEGRAM and not user.telegram_links.filter(active=True).exists():
        return ChannelStatus(channel, "", "no_address", _("Telegram not linked"))
    if channel == Channel.PUSH and not Device.objects.filter(user=user, active=True).exists():
        return ChannelStatus(channel, "", "no_address", _("No phone or browser registered"))
    if choices and not any(c.enabled or c.mandatory for c in choices):
        return ChannelStatus(channel, address, "off", _("Off by choice"))
    return ChannelStatus(channel, address, "on", _("On"))


def _block_words(block):
    """(what blocks the channel, what undoes it), as the person reads them."""
    if block.kind == "stop":
        summary = _("Blocked: STOP was texted from this number")
        if block.sender.startswith("+"):
            number = phonenumbers.format_number(
                phonenumbers.parse(block.sender), phonenumbers.PhoneNumberFormat.INTERNATIONAL
            )
            return summary, _("Text START to %(number)s to receive them again.") % {
                "number": number
            }
        return summary, _("Reply START to one of our text messages to receive them again.")
    if block.kind == Suppression.Reason.BOUNCE:
        return _("Blocked: emails to this address came back undelivered"), _(
            "Check the address with your manager: once it works, they can lift the block."
        )
    if block.kind == Suppression.Reason.COMPLAINT:
        return _("Blocked: one of our emails was reported as spam"), _(
            "Ask your manager to lift the block to receive them again."
        )
    return _("Blocked by a manager"), _("Ask your manager to lift the block.")
