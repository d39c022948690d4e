"""Waitlists' messages (SPEC B-12): a freed slot offered with its claim link and deadline
(by email, and by text to whoever agreed to texts), and the offer that ran out — their
target is the offer, their reader the person waiting; then the booking waiting that got
the slot: OpenFlyers' "modification", the state before and the state now.

Texts are written in GSM-7 where French allows: no elision and no colon in French, since
the typographic apostrophe and the no-break space French needs would make the whole text
UCS-2, 70 characters a segment and twice the money."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

import bookings.events.texts as t
from bookings import links
from bookings.events.appointments import (
    APPOINTMENTS,
    CLIENT_ROLES,
    OLD_EN,
    OLD_FR,
    PAY_EN,
    PAY_FR,
    VARIABLES_OF_APPOINTMENTS,
    WHEN_EN,
    WHEN_FR,
    appointment_context,
    appointment_event,
    client_rule,
    staff_rule,
)
from bookings.events.context import HOUR, START
from bookings.events.declaring import rule
from bookings.models import Booking
from bookings.models.waitlists import WAITLIST_STATE
from notifications.events import EventType, Priority, RecipientRole, Variable, register
from notifications.recipients import Recipient


def waiting_client(offer, event):
    entry = offer.entry
    return [
        Recipient(
            key=f"bookings.waitlistentry:{entry.pk}",
            name=entry.name,
            email=entry.email,
            phone=entry.phone if entry.texts_allowed() else "",
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


def sms_when_fr(name):
    return f"{{{{ {name}|date:'{t.DAY_FR}' }}}} à {{{{ {name}|time:'{t.TIME_FR}' }}}}"


def sms_when_en(name):
    return f"{{{{ {name}|date:'{t.DAY_EN}' }}}} at {{{{ {name}|time:'{t.TIME_EN}' }}}}"


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
        ),
        # Its own rule, so that an install that has the email rule gets this one too.
        rule(
            "bookings.waitlist_offered/client_sms",
            _("Offer the slot by text too, to a client who agreed to texts (B-12)"),
            ["waiting_client"],
            ["sms"],
            (
                "",
                "{{ organisation }} - créneau libre pour {{ service }} le "
                + sms_when_fr("start")
                + ". Réservez-le avant le "
                + sms_when_fr("claim_by")
                + " sur {{ claim_url }}",
            ),
            (
                "",
                "{{ organisation }} - a slot is free for {{ service }} on "
                + sms_when_en("start")
                + ". Book it before "
                + sms_when_en("claim_by")
                + ": {{ claim_url }}",
            ),
        ),
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


# A booking waiting confirmed because someone withdrew (OpenFlyers: "also sent in the case
# of overbooking, when a booking waiting is confirmed after another user's withdrawal on the
# same slot"): the modification message, the state and time before and now, with the .ics.

STATES = {
    WAITLIST_STATE: pgettext_lazy("appointment", "on the waitlist"),
    Booking.Status.CONFIRMED: pgettext_lazy("appointment", "confirmed"),
    Booking.Status.AWAITING_PAYMENT: pgettext_lazy("appointment", "awaiting payment"),
}


def _state(code):
    return str(STATES.get(code, ""))


def promotion_context(obj, data):
    return appointment_context(obj, data) | {
        "old_state": _state(data.get("old_state")),
        "new_state": _state(data.get("new_state")),
    }


BEFORE_NOW_FR = (
    "Avant\u00a0: {{ old_state }}, le "
    + OLD_FR
    + "\nMaintenant\u00a0: {{ new_state }}, le "
    + WHEN_FR
)
BEFORE_NOW_EN = "Before: {{ old_state }}, on " + OLD_EN + "\nNow: {{ new_state }}, on " + WHEN_EN
code = "bookings.appointment_promoted"
appointment_event(
    code,
    _("Waiting appointment confirmed after a withdrawal (modification)"),
    CLIENT_ROLES,
    variables=[
        *VARIABLES_OF_APPOINTMENTS,
        Variable("old_state", _("State before"), "sur liste d’attente"),
        Variable("new_state", _("State now"), "confirmé"),
    ],
    context=promotion_context,
    priority=Priority.HIGH,
    rules=[
        client_rule(
            code,
            "Une place s’est libérée\u00a0: votre rendez-vous est modifié.\n\n" + BEFORE_NOW_FR,
            "A place has freed up: your appointment is changed.\n\n" + BEFORE_NOW_EN,
            "Modification de votre rendez-vous",
            "Your appointment is changed",
            sms=(
                "{{ organisation }} - une place est libre, votre rendez-vous en attente du "
                + sms_when_fr("start")
                + " ({{ service }}) {% if pay_url %}vous est réservé, à payer avant le "
                + sms_when_fr("pay_by")
                + " sur {{ pay_url }}{% else %}est confirmé. Modifier ou annuler sur "
                "{{ manage_url }}{% endif %}",
                "{{ organisation }} - a place freed up: your waiting appointment on "
                + sms_when_en("start")
                + " ({{ service }}) {% if pay_url %}is yours, to pay before "
                + sms_when_en("pay_by")
                + ": {{ pay_url }}{% else %}is confirmed. Move or cancel: {{ manage_url }}"
                "{% endif %}",
            ),
            extra=(PAY_FR + "\n\n" + t.ICS_FR, PAY_EN + "\n\n" + t.ICS_EN),
        ),
        *staff_rule(
            code,
            "{{ client_name }} a obtenu ce créneau depuis la liste d’attente\u00a0: une place "
            "s’était libérée.",
            "{{ client_name }} got this slot from the waitlist: a place had freed up.",
            "Nouveau rendez-vous (liste d’attente)",
            "New appointment (waitlist)",
        ),
    ],
)
del code
