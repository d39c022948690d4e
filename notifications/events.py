"""The event catalog (SPEC N-1).

Each domain app declares what can happen to its objects in `<app>/events.py`,
found at start-up like the admin finds `admin.py`:

    register(EventType(
        code="requests.created",
        label=_("New request"),
        group="requests",
        roles=[RecipientRole("category_managers", _("Category managers"), resolve_managers)],
        variables=[Variable("number", _("Request number"), example=123)],
        context=lambda request, data: {"number": request.number},
        anchors=[Anchor("created", _("Created"), "created_at")],
    ))

The engine knows domains only through these declarations.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class UnknownEvent(LookupError):
    """An event code that no app declared."""


class Priority:
    HIGH = "high"
    DEFAULT = "default"
    BULK = "bulk"
    CHOICES = [(HIGH, _("High")), (DEFAULT, _("Normal")), (BULK, _("Bulk"))]


@dataclass(frozen=True)
class EventGroup:
    """What people turn on or off per channel on their preferences page (SPEC N-5)."""

    code: str
    label: str
    staff_only: bool = False  # only back-office people receive these (a manager's desk)


@dataclass(frozen=True)
class Variable:
    """A template variable, with an example value for previews and tests."""

    name: str
    label: str
    example: Any


@dataclass(frozen=True)
class RecipientRole:
    """Who an event can reach: `resolve(target, event)` yields users or `Recipient`s."""

    code: str
    label: str
    resolve: Callable[[Any, Any], Iterable]


@dataclass(frozen=True)
class Anchor:
    """A datetime of the target a reminder can be scheduled against."""

    code: str
    label: str
    attribute: str

    def value(self, target) -> datetime | None:
        return getattr(target, self.attribute)


@dataclass(frozen=True)
class Condition:
    """A declared check a rule may require, e.g. "created at least 48 h before start".

    `test(target, event)`; with `per_rule`, `test(target, event, rule)`: a check that
    depends on what the rule itself is tied to in its domain (a work order status that
    names the rule among its triggers).
    """

    code: str
    label: str
    test: Callable[..., bool]
    per_rule: bool = False

    def holds(self, target, event, rule) -> bool:
        return self.test(target, event, rule) if self.per_rule else self.test(target, event)


@dataclass(frozen=True)
class DefaultRule:
    """A rule a fresh install carries (SPEC N-4); managers may change or disable it.

    `templates` maps (channel, language) to (subject, text).
    """

    key: str  # stable: the installed rule is found again by it, never duplicated
    name: str
    roles: list[str]
    channels: list[str]
    templates: dict[tuple[str, str], tuple[str, str]]
    anchor: str = ""
    offset_minutes: int = 0
    offset_unit: str = ""  # "days" keeps the wall clock; else elapsed time
    conditions: list[str] = field(default_factory=list)
    fallback_channel: str = ""
    send_window: tuple | None = None  # (start, end, [channels])
    daily_cap: int | None = None
    sender_mode: str = ""  # empty: no-reply; "actor", "staff" (see Rule.SenderMode)


@dataclass(frozen=True)
class Recap:
    """Makes an event type a periodic summary (SPEC N-10), sent on a RecapSchedule.

    `audience(organisation)` yields the users who get one; `items(user, organisation,
    start, end)` lists what their recap covers, as JSON-friendly dicts. Nothing to
    list, no recap: nobody gets an empty one.
    """

    audience: Callable[[Any], Iterable]
    items: Callable[[Any, Any, datetime, datetime], list]
    # Optional: (time of day, RecapSchedule.Day) each person chose for themselves, or None
    # for the schedule's own (a staff member's recap at the hour they pick, SPEC B-13).
    timing: Callable[[Any, Any], tuple | None] | None = None


@dataclass(frozen=True)
class OptIn:
    """Messages that reach only contact points confirmed for `purpose` (double opt-in, N-20).

    `request=True` marks the confirmation request itself: it goes to a contact point
    not yet confirmed (never to a number that texted STOP), and the ledger records it
    as sent, with its exact text and provider message id.
    """

    purpose: str
    request: bool = False
    # The purpose of one target's messages, when consent is not given to the organisation
    # as a whole: a snow company's alerts are consented to that company (its name on them).
    purpose_of: Callable[[Any], str] | None = None

    def purpose_for(self, target):
        """The ledger's purpose for messages about `target` (None: the target is gone)."""
        if self.purpose_of is None:
            return self.purpose
        return self.purpose_of(target) if target is not None else None


