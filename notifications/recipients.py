"""Who a message goes to: a user, or a plain contact such as a visitor (SPEC N-17)."""

from dataclasses import dataclass

import phonenumbers
from django.conf import settings


@dataclass(frozen=True)
class Recipient:
    """A person reachable on some channels, in their own language and time zone."""

    key: str  # stable identity, part of the dedupe key: "user:12", "visitors.visitor:5"
    name: str = ""
    email: str = ""
    phone: str = ""  # E.164
    language: str = settings.LANGUAGE_CODE
    time_zone: str = settings.TIME_ZONE
    user_id: int | None = None
    # A number for calls only (a landline); None: calls go to `phone`, "": no calls.
    voice_phone: str | None = None
    # The number a messenger's chat opens with, when `phone` is blank because the person
    # refused SMS but ticked WhatsApp or Viber (N-12, C-6); None: chats go to `phone`.
    chat_phone: str | None = None

    @classmethod
    def from_user(cls, user):
        return cls(
            key=f"user:{user.pk}",
            name=str(user),
            email=user.email,
            phone=str(user.phone or ""),
            language=user.language,
            time_zone=str(user.time_zone),
            user_id=user.pk,
        )


@dataclass(frozen=True)
class About:
    """What a role resolver yields when the message is about another object for this person.

    A visitor's invitation is about their Visitor, a participant's reminder about
    their attendance, a route run's alert about the contract: context, conditions,
    links and attachments are then computed from `obj` instead of the event's target
    (SPEC N-18).
    """

    person: object  # a user, a contact with `as_recipient()`, or a Recipient
    obj: object


def addressed(person):
    """(Recipient, what the message is about for them or None: the event's target)."""
    if isinstance(person, About):
        return as_recipient(person.person), person.obj
    return as_recipient(person), None


def as_recipient(person) -> Recipient:
    """A Recipient from a user, a contact with `as_recipient()`, or a Recipient."""
    if isinstance(person, Recipient):
        return person
    if hasattr(person, "as_recipient"):
        return person.as_recipient()
    return Recipient.from_user(person)


def as_e164(text):
    """A phone number as people type it ("06 12 34 56 78") in E.164, or "" when it is not one."""
    try:
        number = phonenumbers.parse(text, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
