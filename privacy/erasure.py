"""Erase one person across every app (SPEC P-5), keeping what the law requires.

Each app removes or anonymises what it holds (`<app>/privacy.py`, `erase(erasure)`);
the consent states keep the keyed hash of the person's email and number, so that a
STOP still holds when the number comes back; an `ErasureRecord` says who erased
whom, when and why. All of it in one transaction: erased everywhere, or nowhere.
"""

from django.db import transaction
from django.utils import timezone

from core.identifiers import hashed
from privacy import registry
from privacy.identity import Subject, identifiers_of, replacer
from privacy.models import ErasureRecord

ERASED = "[erased]"


class Erasure(Subject):
    """The person being erased, and what every app needs to do its part."""

    def __init__(self, person, now=None):
        super().__init__(person)
        self.now = now or timezone.now()
        self.summary = {}
        self._scrub = replacer(identifiers_of(person), ERASED)

    def scrub(self, text):
        """`text` with the person's name, email and number replaced."""
        return self._scrub(text)

    def placeholder_email(self, kind, pk):
        """An address that reaches nobody, for a row whose email may not be empty."""
        return f"erased-{kind}-{pk}@erased.invalid"

    def count(self, label, rows):
        self.summary[label] = self.summary.get(label, 0) + rows


@transaction.atomic
def erase_person(person, *, by, reason, now=None):
    """Erase `person` everywhere; return the ErasureRecord that proves it."""
    erasure = Erasure(person, now)
    organisations = list(person.memberships.values_list("organisation_id", flat=True))
    for label, module in registry.sections():
        erasure.count(label, module.erase(erasure) or 0)
    entry = ErasureRecord.objects.create(
        person_id=person.pk,
        erased_by=by,
        reason=reason,
        hashed_identifiers=sorted(hashed(value) for value in erasure.identifiers),
        summary=erasure.summary,
    )
    entry.organisations.set(organisations)
    return entry
