"""What happens to visits, who hears of it, and what the messages say (SPEC V-1 … V-6).

Every event's target is the Visit: one event per change of the visit, so
`notifications.target_moved(visit)` / `target_cancelled(visit)` re-plan or cancel
every reminder of it. Each message is about one visitor (SPEC N-18): the
"visitor" role yields each visitor the event concerns with `About(visitor,
visitor)`, so their context, self check-in link, .ics and conditions are their
own, and their admin page lists them. `data["visitor_ids"]` narrows an event to
some visitors (one invited, one withdrawn, one arrived); without it, every
visitor still invited. Hosts are told of an arrival about that visitor too.
"""

import datetime

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from core import qr
from core.calendar import attachment
from notifications.events import (
    Anchor,
    Condition,
    DefaultRule,
    EventGroup,
    EventType,
    Priority,
    RecipientRole,
    Variable,
    register,
)
from notifications.recipients import About
from visitors import calendar
from visitors.models import Visitor
from visitors.tokens import self_check_in_url

VISITS = EventGroup("visits", _("My visits"))

REMINDER_NOTICE = datetime.timedelta(hours=48)


def visitors_of(visit, event):
    """The visitors an event concerns: those it names, else every one still invited."""
    if "visitor_ids" in event.data:
        return Visitor.objects.filter(visit=visit, pk__in=event.data["visitor_ids"])
    return visit.visitors.filter(removed_at=None)


def visit_and_visitor(obj):
    """(visit, visitor or None) for what a message is about: a Visitor, or the Visit itself."""
    if isinstance(obj, Visitor):
        return obj.visit, obj
    return obj, None


# Who.


def the_visitors(visit, event):
    return (About(visitor, visitor) for visitor in visitors_of(visit, event))


def host(visit, event):
    return [visit.host] if visit.host.is_active else []


def co_hosts(visit, event):
    return visit.co_hosts.filter(is_active=True)


def about_each_visitor(resolve):
    """A hosts' role whose messages are each about one visitor of the event (an arrival)."""

    def resolve_about_visitors(visit, event):
        people = list(resolve(visit, event))
        return (About(person, v) for v in visitors_of(visit, event) for person in people)

    return resolve_about_visitors


VISITOR_ROLE = RecipientRole("visitor", _("The visitor"), the_visitors)
ROLES = [
    VISITOR_ROLE,
    RecipientRole("host", _("Host"), host),
    RecipientRole("co_hosts", _("Co-hosts"), co_hosts),
]
ARRIVAL_ROLES = [
    VISITOR_ROLE,
    RecipientRole("host", _("Host"), about_each_visitor(host)),
    RecipientRole("co_hosts", _("Co-hosts"), about_each_visitor(co_hosts)),
]

# When: reminders hang on these, and only when these hold (checked again at send time).

ANCHORS = [
    Anchor("start", _("Start of the visit"), "start"),
    Anchor("end", _("End of the visit"), "end"),
    Anchor("created", _("Visit created"), "created_at"),
]


def invited_48h_before_start(obj, event):
    """V-3: a reminder 24 h before helps only those invited well ahead (48 h or more)."""
    visit, visitor = visit_and_visitor(obj)
    invited_at = max(visit.created_at, visitor.created_at) if visitor else visit.created_at
    return visit.start - invited_at >= REMINDER_NOTICE


def visitor_expected(obj, event):
    visit, visitor = visit_and_visitor(obj)
    return visitor.is_expected if visitor else visit.is_planned


CONDITIONS = [
    Condition(
        "created_48h_before_start",
        _("Visit (or the visitor's invitation) created at least 48 h before the start"),
        invited_48h_before_start,
    ),
    Condition(
        "visitor_expected",
        _("The visit is still on and the visitor still invited, not arrived yet"),
        visitor_expected,
    ),
]

# What.

START = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.UTC)
VARIABLES = [
    Variable("purpose", _("Purpose"), "Réunion projet Atlas"),
    Variable("start", _("Start"), START),
    Variable("end", _("End"), START + datetime.timedelta(hours=1)),
    Variable("site", _("Site"), "Bâtiment A"),
    Variable("site_address", _("Site address"), "12 rue des Tilleuls, 69003 Lyon"),
    Variable("host_name", _("Host's name"), "Bob Martin"),
    Variable("co_host_names", _("Co-hosts' names"), "Alice Durand"),
    Variable("visitor_name", _("Visitor's name"), "Claire Petit"),
    Variable("visitor_company", _("Visitor's company"), "Atlas SA"),
    Variable(
        "checkin_url",
        _("The visitor's self check-in link"),
        "https://relais.example/visits/check-in/abc/",
    ),
]
CHANGE_VARIABLES = [
    Variable("old_start", _("Previous start"), START - datetime.timedelta(days=1)),
    Variable("old_end", _("Previous end"), START - datetime.timedelta(days=1, hours=-1)),
    Variable("old_site", _("Previous site"), "Bâtiment B"),
]
CHECK_IN_VARIABLES = [
    Variable("checked_in_at", _("Arrival time"), START),
    Variable("check_in_source", _("Checked in by"), "Accueil"),
]


def visit_context(obj, data):
    visit, visitor = visit_and_visitor(obj)
    return {
        "purpose": visit.purpose,
        "start": visit.start,
        "end": visit.end,
        "site": visit.site.name,
        "site_address": visit.site.address,
        "host_name": str(visit.host),
        "co_host_names": ", ".join(str(person) for person in visit.co_hosts.all()),
        "visitor_name": visitor.name if visitor else "",
        "visitor_company": visitor.company if visitor else "",
        "checkin_url": self_check_in_url(visitor) if visitor else "",
    }


def change_context(obj, data):
    visit, _visitor = visit_and_visitor(obj)
    return visit_context(obj, data) | {
        "old_start": parse_datetime(data.get("old_start") or "") or visit.start,
        "old_end": parse_datetime(data.get("old_end") or "") or visit.end,
        "old_site": data.get("old_site") or visit.site.name,
    }


def check_in_context(obj, data):
    _visit, visitor = visit_and_visitor(obj)
    return visit_context(obj, data) | {
        "checked_in_at": visitor.checked_in_at if visitor else None,
        "check_in_source": visitor.get_check_in_source_display() if visitor else "",
    }


def invitation_files(obj, delivery):
    """The visitor's .ics (method matching its METHOD) and, while the visit is on, their QR code."""
    visit, visitor = visit_and_visitor(obj)
    if visitor is None:
        return []
    url = self_check_in_url(visitor)
    method, ics = calendar.invitation(visit, visitor, url)
    files = [attachment(ics, method)]
    if method == calendar.REQUEST:
        files.append(("check-in.png", qr.png(url), "image/png"))
    return files


def visit_link(obj):
    """Where a message leads: the visit's page (a visitor has none of their own)."""
    visit, _visitor = visit_and_visitor(obj)
    return visit.get_absolute_url()


def visit_event(code, label, variables=VARIABLES, context=visit_context, roles=ROLES, **options):
    return register(
        EventType(
            code=code,
            label=label,
            group=VISITS,
            roles=roles,
            variables=variables,
            context=context,
            anchors=ANCHORS,
            conditions=CONDITIONS,
            link=visit_link,
            **options,
        )
    )


def rule(key, name, roles, channels, fr, en, **options):
    """A shipped rule with its French and English wording for each channel."""
    templates = {}
    for channel in channels + [options.get("fallback_channel", "")]:
        if channel:
            templates[(channel, "fr")] = fr
            templates[(channel, "en")] = en
    return DefaultRule(
        key=key, name=name, roles=roles, channels=channels, templates=templates, **options
    )


# One date style per language in every message, the year always given (a visit may be next
# year's): "jeudi 4 mars 2027, de 10:30 à 11:30", "Thursday, March 4, 2027, 10:30 AM to 11:30 AM";
# subjects give the day without the weekday.
DAY_FR, DAY_EN = "j F Y", "F j, Y"
DATE_FR, DATE_EN = "l " + DAY_FR, "l, " + DAY_EN
TIME_FR, TIME_EN = "H:i", "g:i A"


def when_fr(start="start", end="end"):
    return (
        f"{{{{ {start}|date:'{DATE_FR}' }}}}, de {{{{ {start}|time:'{TIME_FR}' }}}} "
        f"à {{{{ {end}|time:'{TIME_FR}' }}}}"
    )


def when_en(start="start", end="end"):
    return (
        f"{{{{ {start}|date:'{DATE_EN}' }}}}, {{{{ {start}|time:'{TIME_EN}' }}}} "
        f"to {{{{ {end}|time:'{TIME_EN}' }}}}"
    )