def _no_context(target, data):
    return {}


def _no_link(target):
    url = getattr(target, "get_absolute_url", None)
    return url() if url else ""


@dataclass(frozen=True)
class EventType:
    """Something that happens to a domain object and may notify people."""

    code: str
    label: str
    group: EventGroup
    roles: list[RecipientRole]
    variables: list[Variable] = field(default_factory=list)
    context: Callable[[Any, dict], dict] = _no_context
    anchors: list[Anchor] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)
    priority: str = Priority.DEFAULT
    mandatory: bool = False  # password reset, opt-in confirmation: preferences cannot stop it
    notify_actor: bool = False  # whether the person who acted is told too
    link: Callable[[Any], str] = _no_link  # where the in-app message leads
    # Files attached to emails, e.g. an .ics invitation: (target, delivery) -> [(name, bytes, type)]
    attachments: Callable[[Any, Any], list] = lambda target, delivery: []
    default_rules: list[DefaultRule] = field(default_factory=list)
    recap: Recap | None = None
    opt_in: OptIn | None = None  # a double opt-in stands before these messages
    # Of use only now ("the truck is coming"): outside its rule's send window a message is
    # skipped (quiet hours), never held for the next opening.
    stale_outside_window: bool = False
    # For a call that asks for a key (a voice double opt-in): (about) -> the signed URL
    # Twilio posts the key to. None: the call only speaks.
    voice_gather: Callable[[Any], str] | None = None
    # The staff member a target is with (an appointment's): the "staff" sender's reply-to.
    staff_member: Callable[[Any], Any] | None = None

    def role(self, code) -> RecipientRole:
        return _by_code(self.roles, code, f"{self.code} has no role {code!r}")

    def anchor(self, code) -> Anchor:
        return _by_code(self.anchors, code, f"{self.code} has no anchor {code!r}")

    def condition(self, code) -> Condition:
        return _by_code(self.conditions, code, f"{self.code} has no condition {code!r}")

    def example_context(self) -> dict:
        return {variable.name: variable.example for variable in self.variables}

    def variable_names(self) -> set[str]:
        return {variable.name for variable in self.variables} | set(COMMON_VARIABLES)


def _by_code(items, code, message):
    for item in items:
        if item.code == code:
            return item
    raise LookupError(message)


# Variables every template can use, whatever the event.
COMMON_VARIABLES = {
    "recipient_name": _("Recipient's name"),
    "organisation": _("Organisation"),
    "link": _("Link to the object"),
    "unsubscribe_url": _("One-click unsubscribe link"),
}

_registry: dict[str, EventType] = {}


def register(event_type: EventType) -> EventType:
    """Add an event type to the catalog; a code may be declared once."""
    if event_type.code in _registry and _registry[event_type.code] != event_type:
        raise ValueError(f"Event {event_type.code!r} is declared twice.")
    _registry[event_type.code] = event_type
    return event_type


def groups() -> list[EventGroup]:
    """The event groups of the catalog, in the order first declared."""
    return list(
        {event_type.group.code: event_type.group for event_type in _registry.values()}.values()
    )


def group_label(code: str) -> str:
    """A group's label, or its code when no event declares it any more."""
    return next((group.label for group in groups() if group.code == code), code)


def event_label(code: str) -> str:
    """An event's label, or its code when no app declares it any more."""
    try:
        return get_event_type(code).label
    except UnknownEvent:
        return code


def mandatory_groups() -> set[str]:
    """Codes of the groups whose every event is mandatory: they cannot be turned off (N-5)."""
    return {
        group.code
        for group in groups()
        if all(et.mandatory for et in _registry.values() if et.group.code == group.code)
    }


def unregister(code: str) -> None:
    _registry.pop(code, None)


def get_event_type(code: str) -> EventType:
    try:
        return _registry[code]
    except KeyError:
        raise UnknownEvent(
            f"Unknown event {code!r}: no app declares it in its events.py "
            f"(known: {', '.join(sorted(_registry)) or 'none'})."
        ) from None


def priority_of(code: str) -> str:
    """The queue an event's planning goes to; an event no app declares any more, default."""
    try:
        return get_event_type(code).priority
    except UnknownEvent:
        return Priority.DEFAULT


def catalog() -> list[EventType]:
    """Every declared event type, by code."""
    return sorted(_registry.values(), key=lambda event_type: event_type.code)


def autodiscover():
    autodiscover_modules("events")
