"""One person's consent ledger, as data they can be given (SPEC N-20, P-5)."""

from django.db.models import Q

from notifications.consent.models import ConsentRecord

FIELDS = [
    "created_at",
    "kind",
    "channel",
    "address",
    "purpose",
    "group",
    "enabled",
    "method",
    "keyword",
    "page",
    "text",
    "reply",
    "sender",
    "provider_message_id",
]


def records_of(person):
    """The ledger's rows about `person`: theirs, and those of their email address and number."""
    addresses = {person.email, str(person.phone or "")} - {""}
    return ConsentRecord.objects.filter(Q(user=person) | Q(address__in=addresses)).select_related(
        "organisation", "admin_user"
    )


def person_ledger(person):
    """Every record about `person`, oldest first, as JSON-ready dicts."""
    rows = []
    for entry in records_of(person).order_by("created_at", "pk"):
        row = {name: getattr(entry, name) for name in FIELDS}
        row["created_at"] = entry.created_at.isoformat()
        row["organisation"] = entry.organisation.name if entry.organisation else ""
        row["by"] = str(entry.admin_user) if entry.admin_user else ""
        row["is_consent"] = entry.is_consent
        rows.append(row)
    return rows
