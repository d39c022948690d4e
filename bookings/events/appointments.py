"""Appointments' events and the rules a fresh install carries (SPEC B-9, B-10, B-11, B-17).

Agendize's three recipient groups: the client (`booker`: an account or not), the staff
member whose agenda it is, and the owner & manager (`owner_managers`: the contacts typed
on the organisation's appointment page, else its managers). Booked online and booked
from the back office, moved or cancelled by the client or by the back office: each is
its own event, with its own rules. Every client message carries the signed manage link.
"""

from django.utils.translation import gettext_lazy as _

import bookings.events.texts as t
from bookings import links
from bookings.events.context import (
    HOUR,
    MOVE_VARIABLES,
    START,
    VARIABLES,
    booking_of,
    move_context,
    participant_of,
)
from bookings.events.declaring import booking_event
from bookings.models import Booking
from core.money import money
from notifications.events import DefaultRule, EventGroup, Priority, Variable

APPOINTMENTS = EventGroup("appointments", _("My appointments"))

VARIABLES_OF_APPOINTMENTS = [
    *VARIABLES,
    *MOVE_VARIABLES,
    Variable("service", _("Service"), "Coupe et brushing"),
    Variable("staff_name", _("Staff member"), "Léa Martin"),
    Variable("client_name", _("Client's name"), "Alice Durand"),
    Variable("client_email", _("Client's email"), "alice@example.fr"),
    Variable("client_phone", _("Client's phone"), "+33612345678"),
    Variable("price", _("Price"), "45,00\u00a0€"),
    Variable("manage_url", _("Client's link to move or cancel"), "https://relais.example/rdv/g/x/"),
    Variable("review_url", _("Client's review link"), "https://relais.example/rdv/avis/x/"),
    Variable(
        "confirm_sms_url", _("Client's link to confirm texts"), "https://relais.example/rdv/sms/x/"
    ),
    Variable("pay_by", _("Pay before (confirmed by payment)"), START - 23 * HOUR),
]


def appointment_context(obj, data):
    booking = booking_of(obj)
    appointment = booking.appointment
    reader = participant_of(obj)
    is_client = reader is not None and reader.is_booker
    client = booking.participants.filter(is_booker=True).first()
    staff = booking.resource.staff_member
    awaiting_payment = booking.status == Booking.Status.AWAITING_PAYMENT
    return move_context(obj, data) | {
        "service": appointment.service.name,
        "staff_name": str(staff or booking.resource),
        "end": appointment.ends,
        "client_name": str(client or ""),
        "client_email": client.email if client else "",
        "client_phone": client.phone if client else "",
        "price": money(appointment.price, appointment.service.currency)
        if appointment.price
        else "",
        "manage_url": links.manage_url(booking) if is_client and booking.is_active else "",
        "review_url": links.review_url(booking)
        if is_client and booking.status == Booking.Status.COMPLETED
        else "",
        "confirm_sms_url": links.confirm_sms_url(client)
        if is_client and client.phone and not client.texts_allowed()
        else "",
        # A client without an account pays from their own page (B-11).
        "pay_url": links.manage_url(booking) if is_client and awaiting_payment else "",
        "pay_by": booking.pay_by,
    }


WHEN_FR = f"{{{{ start|date:'{t.DATE_FR}' }}}} à {{{{ start|time:'{t.TIME_FR}' }}}}"
WHEN_EN = f"{{{{ start|date:'{t.DATE_EN}' }}}} at {{{{ start|time:'{t.TIME_EN}' }}}}"
OLD_FR = f"{{{{ old_start|date:'{t.DATE_FR}' }}}} à {{{{ old_start|time:'{t.TIME_FR}' }}}}"
OLD_EN = f"{{{{ old_start|date:'{t.DATE_EN}' }}}} at {{{{ old_start|time:'{t.TIME_EN}' }}}}"
FACTS_FR = (
    "Prestation\u00a0: {{ service }} avec {{ staff_name }}\nQuand\u00a0: "
    + WHEN_FR
    + "\nOù\u00a0: {{ site }}{% if site_address %}, {{ site_address }}{% endif %}"
    + "{% if price %}\nPrix\u00a0: {{ price }}{% endif %}"
)
FACTS_EN = (
    "Service: {{ service }} with {{ staff_name }}\nWhen: "
    + WHEN_EN
    + "\nWhere: {{ site }}{% if site_address %}, {{ site_address }}{% endif %}"
    + "{% if price %}\nPrice: {{ price }}{% endif %}"
)
CLIENT_FACTS_FR = "{{ client_name }}{% if client_phone %}, {{ client_phone }}{% endif %}"
MANAGE_FR = "{% if manage_url %}Déplacer ou annuler\u00a0: {{ manage_url }}{% endif %}"
MANAGE_EN = "{% if manage_url %}Move or cancel: {{ manage_url }}{% endif %}"
WHY_CLIENT_FR = "Vous recevez ce message car ce rendez-vous est à votre nom."
WHY_CLIENT_EN = "You receive this message because this appointment is in your name."
WHY_STAFF_FR = "Vous recevez ce message car ce rendez-vous est dans votre agenda."
WHY_STAFF_EN = "You receive this message because this appointment is in your agenda."
WHY_MANAGER_FR = "Vous recevez ce message en tant que responsable des rendez-vous."
WHY_MANAGER_EN = "You receive this message as the person in charge of appointments."
SMS_FR = "{{ organisation }}\u00a0: "
SMS_EN = "{{ organisation }}: "


