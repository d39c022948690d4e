"""Each person's choices: which event groups reach them on which channels (SPEC N-5)."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from accounts.scoping import is_back_office_user
from notifications.events import catalog, groups, mandatory_groups
from notifications.models import Channel, Preference, Rule, Suppression
from notifications.unsubscribe import read_token

# Channels a person can turn off; voice calls only serve snow alerts, which have their own opt-in.
CHOOSABLE_CHANNELS = [Channel.EMAIL, Channel.SMS, Channel.PUSH, Channel.INAPP]


class UnknownRecipient(LookupError):
    """An unsubscribe token for a user who no longer exists."""


@dataclass
class Choice:
    group: object
    channel: str
    enabled: bool
    mandatory: bool  # every event of the group is mandatory: it cannot be turned off
    offered: bool  # some enabled rule of the group sends on this channel


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
def save_choices(user, enabled_pairs):
    """Store the matrix as submitted: `enabled_pairs` is the set of (group, channel) left on.

    Mandatory groups and channels no rule uses are not the form's to change, whatever it sent.
    """
    for group, choices in preference_matrix(user):
        for choice in choices:
            if choice.offered and not choice.mandatory:
                Preference.objects.update_or_create(
                    user=user,
                    group=group.code,
                    channel=choice.channel,
                    defaults={"enabled": (group.code, choice.channel) in enabled_pairs},
                )


def unsubscribe(token):
    """Act on a one-click unsubscribe token: a user's preference, or a contact's address."""
    recipient_key, group, channel, address = read_token(token)
    kind, _sep, pk = recipient_key.partition(":")
    if kind == "user":
        if not get_user_model().objects.filter(pk=pk).exists():
            raise UnknownRecipient(recipient_key)
        Preference.objects.update_or_create(
            user_id=int(pk), group=group, channel=channel, defaults={"enabled": False}
        )
    else:
        # A visitor or a subscriber has no preferences page: their address is suppressed.
        Suppression.objects.get_or_create(
            channel=channel, address=address, defaults={"reason": Suppression.Reason.UNSUBSCRIBED}
        )
    return group, channel
