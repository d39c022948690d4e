"""Waitlists' messages (SPEC B-12): a freed slot offered with its claim link and deadline,
and the offer that ran out. The target is the offer; its reader, the person waiting."""

from django.utils.translation import gettext_lazy as _

import bookings.events.texts as t
from bookings import links
from bookings.events.appointments import APPOINTMENTS, WHEN_EN, WHEN_FR
from bookings.events.context import HOUR, START
from bookings.events.declaring import rule
from notifications.events import EventType, Priority, RecipientRole, Variable, register
from notifications.recipients import Recipient


def waiting_client(offer, event):
    entry = offer.entry
    return [
        Recipient(
            key=f"bookings.waitlistentry:{entry.pk}",
            name=entry.name,
            email=entry.email,
            language=entry.language,
            time_zone=str(offer.hold.zone),
        )
    ]


VARIABLES = [
    Variable("service", _("Service"), "Coupe"),
    Variable("staff_name", _("Staff member"), "Léa Martin"),
    Variable("start", _("Start"), START),
    Variable("claim_by", _("Claim before"), START - 20 * HOUR),
    Variable("claim_url", _("Claim link"), "https://relais.example/bookings/rdv/attente/x/"),
]


def context(offer, data):
    hold = offer.hold
    return {
        "service": hold.appointment.service.name,
        "staff_name": str(hold.resource.staff_member or hold.resource),
        "start": hold.start,
        "claim_by": offer.expires_at,
        "claim_url": links.claim_url(offer) if offer.status == offer.Status.LIVE else "",
    }


CLAIM_BY_FR = f"{{{{ claim_by|date:'{t.DATE_FR}' }}}} à {{{{ claim_by|time:'{t.TIME_FR}' }}}}"
CLAIM_BY_EN = f"{{{{ claim_by|date:'{t.DATE_EN}' }}}} at {{{{ claim_by|time:'{t.TIME_EN}' }}}}"
ROLES = [RecipientRole("waiting_client", _("The client waiting"), waiting_client)]


def waitlist_event(code, label, rules, priority=Priority.DEFAULT):
    return register(
        EventType(
            code=code,
            label=label,
            group=APPOINTMENTS,
            roles=ROLES,
            variables=VARIABLES,
            context=context,
            priority=priority,
            link=lambda offer: "",
            default_rules=rules,
        )
    )


waitlist_event(
    "bookings.waitlist_offered",
    _("Waitlist: a freed slot offered to the next person"),
    priority=Priority.HIGH,
    rules=[
        rule(
            "bookings.waitlist_offered/client",
            _("Offer the slot to the client waiting (B-12)"),
            ["waiting_client"],
            ["email"],
            (
                "Un créneau s’est libéré\u00a0: {{ service }} le " + WHEN_FR,
                t.body(
                    [
                        "Bonjour {{ recipient_name }},",
                        "Bonne nouvelle\u00a0: le créneau que vous attendiez s’est libéré. Nous "
                        "le gardons pour vous jusqu’au " + CLAIM_BY_FR + ".",
                        "{{ service }} avec {{ staff_name }}, le " + WHEN_FR + ".",
                        "Le réserver\u00a0: {{ claim_url }}",
                        "Passé ce délai, il sera proposé à la personne suivante. Vous recevez ce "
                        "message car vous êtes sur la liste d’attente.",
                    ]
                ),
            ),
            (
                "A slot is free: {{ service }} on " + WHEN_EN,
                t.body(
                    [
                        "Hello {{ recipient_name }},",
                        "Good news: the slot you were waiting for is free. We hold it for you "
                        "until " + CLAIM_BY_EN + ".",
                        "{{ service }} with {{ staff_name }}, on " + WHEN_EN + ".",
                        "Book it: {{ claim_url }}",
                        "After that, it goes to the next person. You receive this message "
                        "because you are on the waitlist.",
                    ]
                ),
            ),
        )
    ],
)

waitlist_event(
    "bookings.waitlist_expired",
    _("Waitlist: an offer ran out unclaimed"),
    rules=[
        rule(
            "bookings.waitlist_expired/client",
            _("Tell the client their offer ran out (B-12)"),
            ["waiting_client"],
            ["email"],
            (
                "Créneau non réservé\u00a0: {{ service }} le " + WHEN_FR,
                t.body(
                    [
                        "Bonjour {{ recipient_name }},",
                        "Le créneau du " + WHEN_FR + " n’a pas été réservé à temps\u00a0: il est "
                        "proposé à la personne suivante sur la liste d’attente.",
                    ]
                ),
            ),
            (
                "Slot not booked: {{ service }} on " + WHEN_EN,
                t.body(
                    [
                        "Hello {{ recipient_name }},",
                        "The slot on " + WHEN_EN + " was not booked in time: it goes to the next "
                        "person on the waitlist.",
                    ]
                ),
            ),
        )
    ],
)