def appointment_rule(key, name, roles, fr, en, sms=None, channels=("email",), **options):
    """A shipped rule: (subject, text) per language by email, and a short text by SMS
    when `sms` gives one per language (fr, en)."""
    templates = {("email", "fr"): fr, ("email", "en"): en}
    channels = list(channels)
    if sms:
        channels.append("sms")
        templates[("sms", "fr")], templates[("sms", "en")] = ("", sms[0]), ("", sms[1])
    return DefaultRule(
        key=key, name=name, roles=roles, channels=channels, templates=templates, **options
    )


def appointment_event(code, label, roles, rules, **options):
    return booking_event(
        code,
        label,
        roles,
        rules,
        variables=options.pop("variables", VARIABLES_OF_APPOINTMENTS),
        context=options.pop("context", appointment_context),
        group=options.pop("group", APPOINTMENTS),
        staff_member=lambda booking: booking.resource.staff_member,
        **options,
    )


def client_rule(code, what_fr, what_en, subject_fr, subject_en, sms=None, extra=("", "")):
    return appointment_rule(
        f"{code}/client",
        _("Tell the client"),
        ["booker"],
        (
            subject_fr + "\u00a0: {{ service }} le " + WHEN_FR,
            t.hello_fr(what_fr, FACTS_FR, extra[0], MANAGE_FR, WHY_CLIENT_FR),
        ),
        (
            subject_en + ": {{ service }} on " + WHEN_EN,
            t.hello_en(what_en, FACTS_EN, extra[1], MANAGE_EN, WHY_CLIENT_EN),
        ),
        sms=sms,
        sender_mode="staff",  # Agendize: the client answers their staff member
    )


def staff_rule(code, what_fr, what_en, subject_fr, subject_en, roles=("staff_member",)):
    """B-17: the staff member's alert (and the owner & manager's, by email and SMS)."""
    return [
        appointment_rule(
            f"{code}/staff",
            _("Alert the staff member (B-17)"),
            list(roles),
            (
                subject_fr + "\u00a0: {{ client_name }}, " + WHEN_FR,
                t.hello_fr(what_fr, FACTS_FR, "Client\u00a0: " + CLIENT_FACTS_FR, WHY_STAFF_FR),
            ),
            (
                subject_en + ": {{ client_name }}, " + WHEN_EN,
                t.hello_en(what_en, FACTS_EN, "Client: " + CLIENT_FACTS_FR, WHY_STAFF_EN),
            ),
        ),
        appointment_rule(
            f"{code}/managers",
            _("Alert the owner & manager (B-17)"),
            ["owner_managers"],
            (
                subject_fr + "\u00a0: {{ client_name }} avec {{ staff_name }}, " + WHEN_FR,
                t.hello_fr(what_fr, FACTS_FR, "Client\u00a0: " + CLIENT_FACTS_FR, WHY_MANAGER_FR),
            ),
            (
                subject_en + ": {{ client_name }} with {{ staff_name }}, " + WHEN_EN,
                t.hello_en(what_en, FACTS_EN, "Client: " + CLIENT_FACTS_FR, WHY_MANAGER_EN),
            ),
            sms=(
                SMS_FR + subject_fr + ", {{ client_name }} avec {{ staff_name }}, " + WHEN_FR,
                SMS_EN + subject_en + ", {{ client_name }} with {{ staff_name }}, " + WHEN_EN,
            ),
            channels=("email",),
        ),
    ]


