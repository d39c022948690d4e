"""The ledger read again from its first record, compared with the states (SPEC N-20).

The states are only ever written with a record (`consent.ledger`); a replay that
finds them different points at a write that went around the ledger.
"""

from notifications.consent.ledger import changes_of
from notifications.consent.models import (
    ConsentRecord,
    ContactConsent,
    PhoneStop,
    Preference,
    Suppression,
)


def replayed_states():
    """{table: {key: value}} as the ledger alone says they are."""
    states = {"preference": {}, "suppression": {}, "opt_in": {}, "stop": {}}
    for entry in ConsentRecord.objects.order_by("created_at", "pk").iterator(chunk_size=2000):
        for table, key, value in changes_of(entry):
            if value is None:
                states[table].pop(key, None)
            elif table == "suppression":
                states[table].setdefault(key, value)  # the first reason stays, as when written
            else:
                states[table][key] = value
    # No preference row and a row that says "on" mean the same: on.
    states["preference"] = {key: False for key, on in states["preference"].items() if not on}
    return states


def stored_states():
    """The same tables, as the database holds them."""
    turned_off = Preference.objects.filter(enabled=False)
    opt_ins = ContactConsent.objects.values_list(
        "organisation_id", "purpose", "channel", "address", "state"
    )
    return {
        "preference": dict.fromkeys(turned_off.values_list("user_id", "group", "channel"), False),
        "suppression": {
            (channel, address): reason
            for channel, address, reason in Suppression.objects.values_list(
                "channel", "address", "reason"
            )
        },
        "opt_in": {tuple(row[:4]): row[4] for row in opt_ins},
        "stop": dict.fromkeys(PhoneStop.objects.values_list("sender", "number"), True),
    }


def disagreements():
    """Each state the ledger and the tables disagree on: (table, key, ledger's, stored)."""
    replayed, stored = replayed_states(), stored_states()
    found = []
    for table in replayed:
        for key in sorted(replayed[table].keys() | stored[table].keys(), key=repr):
            expected, actual = replayed[table].get(key), stored[table].get(key)
            if expected != actual:
                found.append((table, key, expected, actual))
    return found