WHEN_FR, WHEN_EN = when_fr(), when_en()
DAY_FR_SUBJECT = f"{{{{ start|date:'{DAY_FR}' }}}}"
DAY_EN_SUBJECT = f"{{{{ start|date:'{DAY_EN}' }}}}"
WHERE = "{{ site }}{% if site_address %}, {{ site_address }}{% endif %}"
CHECK_IN_FR = (
    "\n\nÀ votre arrivée, enregistrez-vous en un clic (ou montrez le QR code joint "
    "à l’accueil)\u00a0:\n{{ checkin_url }}"
)
CHECK_IN_EN = (
    "\n\nWhen you arrive, check in with one click (or show the attached QR code at "
    "reception):\n{{ checkin_url }}"
)

visit_event(
    "visits.invited",
    _("Visitor invited"),
    attachments=invitation_files,
    default_rules=[
        rule(
            "visits.invited/visitor",
            _("Invite the visitor, with the calendar file"),
            ["visitor"],
            ["email"],
            fr=(
                "Invitation\u00a0: {{ purpose|default:'visite' }} le " + DAY_FR_SUBJECT,
                "Bonjour {{ recipient_name }},\n\n{{ host_name }} vous attend"
                "{% if purpose %} pour «\u00a0{{ purpose }}\u00a0»{% endif %}.\n\n"
                "Quand\u00a0: " + WHEN_FR + "\nOù\u00a0: " + WHERE + CHECK_IN_FR + "\n\n"
                "L’invitation jointe s’ajoute à votre agenda.",
            ),
            en=(
                "Invitation: {{ purpose|default:'visit' }} on " + DAY_EN_SUBJECT,
                "Hello {{ recipient_name }},\n\n{{ host_name }} is expecting you"
                "{% if purpose %} for “{{ purpose }}”{% endif %}.\n\n"
                "When: " + WHEN_EN + "\nWhere: " + WHERE + CHECK_IN_EN + "\n\n"
                "The attached invitation adds the visit to your calendar.",
            ),
        ),
        rule(
            "visits.invited/reminder",
            _("Remind the visitor 24 h before (invited 48 h or more ahead)"),
            ["visitor"],
            ["email"],
            anchor="start",
            offset_minutes=-24 * 60,
            conditions=["created_48h_before_start", "visitor_expected"],
            fr=(
                "Rappel\u00a0: votre visite demain, "
                + DAY_FR_SUBJECT
                + f" à {{{{ start|time:'{TIME_FR}' }}}}",
                "Bonjour {{ recipient_name }},\n\n{{ host_name }} vous attend demain"
                "{% if purpose %} pour «\u00a0{{ purpose }}\u00a0»{% endif %}.\n\n"
                "Quand\u00a0: " + WHEN_FR + "\nOù\u00a0: " + WHERE + CHECK_IN_FR,
            ),
            en=(
                "Reminder: your visit tomorrow, "
                + DAY_EN_SUBJECT
                + f" at {{{{ start|time:'{TIME_EN}' }}}}",
                "Hello {{ recipient_name }},\n\n{{ host_name }} is expecting you tomorrow"
                "{% if purpose %} for “{{ purpose }}”{% endif %}.\n\n"
                "When: " + WHEN_EN + "\nWhere: " + WHERE + CHECK_IN_EN,
            ),
        ),
    ],
)

visit_event(
    "visits.changed",
    _("Visit changed (time or place)"),
    variables=VARIABLES + CHANGE_VARIABLES,
    context=change_context,
    attachments=invitation_files,
    default_rules=[
        rule(
            "visits.changed/visitor",
            _("Tell the visitor, old and new details side by side"),
            ["visitor"],
            ["email"],
            fr=(
                "Visite modifiée\u00a0: {{ purpose|default:'visite' }} le " + DAY_FR_SUBJECT,
                "Bonjour {{ recipient_name }},\n\n{{ host_name }} a modifié votre visite"
                "{% if purpose %} «\u00a0{{ purpose }}\u00a0»{% endif %}.\n\n"
                "Avant\u00a0: " + when_fr("old_start", "old_end") + " — {{ old_site }}\n"
                "Maintenant\u00a0: " + WHEN_FR + " — " + WHERE + CHECK_IN_FR + "\n\n"
                "L’invitation jointe met à jour votre agenda.",
            ),
            en=(
                "Visit changed: {{ purpose|default:'visit' }} on " + DAY_EN_SUBJECT,
                "Hello {{ recipient_name }},\n\n{{ host_name }} changed your visit"
                "{% if purpose %} “{{ purpose }}”{% endif %}.\n\n"
                "Before: " + when_en("old_start", "old_end") + " — {{ old_site }}\n"
                "Now: " + WHEN_EN + " — " + WHERE + CHECK_IN_EN + "\n\n"
                "The attached invitation updates your calendar.",
            ),
        )
    ],
)