PAY_BY_FR = f"{{{{ pay_by|date:'{t.DATE_FR}' }}}} à {{{{ pay_by|time:'{t.TIME_FR}' }}}}"
PAY_BY_EN = f"{{{{ pay_by|date:'{t.DATE_EN}' }}}} at {{{{ pay_by|time:'{t.TIME_EN}' }}}}"
PAY_FR = (
    "{% if pay_url %}Votre rendez-vous sera confirmé dès réception de votre paiement de "
    "{{ price }}, à régler "
    "avant le " + PAY_BY_FR + "\u00a0; sans lui, le créneau sera libéré.\n"
    "Payer\u00a0: {{ pay_url }}{% endif %}"
)
PAY_EN = (
    "{% if pay_url %}Your appointment will be confirmed once your payment of {{ price }} is "
    "received, "
    "before " + PAY_BY_EN + "; without it, the slot will be released.\n"
    "Pay: {{ pay_url }}{% endif %}"
)
CLIENT_ROLES = ["booker", "staff_member", "owner_managers"]
SMS_BOOKED = (
    SMS_FR
    + "rendez-vous confirmé le "
    + WHEN_FR
    + " ({{ service }}). Gérer\u00a0: {{ manage_url }}",
    SMS_EN + "appointment confirmed on " + WHEN_EN + " ({{ service }}). Manage: {{ manage_url }}",
)

# Booked on the public page, and booked from the back office: distinct events (B-2, B-17).

code = "bookings.appointment_booked_online"
appointment_event(
    code,
    _("Appointment booked online by the client"),
    CLIENT_ROLES,
    priority=Priority.HIGH,
    rules=[
        client_rule(
            code,
            "Votre rendez-vous est confirmé. Le fichier joint l’ajoute à votre agenda.",
            "Your appointment is confirmed. The attached file adds it to your calendar.",
            "Rendez-vous confirmé",
            "Appointment confirmed",
            sms=SMS_BOOKED,
        ),
        *staff_rule(
            code,
            "{{ client_name }} a pris rendez-vous en ligne.",
            "{{ client_name }} booked an appointment online.",
            "Nouveau rendez-vous",
            "New appointment",
        ),
    ],
)

code = "bookings.appointment_booked_by_back_office"
appointment_event(
    code,
    _("Appointment booked from the back office"),
    CLIENT_ROLES,
    priority=Priority.HIGH,
    rules=[
        client_rule(
            code,
            "{{ actor_name|default:organisation }} a enregistré votre rendez-vous. Le fichier "
            "joint l’ajoute à votre agenda.",
            "{{ actor_name|default:organisation }} booked your appointment. The attached file "
            "adds it to your calendar.",
            "Rendez-vous confirmé",
            "Appointment confirmed",
            sms=SMS_BOOKED,
        ),
        *staff_rule(
            code,
            "{{ actor_name }} a pris un rendez-vous pour {{ client_name }}.",
            "{{ actor_name }} booked an appointment for {{ client_name }}.",
            "Nouveau rendez-vous (back-office)",
            "New appointment (back office)",
        ),
    ],
)

# B-11: manual acceptance.

code = "bookings.appointment_requested"
appointment_event(
    code,
    _("Appointment requested: waiting for acceptance"),
    ["booker", "approvers", "owner_managers"],
    priority=Priority.HIGH,
    rules=[
        client_rule(
            code,
            "Nous avons bien reçu votre demande de rendez-vous. Elle n’est pas encore "
            "confirmée\u00a0: vous recevrez un message dès qu’elle sera acceptée ou refusée.",
            "We have received your appointment request. It is not confirmed yet: you will "
            "hear from us as soon as it is accepted or refused.",
            "Demande de rendez-vous reçue",
            "Appointment request received",
        ),
        *staff_rule(
            code,
            "{{ client_name }} demande un rendez-vous, à accepter ou refuser."
            "{% if approve_url %}\n\nAccepter\u00a0: {{ approve_url }}\nRefuser\u00a0: "
            "{{ reject_url }}{% endif %}",
            "{{ client_name }} requests an appointment, to accept or refuse."
            "{% if approve_url %}\n\nAccept: {{ approve_url }}\n"
            "Refuse: {{ reject_url }}{% endif %}",
            "Demande de rendez-vous",
            "Appointment request",
            roles=("approvers",),
        ),
    ],
)

