"""The strings that identify a person, as found in rows and texts (SPEC P-5)."""

import re

import phonenumbers
from django.db.models import Q

SHORTEST = 3  # "Al" would blank every "Alors"; a name is kept from three letters on


def identifiers_of(*people):
    """Names, email addresses and numbers of users or contacts (anything with those fields),
    or a name as it is."""
    found = set()
    for person in people:
        if isinstance(person, str):
            values = [person]
        else:
            fields = ("display_name", "name", "email", "phone")
            values = [getattr(person, field, "") for field in fields] if person else []
        found.update(str(value or "").strip() for value in values)
    found |= {spelling for value in found for spelling in _phone_spellings(value)}
    return {value for value in found if len(value) >= SHORTEST}


def _phone_spellings(value):
    """A number as people write it in a text too: "06 22 22 22 22", "+33 6 22 22 22 22"."""
    if not value.startswith("+"):
        return set()
    try:
        number = phonenumbers.parse(value)
    except phonenumbers.NumberParseException:
        return set()
    formats = (
        phonenumbers.PhoneNumberFormat.NATIONAL,
        phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    )
    spelled = {phonenumbers.format_number(number, style) for style in formats}
    return spelled | {spelling.replace(" ", "") for spelling in spelled}


def replacer(identifiers, replacement):
    """A function that replaces each of `identifiers` in a text (any case), longest first."""
    ordered = sorted({i for i in identifiers if len(i) >= SHORTEST}, key=len, reverse=True)
    if not ordered:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(value) for value in ordered), re.IGNORECASE)
    return lambda text: pattern.sub(replacement, text) if text else text


class Subject:
    """The person an export or an erasure is about, and how their rows are recognised."""

    def __init__(self, person):
        self.person = person
        self.emails = {person.email.lower()} if person.email else set()
        self.phones = {str(person.phone)} if person.phone else set()
        # The recipients the person also is (a visitor row, a client): their messages are theirs.
        self.recipient_keys = {f"user:{person.pk}"}

    @property
    def identifiers(self):
        """The person's email addresses and numbers."""
        return self.emails | self.phones

    def also_reached_as(self, *keys):
        """Recipient keys of contact rows that are the person too ("visitors.visitor:5"): their
        messages are theirs, and once erased, nothing is planned for those recipients again."""
        self.recipient_keys.update(keys)

    def contact_rows(self, email="email", phone="phone"):
        """A filter on contact rows whose email (any case) or number is the person's."""
        found = Q(pk__in=[])
        for address in self.emails:
            found |= Q(**{f"{email}__iexact": address})
        if phone and self.phones:
            found |= Q(**{f"{phone}__in": self.phones})
        return found
