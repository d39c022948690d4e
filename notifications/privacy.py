"""What the engine holds about a person, exported and erased (SPEC P-5).

Messages (with the in-app inbox), the consent ledger, preferences, push devices,
Telegram links and the contact points' consent (messenger ticks). An erasure
keeps the ledger, the STOPs, refusals and suppressions under the keyed hash of
the address (`core.identifiers`), so that they still hold for a number that
comes back; every planning check matches that hash.
"""

from django.db.models import Q
from django.utils.translation import gettext_noop

from core.identifiers import hashed
from notifications.consent.export import person_ledger, records_of
from notifications.consent.models import (
    ConsentRecord,
    ContactConsent,
    PhoneStop,
    Preference,
    Suppression,
)
from notifications.models import (
    Delivery,
    Device,
    Event,
    ForgottenRecipient,
    TelegramLink,
    TelegramLinkToken,
    WhatsAppWindow,
)
from notifications.retention import redact

RECIPIENT_ERASED = gettext_noop("its recipient asked to be erased")  # translated when shown
MESSAGE_FIELDS = ["created_at", "channel", "status", "address", "recipient_name", "subject"]
MESSAGE_FIELDS += ["body", "html", "sent_at", "delivered_at", "opened_at", "read_at", "redacted_at"]
# The consent states keyed by an address: its field, and the rest of the unique key.
STATES = {
    ContactConsent: ("address", ("organisation_id", "purpose", "channel")),
    PhoneStop: ("number", ("sender",)),
    Suppression: ("address", ("channel",)),
}


def export(archive):
    person = archive.person
    addresses = archive.identifiers | {person.email}
    messages = _messages(archive, addresses).select_related("event").order_by("created_at", "pk")
    archive.add_rows("messages", messages, MESSAGE_FIELDS, event=lambda d: d.event.code)
    archive.add("consent_ledger", person_ledger(person))
    preferences = Preference.objects.filter(user=person).order_by("group", "channel")
    archive.add_rows("preferences", preferences, ["group", "channel", "enabled"])
    devices = Device.objects.filter(user=person).order_by("created_at")
    archive.add_rows("push_devices", devices, ["name", "platform", "active", "created_at"])
    links = TelegramLink.objects.filter(user=person).order_by("linked_at")
    archive.add_rows("telegram", links, ["username", "chat_id", "active", "linked_at"])
    consents = ContactConsent.objects.filter(Q(user=person) | Q(address__in=addresses))
    fields = ["purpose", "channel", "address", "state", "updated_at"]
    archive.add_rows("contact_point_consent", consents.order_by("updated_at"), fields)
    stops = PhoneStop.objects.filter(number__in=archive.phones)
    archive.add_rows("stops", stops, ["sender", "number", "created_at"])
    suppressed = Suppression.objects.filter(address__in=addresses)
    archive.add_rows("suppressions", suppressed, ["channel", "address", "reason", "created_at"])


def erase(erasure):
    person = erasure.person
    addresses = erasure.identifiers | {person.email}
    messages = _messages(erasure, addresses)
    changed = messages.filter(status__in=Delivery.PENDING).update(
        status=Delivery.Status.CANCELLED,
        reason=RECIPIENT_ERASED,
        reason_code=Delivery.Skip.WITHDRAWN,
    )
    changed += redact(messages, erasure.now)
    ForgottenRecipient.objects.bulk_create(
        [ForgottenRecipient(key=key) for key in erasure.recipient_keys], ignore_conflicts=True
    )
    changed += _hash_consent(person, addresses)
    for rows in (Preference, Device, TelegramLink, TelegramLinkToken):
        changed += rows.objects.filter(user=person).delete()[0]
    changed += WhatsAppWindow.objects.filter(number__in=erasure.phones).delete()[0]
    changed += Event.objects.filter(actor=person).update(actor=None)
    return changed


def _messages(subject, addresses):
    """The person's deliveries: to their account, to the contacts they are, and to their
    addresses when no account received them (a family's shared number: the others' stay theirs)."""
    return Delivery.objects.filter(
        Q(user=subject.person)
        | Q(recipient_key__in=subject.recipient_keys)
        | Q(address__in=addresses - {""}, user=None)
    )


def _hash_consent(person, addresses):
    """The ledger and its states keep the address's hash instead of the address."""
    changed = 0
    records = ConsentRecord.objects.filter(
        pk__in=list(records_of(person).values_list("pk", flat=True))
    )
    for address in addresses:
        changed += records.filter(address=address).erase_person(address=hashed(address))
    changed += records.erase_person(user=None, text="", reply="", page="")
    for model, (field, _rest) in STATES.items():
        for row in model.objects.filter(**{f"{field}__in": addresses}):
            changed += _hash_state(model, row)
    changed += ContactConsent.objects.filter(user=person).update(user=None)
    return changed


def _hash_state(model, row):
    """One state row keyed by its address's hash; a hash already kept (its number's earlier
    owner, erased too) already says the same, and this row goes."""
    field, rest = STATES[model]
    unique = {name: getattr(row, name) for name in rest}
    unique[field] = hashed(getattr(row, field))
    if model.objects.filter(**unique).exists():
        row.delete()
    else:
        model.objects.filter(pk=row.pk).update(**{field: unique[field]})
    return 1