code = "bookings.appointment_accepted"
appointment_event(
    code,
    _("Appointment request accepted"),
    ["booker", "staff_member"],
    rules=[
        client_rule(
            code,
            "Votre demande de rendez-vous est acceptée. Le fichier joint l’ajoute à votre agenda.",
            "Your appointment request is accepted. The attached file adds it to your calendar.",
            "Rendez-vous accepté",
            "Appointment accepted",
            sms=(
                "{% if pay_url %}" + SMS_FR + "rendez-vous accepté le " + WHEN_FR + ", à payer "
                "avant le "
                + PAY_BY_FR
                + "\u00a0: {{ pay_url }}{% else %}"
                + SMS_BOOKED[0]
                + "{% endif %}",
                "{% if pay_url %}" + SMS_EN + "appointment accepted on " + WHEN_EN + ", to pay "
                "before " + PAY_BY_EN + ": {{ pay_url }}{% else %}" + SMS_BOOKED[1] + "{% endif %}",
            ),
            extra=(PAY_FR, PAY_EN),
        )
    ],
)

code = "bookings.appointment_refused"
REASON_FR = "{% if decision_note %}Motif\u00a0: {{ decision_note }}{% endif %}"
REASON_EN = "{% if decision_note %}Reason: {{ decision_note }}{% endif %}"
appointment_event(
    code,
    _("Appointment request refused"),
    ["booker", "owner_managers"],
    rules=[
        client_rule(
            code,
            "Nous sommes désolés\u00a0: votre demande de rendez-vous ne peut pas être acceptée.",
            "We are sorry: your appointment request cannot be accepted.",
            "Demande de rendez-vous refusée",
            "Appointment request refused",
            extra=(REASON_FR, REASON_EN),
        ),
        staff_rule(
            code,
            "{{ actor_name }} a refusé la demande de {{ client_name }}.\n" + REASON_FR,
            "{{ actor_name }} refused {{ client_name }}'s request.\n" + REASON_EN,
            "Demande refusée",
            "Request refused",
        )[1],
    ],
)

# B-9 (Agendize): two reminders; a manager sets their offsets, channels and recipients
# (the staff member too) on the rules. They hang on the appointment's confirmation.


def reminder(number, minutes, label):
    return appointment_rule(
        f"bookings.appointment_confirmed/reminder_{number}",
        label,
        ["booker"],
        (
            "Rappel\u00a0: votre rendez-vous le " + WHEN_FR,
            t.hello_fr(
                "Nous vous rappelons votre rendez-vous.", FACTS_FR, MANAGE_FR, WHY_CLIENT_FR
            ),
        ),
        (
            "Reminder: your appointment on " + WHEN_EN,
            t.hello_en(
                "This is a reminder of your appointment.", FACTS_EN, MANAGE_EN, WHY_CLIENT_EN
            ),
        ),
        sms=(
            SMS_FR
            + "rappel de votre rendez-vous le "
            + WHEN_FR
            + ". Gérer\u00a0: {{ manage_url }}",
            SMS_EN + "reminder of your appointment on " + WHEN_EN + ". Manage: {{ manage_url }}",
        ),
        sender_mode="staff",
        anchor="start",
        offset_minutes=-minutes,
        offset_unit="hours",
        conditions=["confirmed"],
    )


appointment_event(
    "bookings.appointment_confirmed",
    _("Appointment confirmed (its reminders)"),
    ["booker", "staff_member"],
    notify_actor=False,
    rules=[
        reminder(1, 24 * 60, _("First reminder to the client, 24 h before (B-9)")),
        reminder(2, 2 * 60, _("Second reminder to the client, 2 h before (B-9)")),
    ],
)

# Moved and cancelled, by the client or by the back office (B-6, B-7, B-17).

for code, by_client in [
    ("bookings.appointment_moved_by_client", True),
    ("bookings.appointment_moved_by_back_office", False),
]:
    appointment_event(
        code,
        _("Appointment moved by the client")
        if by_client
        else _("Appointment moved by the back office"),
        CLIENT_ROLES,
        rules=[
            client_rule(
                code,
                (
                    "Votre rendez-vous est déplacé."
                    if by_client
                    else "{{ actor_name|default:organisation }} a déplacé votre rendez-vous."
                )
                + " Il était prévu le "
                + OLD_FR
                + ". Le fichier joint met votre agenda à jour.",
                (
                    "Your appointment is moved."
                    if by_client
                    else "{{ actor_name|default:organisation }} moved your appointment."
                )
                + " It was planned on "
                + OLD_EN
                + ". The attached file updates your calendar.",
                "Rendez-vous déplacé",
                "Appointment moved",
                sms=(
                    SMS_FR + "rendez-vous déplacé au " + WHEN_FR + " (au lieu du " + OLD_FR + ").",
                    SMS_EN + "appointment moved to " + WHEN_EN + " (was " + OLD_EN + ").",
                ),
            ),
            *staff_rule(
                code,
                (
                    "{{ client_name }} a déplacé son rendez-vous"
                    if by_client
                    else "{{ actor_name }} a déplacé le rendez-vous de {{ client_name }}"
                )
                + " (prévu le "
                + OLD_FR
                + ").",
                (
                    "{{ client_name }} moved their appointment"
                    if by_client
                    else "{{ actor_name }} moved {{ client_name }}'s appointment"
                )
                + " (planned on "
                + OLD_EN
                + ").",
                "Rendez-vous déplacé",
                "Appointment moved",
            ),
        ],
    )

