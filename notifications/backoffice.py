"""What the notification back office does, kept out of the admin classes (SPEC N-2, N-3, N-6).

Preview, dry run, "send me a test", customising a default rule, resending
and exporting the log: each is a function the admin calls with a rule or a
delivery, so the admin itself only shows and asks.
"""

import dataclasses

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from accounts.models import User
from accounts.scoping import managed_organisations, scope_to_user
from notifications import dispatch, planning, rendering, sending
from notifications.channels.sms import SmsLength, segment_info
from notifications.events import UnknownEvent, get_event_type
from notifications.models import Channel, Delivery, Event, MessageTemplate, Rule, Suppression

# Previews and dry runs must not hand a manager a working unsubscribe link for someone else.
PLACEHOLDER_UNSUBSCRIBE_URL = settings.SITE_URL + "/unsubscribe/example/"
RESEND_SUFFIX = ":resend:"
NOT_RESENDABLE = (Delivery.Status.SCHEDULED, Delivery.Status.QUEUED, Delivery.Status.SENDING)


# Timing in words ----------------------------------------------------------------------------


def split_offset(minutes):
    """(amount, unit) for an offset in minutes: the largest unit that divides it exactly."""
    minutes = abs(minutes)
    # "24 h before" reads better than "1 day before"; days from two on.
    if minutes and minutes % 1440 == 0 and minutes >= 2880:
        return minutes // 1440, "days"
    if minutes and minutes % 60 == 0:
        return minutes // 60, "hours"
    return minutes, "minutes"


def describe_timing(rule):
    """The rule's timing in words: "at once", "24 h before Start", "10 min after Created"."""
    if rule.is_immediate:
        return _("at once")
    anchor = _anchor_label(rule)
    if not rule.offset_minutes:
        return _("at %(anchor)s") % {"anchor": anchor}
    amount, unit = split_offset(rule.offset_minutes)
    length = {
        "minutes": _("%(amount)s min"),
        "hours": _("%(amount)s h"),
        "days": ngettext("%(amount)s day", "%(amount)s days", amount),
    }[unit] % {"amount": amount}
    if rule.offset_minutes < 0:
        return _("%(length)s before %(anchor)s") % {"length": length, "anchor": anchor}
    return _("%(length)s after %(anchor)s") % {"length": length, "anchor": anchor}


def _anchor_label(rule):
    try:
        return str(rule.event_type.anchor(rule.anchor).label)
    except LookupError:  # an unknown event, or an anchor its app no longer declares
        return rule.anchor


# Preview and dry run ------------------------------------------------------------------------


@dataclasses.dataclass
class Rendered:
    """One message as a recipient would get it, or the problem that stops it."""

    channel: str
    language: str
    message: rendering.RenderedMessage | None = None
    problem: str = ""
    sms: SmsLength | None = None
    delivery: Delivery | None = None

    @property
    def channel_label(self):
        return Channel(self.channel).label


def render_message(template, context, language, time_zone):
    """Render a template the way sending does, HTML fallback of emails included."""
    message = rendering.render(
        template.subject, template.body, template.html, context, language, time_zone
    )
    if template.channel == Channel.EMAIL and not message.html:
        html = rendering.email_html(message.subject, message.body)
        message = dataclasses.replace(message, html=html)
    return message


def _rendered(template, context, language, time_zone, **extra):
    result = Rendered(channel=template.channel, language=language, **extra)
    try:
        result.message = render_message(template, context, language, time_zone)
    except rendering.TemplateProblem as problem:
        result.problem = str(problem)
    else:
        if template.channel == Channel.SMS:
            result.sms = segment_info(result.message.body)
    return result


def preview(rule, user):
    """Each template of the rule rendered with the event's example values (SPEC N-3)."""
    organisation = rule.organisation or managed_organisations(user).first()
    event = Event(code=rule.event_code, organisation=organisation, is_test=True)
    results = []
    for template in rule.templates.order_by("channel", "language"):
        delivery = Delivery(
            event=event,
            rule=rule,
            recipient_key=f"user:{user.pk}",
            recipient_name=str(user),
            channel=template.channel,
            language=template.language,
            time_zone=str(user.time_zone),
        )
        context = _context(delivery)
        context["link"] = context["link"] or settings.SITE_URL + "/"
        results.append(_rendered(template, context, template.language, str(user.time_zone)))
    return results


