"""The only writer of consent: a record and the state it changes, in one transaction (N-20).

`changes_of(record)` says what a record does to the states; the live write below
and the replay (`consent.replay`) both apply it, so they cannot drift apart.
"""

from typing import NamedTuple

from django.db import transaction

from core.identifiers import with_hashes
from notifications.consent.models import (
    ConsentRecord,
    ContactConsent,
    PhoneStop,
    Preference,
    Suppression,
)

Kind = ConsentRecord.Kind
SUPPRESSION_REASON = {
    Kind.BOUNCE: Suppression.Reason.BOUNCE,
    Kind.COMPLAINT: Suppression.Reason.COMPLAINT,
    Kind.SUPPRESSED: Suppression.Reason.MANUAL,
    Kind.UNSUBSCRIBE: Suppression.Reason.UNSUBSCRIBED,
}
OPT_IN_STATE = {
    Kind.OPT_IN_REQUESTED: ContactConsent.State.PENDING,
    Kind.OPT_IN_GIVEN: ContactConsent.State.ACCEPTED,
    Kind.OPT_IN_REFUSED: ContactConsent.State.REFUSED,
}
TEXT_LENGTH = 2000  # an inbound SMS is at most 1,600 characters; a page's sentence far less


class Change(NamedTuple):
    """One state a record sets: `value` None takes the row away."""

    table: str  # "preference", "suppression", "opt_in", "stop"
    key: tuple
    value: object


def changes_of(record):
    """The state changes a ledger record stands for."""
    kind = record.kind
    if kind == Kind.PREFERENCE or (kind == Kind.UNSUBSCRIBE and record.enabled is not None):
        # A person's own choice; once the person is erased, their preferences went with them.
        if record.user_id:
            yield Change(
                "preference", (record.user_id, record.group, record.channel), record.enabled
            )
    elif kind in SUPPRESSION_REASON:  # a contact without a preferences page unsubscribes here too
        yield Change("suppression", (record.channel, record.address), SUPPRESSION_REASON[kind])
    elif kind == Kind.LIFTED:
        for address in with_hashes({record.address}):  # an erased owner's hash too (P-5)
            yield Change("suppression", (record.channel, address), None)
    elif kind in OPT_IN_STATE and record.organisation_id:
        key = (record.organisation_id, record.purpose, record.channel, record.address)
        yield Change("opt_in", key, OPT_IN_STATE[kind])
    elif kind == Kind.STOP:
        yield Change("stop", (record.sender, record.address), True)
    elif kind == Kind.START:
        # The number's new owner takes back the STOP its erased owner sent too (SPEC P-5).
        for address in with_hashes({record.address}):
            yield Change("stop", (record.sender, address), None)


@transaction.atomic
def record(kind, *, channel, method, address="", **fields):
    """Add one record and apply it; return (record, whether some state changed)."""
    for name in ("text", "reply"):
        fields[name] = (fields.get(name) or "")[:TEXT_LENGTH]
    entry = ConsentRecord.objects.create(
        kind=kind, channel=channel, method=method, address=address, **fields
    )
    changed = [_apply(change, entry) for change in changes_of(entry)]
    return entry, any(changed)


def _apply(change, entry):
    """Write one change to its state table; True if the state is now different."""
    table, key, value = change
    if table == "preference":
        user_id, group, channel = key
        current = Preference.objects.filter(user_id=user_id, group=group, channel=channel).first()
        if current is not None and current.enabled == value:
            return False
        Preference.objects.update_or_create(
            user_id=user_id, group=group, channel=channel, defaults={"enabled": value}
        )
        return current is not None or value is False
    if table == "suppression":
        channel, address = key
        if value is None:
            return Suppression.objects.filter(channel=channel, address=address).delete()[0] > 0
        detail = entry.text[:1000]
        _row, created = Suppression.objects.get_or_create(
            channel=channel, address=address, defaults={"reason": value, "detail": detail}
        )
        return created  # the first reason stays: a later complaint does not hide a bounce
    if table == "opt_in":
        organisation_id, purpose, channel, address = key
        before = ContactConsent.objects.filter(
            organisation_id=organisation_id, purpose=purpose, channel=channel, address=address
        ).values_list("state", flat=True)
        changed = list(before) != [value]
        ContactConsent.objects.update_or_create(
            organisation_id=organisation_id,
            purpose=purpose,
            channel=channel,
            address=address,
            defaults={"state": value, "record": entry, "updated_at": entry.created_at},
            create_defaults={
                "state": value,
                "record": entry,
                "updated_at": entry.created_at,
                "user_id": entry.user_id,
            },
        )
        return changed
    sender, number = key
    if value is None:
        return PhoneStop.objects.filter(sender=sender, number=number).delete()[0] > 0
    _row, created = PhoneStop.objects.get_or_create(
        sender=sender, number=number, defaults={"record": entry, "created_at": entry.created_at}
    )
    return created