visit_event(
    "visits.cancelled",
    _("Visit cancelled (or the visitor's invitation withdrawn)"),
    attachments=invitation_files,
    default_rules=[
        rule(
            "visits.cancelled/visitor",
            _("Tell the visitor the visit is off"),
            ["visitor"],
            ["email"],
            fr=(
                "Visite annulée\u00a0: {{ purpose|default:'visite' }} le " + DAY_FR_SUBJECT,
                "Bonjour {{ recipient_name }},\n\nVotre visite"
                "{% if purpose %} «\u00a0{{ purpose }}\u00a0»{% endif %} avec {{ host_name }}, "
                "prévue le " + WHEN_FR + " ({{ site }}), est annulée.\n\n"
                "Le fichier joint la retire de votre agenda.",
            ),
            en=(
                "Visit cancelled: {{ purpose|default:'visit' }} on " + DAY_EN_SUBJECT,
                "Hello {{ recipient_name }},\n\nYour visit"
                "{% if purpose %} “{{ purpose }}”{% endif %} with {{ host_name }}, planned for "
                + WHEN_EN
                + " ({{ site }}), is cancelled.\n\n"
                "The attached file removes it from your calendar.",
            ),
        )
    ],
)

visit_event(
    "visits.checked_in",
    _("Visitor checked in"),
    variables=VARIABLES + CHECK_IN_VARIABLES,
    context=check_in_context,
    roles=ARRIVAL_ROLES,
    priority=Priority.HIGH,
    default_rules=[
        rule(
            "visits.checked_in/hosts",
            _("Tell the host and co-hosts their visitor has arrived"),
            ["host", "co_hosts"],
            ["push", "email"],
            fallback_channel="inapp",
            fr=(
                # "Arrivée de …": no "arrivé(e)", whoever the visitor is.
                "Arrivée de {{ visitor_name }}",
                "Arrivée de {{ visitor_name }}{% if visitor_company %} ({{ visitor_company }})"
                "{% endif %} à {{ checked_in_at|time:'H:i' }} — {{ site }}"
                " ({{ check_in_source }}).{% if purpose %}\nVisite\u00a0: {{ purpose }}{% endif %}"
                "\n\n{{ link }}",
            ),
            en=(
                "{{ visitor_name }} has arrived",
                "{{ visitor_name }}{% if visitor_company %} ({{ visitor_company }}){% endif %} "
                "arrived at {{ checked_in_at|time:'g:i A' }} — {{ site }}"
                " ({{ check_in_source }}).{% if purpose %}\nVisit: {{ purpose }}{% endif %}"
                "\n\n{{ link }}",
            ),
        )
    ],
)

visit_event(
    "visits.not_checked_out",
    _("Visitor not checked out by the end of the day"),
    variables=VARIABLES + CHECK_IN_VARIABLES,
    context=check_in_context,
    roles=ARRIVAL_ROLES,
    default_rules=[
        rule(
            "visits.not_checked_out/host",
            _("Tell the host a visitor is still checked in"),
            ["host"],
            ["email", "inapp"],
            fr=(
                "Sortie non enregistrée\u00a0: {{ visitor_name }}",
                "{{ visitor_name }}{% if visitor_company %} ({{ visitor_company }}){% endif %}"
                "\u00a0: arrivée enregistrée à {{ checked_in_at|time:'H:i' }} ({{ site }}), "
                "mais aucune sortie aujourd’hui. Merci de vérifier avec l’accueil."
                "\n\n{{ link }}",
            ),
            en=(
                "{{ visitor_name }} has not checked out",
                "{{ visitor_name }}{% if visitor_company %} ({{ visitor_company }}){% endif %}, "
                "who arrived at {{ checked_in_at|time:'g:i A' }} ({{ site }}), was not checked "
                "out today. Please check with reception.\n\n{{ link }}",
            ),
        )
    ],
)
