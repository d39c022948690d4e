"""The organisation-wide grid (SPEC N-2, Agendize): event × recipient group × channel, on/off.

A view over the same rules, not a second mechanism. A cell is on when one of the
organisation's effective rules for the event (its own, or a default it did not
replace) is enabled with that role and that channel. Switching it changes rules:
off takes the channel (or the role) out of the organisation's own copies; on adds the
channel to the organisation's rule for that role alone, or creates one from the event's
shipped wording. Default rules are never edited: the organisation's copy takes over.
"""

from django.db import transaction
from django.db.models import Q

from notifications.events import get_event_type
from notifications.models import MessageTemplate, Rule
from notifications.rule_changes import customise_and_take_over, replan_rule


def effective_rules(event_code, organisation):
    """The organisation's rules for the event and the defaults it did not replace, on or off."""
    rules = list(
        Rule.objects.filter(event_code=event_code)
        .filter(Q(organisation=None) | Q(organisation=organisation))
        .prefetch_related("templates")
    )
    replaced = {rule.overrides_id for rule in rules if rule.organisation_id is not None}
    return [rule for rule in rules if rule.pk not in replaced]


def cells(event_code, organisation):
    """{(role, channel)} switched on for the organisation."""
    return {
        (role, channel)
        for rule in effective_rules(event_code, organisation)
        if rule.enabled
        for role in rule.roles
        for channel in rule.channels
    }


def _own(rule, organisation):
    if rule.organisation_id is None:
        rule, _created, _taken = customise_and_take_over(rule, organisation)
    return rule


def _copy(rule, organisation, roles, channels):
    """A rule of the organisation like `rule`, for `roles` and `channels`, with its wording."""
    copy = Rule.objects.get(pk=rule.pk)
    copy.pk, copy._state.adding = None, True
    copy.default_key, copy.overrides, copy.organisation = None, None, organisation
    copy.roles, copy.channels, copy.enabled = list(roles), list(channels), True
    copy.save()
    MessageTemplate.objects.bulk_create(
        MessageTemplate(
            rule=copy,
            channel=t.channel,
            language=t.language,
            subject=t.subject,
            body=t.body,
            html=t.html,
        )  # fmt: skip
        for t in rule.templates.all()
    )
    return copy


@transaction.atomic
def switch_off(event_code, role, channel, organisation):
    """No message of this event to `role` on `channel` in the organisation any more."""
    for rule in effective_rules(event_code, organisation):
        if not (rule.enabled and role in rule.roles and channel in rule.channels):
            continue
        own = _own(rule, organisation)
        if own.roles != [role]:
            # The other roles keep what they had: this role goes on alone with the rest.
            rest = [c for c in own.channels if c != channel]
            if rest:
                _copy(own, organisation, [role], rest)
            own.roles = [r for r in own.roles if r != role]
        else:
            own.channels = [c for c in own.channels if c != channel]
            own.enabled = bool(own.channels)
            own.channels = own.channels or [channel]
        own.save()
        replan_rule(own)


@transaction.atomic
def switch_on(event_code, role, channel, organisation):
    """Messages of this event to `role` on `channel`: on the organisation's rule for that
    role alone if it has one, else a new one with the shipped wording."""
    if (role, channel) in cells(event_code, organisation):
        return None
    event_type = get_event_type(event_code)
    event_type.role(role)  # an undeclared role fails loudly
    rules = effective_rules(event_code, organisation)
    alone = next((r for r in rules if r.roles == [role] and r.is_immediate), None)
    if alone is not None:
        own = _own(alone, organisation)
        own.channels = own.channels + [channel] if own.enabled else [channel]
        own.enabled = True
    else:
        model = next((r for r in rules if role in r.roles), None) or next(iter(rules), None)
        if model is None:
            return None  # an event without any rule has no wording to start from
        own = _copy(model, organisation, [role], [channel])
    own.save()
    _wording_for(own, channel, event_type)
    replan_rule(own)
    return own


def _wording_for(rule, channel, event_type):
    """Templates for a channel switched on: the shipped ones, else the email's words."""
    have = {t.language for t in rule.templates.filter(channel=channel)}
    shipped = {}
    for default in event_type.default_rules:
        for (kind, language), words in default.templates.items():
            if kind == channel:
                shipped.setdefault(language, words)
    fallback = {t.language: (t.subject, t.body) for t in rule.templates.filter(channel="email")}
    for language, (subject, body) in (fallback | shipped).items():
        if language not in have:
            MessageTemplate.objects.create(
                rule=rule, channel=channel, language=language, subject=subject, body=body
            )
