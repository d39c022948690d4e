"""Members' validities and balances, and subscriptions to every booking or maintenance
(SPEC B-14, B-15, B-16)."""

import datetime

from django.db import transaction
from django.utils import timezone

from bookings import signals
from bookings.models import Account, BalanceThreshold, Subscription, Validity


@transaction.atomic
def save_validity(validity, actor):
    """Save a member's validity; a new expiry date (a renewal) starts the warnings afresh."""
    if validity.pk is not None:
        before = Validity.objects.get(pk=validity.pk)
        if before.expires_on != validity.expires_on:
            validity.last_warned_on = None
    validity.organisation = validity.validity_type.organisation
    validity.save()
    return validity


def warn_expiring_validities(now=None):
    """Warn of validities expiring within their type's lead time, again every `repeat_days`,
    the day counted on the organisation's clock (B-16). Returns how many were warned."""
    now = now or timezone.now()
    warned = 0
    candidates = Validity.objects.filter(expires_on__gte=(now - datetime.timedelta(days=1)).date())
    for validity in candidates.select_related("validity_type", "organisation"):
        today = timezone.localtime(now, validity.organisation.time_zone).date()
        if _is_due(validity, today):
            warned += _warn(validity, today)
    return warned


def _is_due(validity, today):
    kind = validity.validity_type
    days_left = (validity.expires_on - today).days
    if days_left < 0 or days_left > kind.lead_days:
        return False
    if validity.last_warned_on is None:
        return True
    return bool(kind.repeat_days) and (today - validity.last_warned_on).days >= kind.repeat_days


@transaction.atomic
def _warn(validity, today):
    # Claimed: two beat runs at once warn once.
    claimed = Validity.objects.filter(
        pk=validity.pk, last_warned_on=validity.last_warned_on
    ).update(last_warned_on=today)
    if claimed:
        days_left = (validity.expires_on - today).days
        signals.validity_expiring.send(sender=Validity, validity=validity, days_left=days_left)
    return claimed


@transaction.atomic
def record_balance(account, balance, actor=None):
    """A member's new balance; falling below the organisation's threshold tells them once,
    until it is back above (B-16)."""
    Account.objects.filter(pk=account.pk).update(balance=balance)
    account.refresh_from_db()
    threshold = BalanceThreshold.objects.filter(organisation=account.organisation_id).first()
    if threshold is None:
        return account
    if account.balance < threshold.amount:
        told = Account.objects.filter(pk=account.pk, warned_below=None).update(
            warned_below=threshold.amount
        )
        if told:
            signals.balance_low.send(sender=Account, account=account, threshold=threshold.amount)
    else:
        Account.objects.filter(pk=account.pk).update(warned_below=None)
    account.refresh_from_db()
    return account


@transaction.atomic
def subscribe(
    user, organisation, topic, *, only_supervised=False, delivery=Subscription.Delivery.EACH
):
    """Hear of every booking, or of every maintenance, of the organisation (B-14, B-15)."""
    subscription, _created = Subscription.objects.update_or_create(
        organisation=organisation,
        user=user,
        topic=topic,
        defaults={"only_supervised": only_supervised, "delivery": delivery},
    )
    return subscription


@transaction.atomic
def unsubscribe(user, organisation, topic):
    return Subscription.objects.filter(organisation=organisation, user=user, topic=topic).delete()[
        0
    ]