def _context(delivery):
    context = sending.message_context(delivery)
    if context["unsubscribe_url"]:
        context["unsubscribe_url"] = PLACEHOLDER_UNSUBSCRIBE_URL
    return context


def dry_run_events(rule, user):
    """Recent real events a rule can be tried on: its event code, within the user's scope."""
    events = Event.objects.filter(code=rule.event_code, is_test=False)
    if rule.organisation_id:
        events = events.filter(organisation=rule.organisation_id)
    return scope_to_user(events, user, "organisation").order_by("-created_at")


@dataclasses.dataclass
class DryRun:
    event: Event
    applies: bool  # False: disabled, or replaced by the organisation's own rule
    blocked_by: str = ""  # why nothing would be sent at all
    results: list = dataclasses.field(default_factory=list)


def dry_run(rule, event):
    """Who would receive what, on which channel, rendered, and when — writing nothing."""
    run = DryRun(event=event, applies=rule in planning.rules_for_event(event))
    target = event.target
    if target is None:
        run.blocked_by = _("The object of this event no longer exists.")
        return run
    failed = planning.conditions_hold(rule, target, event)
    if failed is not None:
        run.blocked_by = _("Condition not met: %(condition)s.") % {"condition": failed.label}
        return run
    # Role resolvers and template contexts are domain code: whatever they do, leave no trace.
    with transaction.atomic():
        run.results = [_dry_run_result(d) for d in planning.dry_run(event, rule, target)]
        transaction.set_rollback(True)
    if not run.results:
        run.blocked_by = _("Nobody to notify, or no date to anchor the reminder on.")
    return run


def _dry_run_result(delivery):
    if delivery.status not in Delivery.PENDING:
        return Rendered(channel=delivery.channel, language=delivery.language, delivery=delivery)
    try:
        template = sending.choose_template(delivery)
    except sending.MissingTemplate as problem:
        return Rendered(
            delivery.channel, delivery.language, problem=str(problem), delivery=delivery
        )
    context = _context(delivery)
    return _rendered(template, context, delivery.language, delivery.time_zone, delivery=delivery)


# Send me a test -----------------------------------------------------------------------------


def send_test(rule, user):
    """Send the rule to `user` alone, with example values (SPEC N-3); return its deliveries.

    The test goes through planning and sending like any event, so it is logged
    like any delivery; the manager's organisation makes it visible in their log.
    """
    organisation = rule.organisation
    if organisation is None and not user.is_superuser:
        organisation = managed_organisations(user).first()
    event = Event.objects.create(
        code=rule.event_code,
        organisation=organisation,
        actor=user,
        data={"rule_id": rule.pk},
        is_test=True,
    )
    dispatch.plan_event(event.pk)
    return list(Delivery.objects.filter(event=event).order_by("channel"))


# Customise a default rule -------------------------------------------------------------------


@transaction.atomic
def customise(default, organisation):
    """The organisation's own copy of a default rule and its templates: (rule, created).

    Planning then uses the copy instead of the default for that organisation (SPEC N-3).
    """
    if default.organisation_id is not None:
        raise ValueError("Only default rules (without an organisation) can be customised.")
    existing = Rule.objects.filter(overrides=default, organisation=organisation).first()
    if existing:
        return existing, False
    copy = Rule.objects.get(pk=default.pk)
    copy.pk = None
    copy._state.adding = True
    copy.default_key = None
    copy.organisation = organisation
    copy.overrides = default
    copy.save()
    MessageTemplate.objects.bulk_create(
        MessageTemplate(
            rule=copy,
            channel=template.channel,
            language=template.language,
            subject=template.subject,
            body=template.body,
            html=template.html,
        )
        for template in default.templates.all()
    )
    return copy, True


# Resend -------------------------------------------------------------------------------------


def can_resend(delivery):
    """Finished deliveries with an address; pending ones will go anyway."""
    return delivery.status not in NOT_RESENDABLE and bool(delivery.address)


@transaction.atomic
def resend(deliveries):
    """A new delivery for each original, queued once committed; return the copies (SPEC N-6)."""
    copies = [_resend_copy(original) for original in deliveries if can_resend(original)]
    rows = [(copy.pk, copy.priority) for copy in copies]
    transaction.on_commit(lambda: dispatch.queue_sends(rows))
    return copies