for code, by_client in [
    ("bookings.appointment_cancelled_by_client", True),
    ("bookings.appointment_cancelled_by_back_office", False),
]:
    appointment_event(
        code,
        _("Appointment cancelled by the client")
        if by_client
        else _("Appointment cancelled by the back office"),
        CLIENT_ROLES,
        rules=[
            client_rule(
                code,
                (
                    "Votre rendez-vous est annulé."
                    if by_client
                    else "{{ actor_name|default:organisation }} a annulé votre rendez-vous."
                )
                + " Le fichier joint le retire de votre agenda.",
                (
                    "Your appointment is cancelled."
                    if by_client
                    else "{{ actor_name|default:organisation }} cancelled your appointment."
                )
                + " The attached file removes it from your calendar.",
                "Rendez-vous annulé",
                "Appointment cancelled",
                sms=(
                    SMS_FR + "votre rendez-vous du " + WHEN_FR + " est annulé.",
                    SMS_EN + "your appointment on " + WHEN_EN + " is cancelled.",
                ),
            ),
            *staff_rule(
                code,
                "{{ client_name }} a annulé son rendez-vous."
                if by_client
                else "{{ actor_name }} a annulé le rendez-vous de {{ client_name }}.",
                "{{ client_name }} cancelled their appointment."
                if by_client
                else "{{ actor_name }} cancelled {{ client_name }}'s appointment.",
                "Rendez-vous annulé",
                "Appointment cancelled",
            ),
        ],
    )

# B-10: after the appointment.

code = "bookings.appointment_completed"
appointment_event(
    code,
    _("Appointment completed: thank-you and review request"),
    ["booker"],
    notify_actor=False,
    rules=[
        client_rule(
            code,
            "Merci de votre visite\u00a0! Votre avis nous aide\u00a0: deux clics suffisent.",
            "Thank you for your visit! Your review helps us: two clicks are enough.",
            "Merci de votre visite",
            "Thank you for your visit",
            extra=(
                "{% if review_url %}Donner votre avis\u00a0: {{ review_url }}{% endif %}",
                "{% if review_url %}Leave a review: {{ review_url }}{% endif %}",
            ),
        )
    ],
)

code = "bookings.appointment_no_show"
appointment_event(
    code,
    _("Client did not come (no-show)"),
    ["booker", "owner_managers"],
    notify_actor=False,
    rules=[
        client_rule(
            code,
            "Nous vous attendions, mais vous n’êtes pas venu à votre rendez-vous. Si c’est une "
            "erreur, répondez-nous\u00a0; sinon, pensez à annuler la prochaine fois.",
            "We were expecting you, but you did not come to your appointment. If this is a "
            "mistake, tell us; otherwise, please cancel next time.",
            "Rendez-vous manqué",
            "Missed appointment",
        )
    ],
)

# The client's number over the page's limits (SMS pumping): texts wait for this email.

code = "bookings.appointment_sms_confirmation"
appointment_event(
    code,
    _("Client asked to confirm their number by email before any text"),
    ["booker"],
    mandatory=True,
    rules=[
        appointment_rule(
            f"{code}/client",
            _("Ask the client to confirm their number"),
            ["booker"],
            (
                "Confirmez votre numéro pour recevoir nos SMS",
                t.hello_fr(
                    "Vous avez demandé à recevoir par SMS les messages de votre rendez-vous "
                    "({{ service }}, " + WHEN_FR + "). Pour protéger votre numéro, confirmez-le "
                    "d’abord\u00a0: {{ confirm_sms_url }}",
                    "Si vous n’êtes pas à l’origine de cette demande, ignorez ce message.",
                ),
            ),
            (
                "Confirm your number to get our texts",
                t.hello_en(
                    "You asked to receive your appointment's messages by text ({{ service }}, "
                    + WHEN_EN
                    + "). To protect your number, please confirm it first: {{ confirm_sms_url }}",
                    "If you did not ask for this, ignore this message.",
                ),
            ),
        )
    ],
)
del code
