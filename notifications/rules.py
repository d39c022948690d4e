"""Which rules apply to an event, and an organisation's own copy of a default (SPEC N-2, N-3)."""

from django.db import transaction
from django.db.models import Q

from notifications.models import MessageTemplate, Rule


def rules_for_event(event):
    """Enabled rules for the event: the organisation's own, and defaults it did not replace."""
    if event.is_test:
        return list(Rule.objects.filter(pk=event.data["rule_id"]))
    rules = list(
        Rule.objects.filter(event_code=event.code).filter(
            Q(organisation=None) | Q(organisation=event.organisation_id)
        )
    )
    replaced = {rule.overrides_id for rule in rules if rule.organisation_id is not None}
    return [rule for rule in rules if rule.enabled and rule.pk not in replaced]


def conditions_hold(rule, target, event):
    """The first declared condition of the rule that fails, or None when all hold."""
    event_type = event.event_type
    for code in rule.conditions:
        condition = event_type.condition(code)
        if not condition.holds(target, event, rule):
            return condition
    return None


@transaction.atomic
def customise(default, organisation):
    """The organisation's own copy of a default rule and its templates: (rule, created).

    Planning then uses the copy instead of the default for that organisation (SPEC N-3).
    """
    if default.organisation_id is not None:
        raise ValueError("Only default rules (without an organisation) can be customised.")
    existing = Rule.objects.filter(overrides=default, organisation=organisation).first()
    if existing:
        return existing, False
    copy = Rule.objects.get(pk=default.pk)
    copy.pk = None
    copy._state.adding = True
    copy.default_key = None
    copy.organisation = organisation
    copy.overrides = default
    copy.save()
    MessageTemplate.objects.bulk_create(
        MessageTemplate(
            rule=copy,
            channel=template.channel,
            language=template.language,
            subject=template.subject,
            body=template.body,
            html=template.html,
        )
        for template in default.templates.all()
    )
    return copy, True