def _resend_copy(original):
    prefix = original.dedupe_key + RESEND_SUFFIX
    number = Delivery.objects.filter(dedupe_key__startswith=prefix).count() + 1
    copied = {
        field: getattr(original, field)
        for field in (
            "event_id",
            "rule_id",
            "organisation_id",
            "target_type_id",
            "target_id",
            "user_id",
            "recipient_key",
            "recipient_name",
            "address",
            "language",
            "time_zone",
            "channel",
            "priority",
            "subject",
            "body",
            "html",
        )  # fmt: skip
    }
    # Rule messages are rendered again at send time; manual ones keep their written text.
    return Delivery.objects.create(
        **copied,
        dedupe_key=f"{prefix}{number}",
        status=Delivery.Status.QUEUED,
        send_at=timezone.now(),
        attempts=0,
    )


# CSV export ---------------------------------------------------------------------------------

CSV_COLUMNS = [
    (gettext_noop("Created"), lambda d: _local(d.created_at)),
    (gettext_noop("Event"), lambda d: d.event.code),
    (gettext_noop("Organisation"), lambda d: d.organisation or ""),
    (gettext_noop("Recipient"), lambda d: d.recipient_name),
    (gettext_noop("Address"), lambda d: d.address),
    (gettext_noop("Channel"), lambda d: d.channel),
    (gettext_noop("Status"), lambda d: d.status),
    (gettext_noop("Reason"), lambda d: d.reason),
    (gettext_noop("Attempts"), lambda d: d.attempts),
    (gettext_noop("Send at"), lambda d: _local(d.send_at)),
    (gettext_noop("Sent"), lambda d: _local(d.sent_at)),
    (gettext_noop("Delivered"), lambda d: _local(d.delivered_at)),
    (gettext_noop("Opened"), lambda d: _local(d.opened_at)),
    (gettext_noop("Provider message id"), lambda d: d.provider_message_id),
    (gettext_noop("Last error"), lambda d: d.last_error),
    (gettext_noop("Subject"), lambda d: d.subject),
]


def csv_header():
    return [_(label) for label, _value in CSV_COLUMNS]


def csv_rows(deliveries):
    """One list of cells per delivery, streamed from the database."""
    for delivery in deliveries.select_related("event", "organisation").iterator(chunk_size=2000):
        yield [_spreadsheet_safe(value(delivery)) for _label, value in CSV_COLUMNS]


def _local(moment):
    if moment is None:
        return ""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def _spreadsheet_safe(value):
    # A subject or a name starting with "=" would run as a formula in Excel (CSV injection).
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


# Suppression list ---------------------------------------------------------------------------


def visible_suppressions(user):
    """Suppressed addresses a manager may see: their people's, and those their messages used.

    The list is global — a bounce blocks an address everywhere — but the
    addresses of another organisation's people are that organisation's data (SPEC P-3).
    """
    suppressions = Suppression.objects.all()
    if user.is_superuser:
        return suppressions
    return suppressions.filter(_known_address(managed_organisations(user)))


def is_known_address(user, address):
    """Whether a manager may put `address` on the suppression list: one of their people's."""
    if user.is_superuser:
        return True
    organisations = managed_organisations(user)
    members = User.objects.filter(_member_of(organisations))
    return (
        members.filter(Q(email=address) | Q(phone=address)).exists()
        or Delivery.objects.filter(organisation__in=organisations, address=address).exists()
    )


def as_e164(text):
    """A phone number as people type it ("06 12 34 56 78") in E.164, or "" when it is not one."""
    try:
        number = phonenumbers.parse(text, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _member_of(organisations):
    return Q(memberships__organisation__in=organisations)


def _known_address(organisations):
    members = User.objects.filter(_member_of(organisations))
    used = Delivery.objects.filter(organisation__in=organisations).values("address")
    return (
        Q(address__in=members.values("email"))
        | Q(address__in=members.exclude(phone="").values("phone"))
        | Q(address__in=used)
    )


def event_label(code):
    """An event's label, or its code when no app declares it any more."""
    try:
        return get_event_type(code).label
    except UnknownEvent:
        return code
