"""Who a snow alert reaches: each occupant of the contracts concerned, once, as a Recipient.

Read a chunk at a time (a route can hold thousands of contracts): a few queries per
chunk of 2,000, never one per person (bench/alert_run.py holds it to that).
"""

import dataclasses
import itertools

from alerts.models import ContactPoint, Contract, Occupant
from notifications.recipients import About, Recipient

CHUNK = 2000


def as_recipient(occupant, points):
    """The occupant with their contact points: each method its own address, or none."""
    by_method = {point.method: point.address for point in points}
    return Recipient(
        key=occupant.recipient_key,
        name=occupant.name,
        email=by_method.get(ContactPoint.Method.EMAIL, ""),
        phone=by_method.get(ContactPoint.Method.SMS, ""),
        voice_phone=by_method.get(ContactPoint.Method.VOICE, ""),
        language=occupant.language,
        time_zone=str(occupant.company.time_zone),
    )


def point_recipient(point):
    """One contact point alone (its confirmation request goes to it, not to its siblings)."""
    field = {"sms": "phone", "email": "email", "voice": "voice_phone"}[point.method]
    return dataclasses.replace(as_recipient(point.occupant, []), **{field: point.address})


def occupants_of(pairs):
    """About(occupant, contract) for (occupant id, contract id) pairs, each occupant once.

    The first contract met is what the message is about for them (the truck's order).
    """
    seen = set()
    pairs = iter(pairs)
    while chunk := list(itertools.islice(pairs, CHUNK)):
        chunk = [(o, c) for o, c in chunk if o not in seen and not seen.add(o)]
        occupant_ids = {o for o, _c in chunk}
        occupants = Occupant.objects.select_related("company").in_bulk(occupant_ids)
        contracts = Contract.objects.in_bulk({c for _o, c in chunk})
        points = {}
        for point in ContactPoint.objects.filter(occupant__in=occupant_ids):
            points.setdefault(point.occupant_id, []).append(point)
        for occupant_id, contract_id in chunk:
            occupant = occupants[occupant_id]
            yield About(as_recipient(occupant, points.get(occupant_id, [])), contracts[contract_id])
