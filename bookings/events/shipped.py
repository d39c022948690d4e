"""The events of bookings and the rules a fresh install carries, in French and English."""

from django.utils.translation import gettext_lazy as _

import bookings.events.texts as t
from bookings.events.context import (
    ADD_ON_VARIABLES,
    BALANCE_VARIABLES,
    DIGEST_VARIABLES,
    MAINTENANCE_VARIABLES,
    MOVE_VARIABLES,
    VALIDITY_VARIABLES,
    VARIABLES,
    add_on_context,
    balance_context,
    digest_context,
    maintenance_context,
    move_context,
    validity_context,
)
from bookings.events.declaring import (
    BOOKING_DESK,
    MAINTENANCE,
    MEMBERSHIP,
    booking_event,
    people,
    rule,
)
from bookings.events.digest import digest_audience, digest_items
from notifications.events import (
    Anchor,
    EventGroup,
    EventType,
    Priority,
    Recap,
    RecipientRole,
    register,
)

CONFIRMED_FR = "Réservation confirmée\u00a0: {{ title }} le " + t.SHORT_FR
CONFIRMED_EN = "Booking confirmed: {{ title }} on " + t.SHORT_EN
PUSH_CONFIRMED = (
    (CONFIRMED_FR, "{{ resource }}, " + t.WHEN_FR),
    (CONFIRMED_EN, "{{ resource }}, " + t.WHEN_EN),
)
SUBSCRIBER_FR = (
    "Nouvelle réservation\u00a0: {{ resource }} le " + t.SHORT_FR,
    t.hello_fr(
        "{{ booker_name }} a réservé {{ resource }} ({{ status|lower }}).",
        t.FACTS_FR,
        t.BY_FR,
        t.WHY_SUBSCRIBED_FR,
    ),
)
SUBSCRIBER_EN = (
    "New booking: {{ resource }} on " + t.SHORT_EN,
    t.hello_en(
        "{{ booker_name }} booked {{ resource }} ({{ status|lower }}).",
        t.FACTS_EN,
        t.BY_EN,
        t.WHY_SUBSCRIBED_EN,
    ),
)


def subscriber_rule(code):
    return rule(
        f"{code}/subscribers",
        _("Tell the managers who receive every booking (B-15)"),
        ["subscribers"],
        ["email"],
        SUBSCRIBER_FR,
        SUBSCRIBER_EN,
    )


# B-2: a free booking, confirmed at once. Booked by the client and from the back office
# are distinct events (Agendize): each has its own rules and wording.

booking_event(
    "bookings.booked_by_client",
    _("Booked by the client (free, confirmed at once)"),
    ["booker", "responsible_manager", "subscribers"],
    priority=Priority.HIGH,
    rules=[
        rule(
            "bookings.booked_by_client/booker",
            _("Confirm to the booker, with the calendar file"),
            ["booker"],
            ["push", "email"],
            (
                CONFIRMED_FR,
                t.hello_fr(
                    "Votre réservation de {{ resource }} est confirmée.",
                    t.FACTS_FR,
                    t.BY_FR,
                    t.ICS_FR + " " + t.WHY_BOOKER_FR,
                ),
            ),
            (
                CONFIRMED_EN,
                t.hello_en(
                    "Your booking of {{ resource }} is confirmed.",
                    t.FACTS_EN,
                    t.BY_EN,
                    t.ICS_EN + " " + t.WHY_BOOKER_EN,
                ),
            ),
            push=PUSH_CONFIRMED,
        ),
        subscriber_rule("bookings.booked_by_client"),
    ],
)

booking_event(
    "bookings.booked_by_back_office",
    _("Booked from the back office (free, confirmed at once)"),
    ["booker", "booked_by", "responsible_manager", "subscribers"],
    priority=Priority.HIGH,
    rules=[
        rule(
            "bookings.booked_by_back_office/booker",
            _("Confirm to the booker and to the manager who booked, with the calendar file"),
            ["booker", "booked_by"],
            ["push", "email"],
            (
                CONFIRMED_FR,
                t.hello_fr(
                    "{{ booked_by_name|default:actor_name }} a réservé {{ resource }} pour "
                    "{{ booker_name }}\u00a0: la réservation est confirmée.",
                    t.FACTS_FR,
                    t.BY_FR,
                    t.ICS_FR
                    + " Vous recevez ce message car la réservation est à votre nom, ou parce "
                    "que vous l’avez faite.",
                ),
            ),
            (
                CONFIRMED_EN,
                t.hello_en(
                    "{{ booked_by_name|default:actor_name }} booked {{ resource }} for "
                    "{{ booker_name }}: the booking is confirmed.",
                    t.FACTS_EN,
                    t.BY_EN,
                    t.ICS_EN + " You receive this message because the booking is in your name, or "
                    "because you made it.",
                ),
            ),
            push=PUSH_CONFIRMED,
        ),
        subscriber_rule("bookings.booked_by_back_office"),
    ],
)

# B-3: a paid booking waits for its payment.

booking_event(
    "bookings.awaiting_payment",
    _("Paid booking made: awaiting payment"),
    ["booker", "booked_by", "responsible_manager", "subscribers"],
    rules=[
        rule(
            "bookings.awaiting_payment/booker",
            _("Tell the booker the booking awaits payment"),
            ["booker"],
            ["email"],
            (
                "Réservation en attente de paiement\u00a0: {{ title }} le " + t.SHORT_FR,
                t.hello_fr(
                    "Votre réservation de {{ resource }} est enregistrée\u00a0; elle sera "
                    "confirmée dès réception du paiement de {{ amount }}.",
                    t.FACTS_FR,
                    "Payer maintenant\u00a0: {{ pay_url }}",
                    t.BY_FR,
                    t.WHY_BOOKER_FR,
                ),
            ),
            (
                "Booking awaiting payment: {{ title }} on " + t.SHORT_EN,
                t.hello_en(
                    "Your booking of {{ resource }} is recorded; it will be confirmed once "
                    "the payment of {{ amount }} is received.",
                    t.FACTS_EN,
                    "Pay now: {{ pay_url }}",
                    t.BY_EN,
                    t.WHY_BOOKER_EN,
                ),
            ),
        ),
        rule(
            "bookings.awaiting_payment/reminder",
            _("Remind the booker to pay, 10 min after booking, if still unpaid"),
            ["booker"],
            ["email"],
            (
                "Rappel\u00a0: paiement de votre réservation du " + t.SHORT_FR,
                t.hello_fr(
                    "Votre réservation de {{ resource }} attend toujours son paiement de "
                    "{{ amount }}\u00a0: sans lui, elle n’est pas confirmée.",
                    t.FACTS_FR,
                    "Payer maintenant\u00a0: {{ pay_url }}",
                    t.WHY_BOOKER_FR,
                ),
            ),
            (
                "Reminder: payment of your booking on " + t.SHORT_EN,
                t.hello_en(
                    "Your booking of {{ resource }} still awaits its payment of {{ amount }}: "
                    "until then it is not confirmed.",
                    t.FACTS_EN,
                    "Pay now: {{ pay_url }}",
                    t.WHY_BOOKER_EN,
                ),
            ),
            anchor="created",
            offset_minutes=10,
            offset_unit="minutes",
            conditions=["still_unpaid"],
        ),
        rule(
            "bookings.awaiting_payment/manager",
            _("Tell the responsible manager of the paid booking"),
            ["responsible_manager"],
            ["email"],
            (
                "Réservation payante\u00a0: {{ resource }} le " + t.SHORT_FR,
                t.hello_fr(
                    "{{ booker_name }} a réservé {{ resource }}\u00a0; le paiement de "
                    "{{ amount }} est attendu.",
                    t.FACTS_FR,
                    t.BY_FR,
                    t.WHY_MANAGER_FR,
                ),
            ),
            (
                "Paid booking: {{ resource }} on " + t.SHORT_EN,
                t.hello_en(
                    "{{ booker_name }} booked {{ resource }}; the payment of {{ amount }} is "
                    "awaited.",
                    t.FACTS_EN,
                    t.BY_EN,
                    t.WHY_MANAGER_EN,
                ),
            ),
        ),
        subscriber_rule("bookings.awaiting_payment"),
    ],
)

booking_event(
    "bookings.payment_received",
    _("Payment received: booking confirmed"),
    ["booker", "booked_by", "responsible_manager"],
    rules=[
        rule(
            "bookings.payment_received/booker",
            _("Confirm to the booker once paid, with the calendar file"),
            ["booker"],
            ["push", "email"],
            (
                CONFIRMED_FR,
                t.hello_fr(
                    "Nous avons bien reçu votre paiement de {{ amount }}\u00a0: votre "
                    "réservation de {{ resource }} est confirmée.",
                    t.FACTS_FR,
                    t.ICS_FR + " " + t.WHY_BOOKER_FR,
                ),
            ),
            (
                CONFIRMED_EN,
                t.hello_en(
                    "We received your payment of {{ amount }}: your booking of {{ resource }} "
                    "is confirmed.",
                    t.FACTS_EN,
                    t.ICS_EN + " " + t.WHY_BOOKER_EN,
                ),
            ),
            push=PUSH_CONFIRMED,
        ),
        rule(
            "bookings.payment_received/manager",
            _("Tell the responsible manager the booking is paid"),
            ["responsible_manager"],
            ["email"],
            (
                "Paiement reçu\u00a0: {{ resource }} le " + t.SHORT_FR,
                t.hello_fr(
                    "{{ booker_name }} a payé {{ amount }}\u00a0: la réservation est confirmée.",
                    t.FACTS_FR,
                    t.WHY_MANAGER_FR,
                ),
            ),
            (
                "Payment received: {{ resource }} on " + t.SHORT_EN,
                t.hello_en(
                    "{{ booker_name }} paid {{ amount }}: the booking is confirmed.",
                    t.FACTS_EN,
                    t.WHY_MANAGER_EN,
                ),
            ),
        ),
    ],
)

# B-4: approval.

booking_event(
    "bookings.approval_requested",
    _("Booking to approve"),
    ["booker", "approvers", "subscribers"],
    priority=Priority.HIGH,
    rules=[
        rule(
            "bookings.approval_requested/approvers",
            _("Ask the approvers, with one-tap approve and reject links"),
            ["approvers"],
            ["push", "email"],
            (
                "À approuver\u00a0: {{ resource }} le " + t.SHORT_FR + " ({{ booker_name }})",
                t.hello_fr(
                    "{{ booker_name }} demande à réserver {{ resource }}.",
                    t.FACTS_FR,
                    "Approuver\u00a0: {{ approve_url }}\nRefuser\u00a0: {{ reject_url }}",
                    "Chaque lien ouvre une page de confirmation\u00a0; il ne sert qu’une fois "
                    "et expire dans 7 jours.",
                    "Vous recevez ce message car vous approuvez les réservations de "
                    "{{ resource }}.",
                ),
            ),
            (
                "To approve: {{ resource }} on " + t.SHORT_EN + " ({{ booker_name }})",
                t.hello_en(
                    "{{ booker_name }} asks to book {{ resource }}.",
                    t.FACTS_EN,
                    "Approve: {{ approve_url }}\nReject: {{ reject_url }}",
                    "Each link opens a page to confirm; it works once and expires in 7 days.",
                    "You receive this message because you approve the bookings of {{ resource }}.",
                ),
            ),
            push=(
                ("À approuver\u00a0: {{ resource }}", "{{ booker_name }}, " + t.SHORT_FR),
                ("To approve: {{ resource }}", "{{ booker_name }}, " + t.SHORT_EN),
            ),
            conditions=["still_pending"],
        ),
        rule(
            "bookings.approval_requested/booker",
            _("Tell the booker the request was received"),
            ["booker"],
            ["email"],
            (
                "Demande de réservation reçue\u00a0: {{ title }} le " + t.SHORT_FR,
                t.hello_fr(
                    "Votre demande de réservation de {{ resource }} est enregistrée\u00a0; "
                    "elle attend l’approbation d’un responsable. Vous serez prévenu de sa "
                    "réponse.",
                    t.FACTS_FR,
                    t.WHY_BOOKER_FR,
                ),
            ),
            (
                "Booking request received: {{ title }} on " + t.SHORT_EN,
                t.hello_en(
                    "Your request to book {{ resource }} is recorded; it awaits a manager’s "
                    "approval. You will be told of the answer.",
                    t.FACTS_EN,
                    t.WHY_BOOKER_EN,
                ),
            ),
        ),
        subscriber_rule("bookings.approval_requested"),
    ],
)

booking_event(
    "bookings.approved",
    _("Booking approved"),
    ["booker"],
    rules=[
        rule(
            "bookings.approved/booker",
            _("Tell the booker it was approved, with the calendar file"),
            ["booker"],
            ["push", "email"],
            (
                "Réservation approuvée\u00a0: {{ title }} le " + t.SHORT_FR,
                t.hello_fr(
                    "Votre réservation de {{ resource }} est approuvée"
                    "{% if pay_url %}\u00a0; elle sera confirmée dès réception du paiement de "
                    "{{ amount }}\u00a0: {{ pay_url }}{% else %}\u00a0: elle est confirmée."
                    "{% endif %}",
                    t.FACTS_FR,
                    t.BY_FR,
                    t.ICS_FR + " " + t.WHY_BOOKER_FR,
                ),
            ),
            (
                "Booking approved: {{ title }} on " + t.SHORT_EN,
                t.hello_en(
                    "Your booking of {{ resource }} is approved"
                    "{% if pay_url %}; it will be confirmed once the payment of {{ amount }} is "
                    "received: {{ pay_url }}{% else %}: it is confirmed.{% endif %}",
                    t.FACTS_EN,
                    t.BY_EN,
                    t.ICS_EN + " " + t.WHY_BOOKER_EN,
                ),
            ),
            push=(
                ("Réservation approuvée", "{{ resource }}, " + t.SHORT_FR),
                ("Booking approved", "{{ resource }}, " + t.SHORT_EN),
            ),
        )
    ],
)

booking_event(
    "bookings.rejected",
    _("Booking rejected"),
    ["booker"],
    rules=[
        rule(
            "bookings.rejected/booker",
            _("Tell the booker it was rejected"),
            ["booker"],
            ["push", "email"],
            (
                "Réservation refusée\u00a0: {{ title }} le " + t.SHORT_FR,
                t.hello_fr(
                    "Votre demande de réservation de {{ resource }} n’a pas été acceptée."
                    "{% if decision_note %}\nMotif\u00a0: {{ decision_note }}{% endif %}",
                    t.FACTS_FR,
                    t.BY_FR,
                    "Le fichier joint retire la réservation de votre agenda. " + t.WHY_BOOKER_FR,
                ),
            ),
            (
                "Booking rejected: {{ title }} on " + t.SHORT_EN,
                t.hello_en(
                    "Your request to book {{ resource }} was not accepted."
                    "{% if decision_note %}\nReason: {{ decision_note }}{% endif %}",
                    t.FACTS_EN,
                    t.BY_EN,
                    "The attached file removes the booking from your calendar. " + t.WHY_BOOKER_EN,
                ),
            ),
            push=(
                ("Réservation refusée", "{{ resource }}, " + t.SHORT_FR),
                ("Booking rejected", "{{ resource }}, " + t.SHORT_EN),
            ),
        )
    ],
)


# B-9: reminders, on whatever confirmed the booking. The booker's carry one-tap answers (B-18).

REMINDER_FR = t.hello_fr(
    "Rappel\u00a0: {{ title }}, " + t.WHEN_FR + ".",
    "Où\u00a0: " + t.WHERE,
    "{% if attend_url %}Je viendrai\u00a0: {{ attend_url }}\nJ’annule\u00a0: {{ cancel_url }}"
    "{% endif %}",
    t.WHY_PARTICIPANT_FR,
)
REMINDER_EN = t.hello_en(
    "Reminder: {{ title }}, " + t.WHEN_EN + ".",
    "Where: " + t.WHERE,
    "{% if attend_url %}I will come: {{ attend_url }}\nI cancel: {{ cancel_url }}{% endif %}",
    t.WHY_PARTICIPANT_EN,
)


def reminder(key, name, offset, subject_fr, subject_en, anchor="start", conditions=("confirmed",)):
    return rule(
        f"bookings.confirmed/{key}",
        name,
        ["participants", "staff_member"],
        ["push", "email"],
        (subject_fr, REMINDER_FR),
        (subject_en, REMINDER_EN),
        push=(
            (subject_fr, "{{ resource }} — {{ site }}"),
            (subject_en, "{{ resource }} — {{ site }}"),
        ),
        anchor=anchor,
        offset_minutes=offset,
        offset_unit="minutes" if abs(offset) < 60 else "hours",
        conditions=list(conditions),
    )


booking_event(
    "bookings.confirmed",
    _("Booking confirmed (its reminders hang on it)"),
    ["participants", "staff_member", "responsible_manager"],
    rules=[
        reminder(
            "1h",
            _("Remind those taking part 1 h before"),
            -60,
            "Dans 1 h\u00a0: {{ title }} à {{ start|time:'H:i' }}",
            "In 1 hour: {{ title }} at {{ start|time:'g:i A' }}",
        ),
        reminder(
            "30min",
            _("Remind those taking part 30 min before"),
            -30,
            "Dans 30 min\u00a0: {{ title }} à {{ start|time:'H:i' }}",
            "In 30 minutes: {{ title }} at {{ start|time:'g:i A' }}",
        ),
        reminder(
            "check_in",
            _("Tell those taking part that check-in is open"),
            0,
            "C’est l’heure du check-in\u00a0: {{ title }}",
            "Time to check in: {{ title }}",
            anchor="check_in_opens",
            conditions=("not_checked_in",),
        ),
    ],
)


# B-6: a new time. By the client and from the back office are distinct events.

MOVED_FR = (
    "Réservation modifiée\u00a0: {{ title }} le " + t.SHORT_FR,
    t.hello_fr(
        "La réservation de {{ resource }} a changé d’horaire.",
        "Avant\u00a0: "
        + t.when_fr("old_start", "old_end")
        + "\nMaintenant\u00a0: "
        + t.WHEN_FR
        + "\nOù\u00a0: "
        + t.WHERE,
        t.BY_FR,
        t.ICS_FR + " " + t.WHY_PARTICIPANT_FR,
    ),
)
MOVED_EN = (
    "Booking changed: {{ title }} on " + t.SHORT_EN,
    t.hello_en(
        "The booking of {{ resource }} has a new time.",
        "Before: "
        + t.when_en("old_start", "old_end")
        + "\nNow: "
        + t.WHEN_EN
        + "\nWhere: "
        + t.WHERE,
        t.BY_EN,
        t.ICS_EN + " " + t.WHY_PARTICIPANT_EN,
    ),
)
for code, label in [
    ("bookings.moved_by_client", _("Booking moved by the client")),
    ("bookings.moved_by_back_office", _("Booking moved from the back office")),
]:
    booking_event(
        code,
        label,
        ["participants", "calendar_holders", "responsible_manager", "staff_member"],
        variables=VARIABLES + MOVE_VARIABLES,
        context=move_context,
        rules=[
            rule(
                f"{code}/participants",
                _("Tell everyone taking part, old and new times side by side"),
                ["participants", "calendar_holders"],
                ["push", "email"],
                MOVED_FR,
                MOVED_EN,
                push=(
                    ("Réservation modifiée\u00a0: {{ title }}", "Maintenant\u00a0: " + t.SHORT_FR),
                    ("Booking changed: {{ title }}", "Now: " + t.SHORT_EN),
                ),
            )
        ],
    )


# B-7: cancelled, with a cancelling .ics. By the client and from the back office differ.

CANCELLED_FR = (
    "Réservation annulée\u00a0: {{ title }} le " + t.SHORT_FR,
    t.hello_fr(
        "La réservation de {{ resource }} prévue le " + t.WHEN_FR + " est annulée.",
        t.BY_FR,
        "Le fichier joint la retire de votre agenda. " + t.WHY_PARTICIPANT_FR,
    ),
)
CANCELLED_EN = (
    "Booking cancelled: {{ title }} on " + t.SHORT_EN,
    t.hello_en(
        "The booking of {{ resource }} planned for " + t.WHEN_EN + " is cancelled.",
        t.BY_EN,
        "The attached file removes it from your calendar. " + t.WHY_PARTICIPANT_EN,
    ),
)
for code, label in [
    ("bookings.cancelled_by_client", _("Booking cancelled by the client")),
    ("bookings.cancelled_by_back_office", _("Booking cancelled from the back office")),
]:
    booking_event(
        code,
        label,
        ["participants", "calendar_holders", "responsible_manager", "staff_member", "subscribers"],
        rules=[
            rule(
                f"{code}/participants",
                _("Tell everyone taking part, with a cancelling calendar file"),
                ["participants", "calendar_holders"],
                ["push", "email"],
                CANCELLED_FR,
                CANCELLED_EN,
                push=(
                    ("Réservation annulée\u00a0: {{ title }}", t.SHORT_FR),
                    ("Booking cancelled: {{ title }}", t.SHORT_EN),
                ),
            )
        ],
    )

booking_event(
    "bookings.auto_cancelled",
    _("Booking released: nobody checked in"),
    ["booker", "responsible_manager"],
    rules=[
        rule(
            "bookings.auto_cancelled/booker",
            _("Tell the booker the resource was released"),
            ["booker"],
            ["push", "email"],
            (
                "Réservation libérée\u00a0: {{ title }}",
                t.hello_fr(
                    "Personne ne s’est enregistré (check-in) pour votre réservation de "
                    "{{ resource }} du " + t.WHEN_FR + "\u00a0: elle a été annulée "
                    "automatiquement pour libérer la ressource.",
                    "Le fichier joint la retire de votre agenda. " + t.WHY_BOOKER_FR,
                ),
            ),
            (
                "Booking released: {{ title }}",
                t.hello_en(
                    "Nobody checked in for your booking of {{ resource }} on "
                    + t.WHEN_EN
                    + ": it was cancelled automatically to free the resource.",
                    "The attached file removes it from your calendar. " + t.WHY_BOOKER_EN,
                ),
            ),
            push=(
                ("Réservation libérée", "{{ resource }}, " + t.SHORT_FR),
                ("Booking released", "{{ resource }}, " + t.SHORT_EN),
            ),
        )
    ],
)


# B-8: someone joins or leaves.

booking_event(
    "bookings.participant_added",
    _("Participant added"),
    ["the_participant", "booker"],
    rules=[
        rule(
            "bookings.participant_added/participant",
            _("Invite the participant added, with the calendar file"),
            ["the_participant"],
            ["email"],
            (
                "Invitation\u00a0: {{ title }} le " + t.SHORT_FR,
                t.hello_fr(
                    "{{ actor_name|default:booker_name }} vous ajoute à la réservation de "
                    "{{ resource }}.",
                    t.FACTS_FR,
                    t.BY_FR,
                    "L’invitation jointe ajoute la réservation à votre agenda. "
                    + t.WHY_PARTICIPANT_FR,
                ),
            ),
            (
                "Invitation: {{ title }} on " + t.SHORT_EN,
                t.hello_en(
                    "{{ actor_name|default:booker_name }} adds you to the booking of "
                    "{{ resource }}.",
                    t.FACTS_EN,
                    t.BY_EN,
                    "The attached invitation adds the booking to your calendar. "
                    + t.WHY_PARTICIPANT_EN,
                ),
            ),
        )
    ],
)

booking_event(
    "bookings.participant_removed",
    _("Participant removed"),
    ["the_participant"],
    rules=[
        rule(
            "bookings.participant_removed/participant",
            _("Tell the participant removed, with a cancelling calendar file for them alone"),
            ["the_participant"],
            ["email"],
            (
                "Vous ne participez plus\u00a0: {{ title }} le " + t.SHORT_FR,
                t.hello_fr(
                    "Vous avez été retiré de la réservation de {{ resource }} prévue le "
                    + t.WHEN_FR
                    + ".",
                    t.BY_FR,
                    "Le fichier joint la retire de votre agenda. Vous recevez ce message car "
                    "vous participiez à cette réservation.",
                ),
            ),
            (
                "You no longer take part: {{ title }} on " + t.SHORT_EN,
                t.hello_en(
                    "You were removed from the booking of {{ resource }} planned for "
                    + t.WHEN_EN
                    + ".",
                    t.BY_EN,
                    "The attached file removes it from your calendar. You receive this "
                    "message because you took part in this booking.",
                ),
            ),
        )
    ],
)


# B-5: add-on services.

booking_event(
    "bookings.add_ons_added",
    _("Add-on services ordered"),
    ["responsible_manager", "booker"],
    variables=VARIABLES + ADD_ON_VARIABLES,
    context=add_on_context,
    rules=[
        rule(
            "bookings.add_ons_added/manager_and_booker",
            _("Tell the responsible manager and the booker"),
            ["responsible_manager", "booker"],
            ["email"],
            (
                "Services ajoutés\u00a0: {{ title }} le " + t.SHORT_FR,
                t.hello_fr(
                    "Services ajoutés à la réservation de {{ resource }} de {{ booker_name }}"
                    "\u00a0: {{ new_add_ons }}.",
                    t.FACTS_FR,
                    t.BY_FR,
                    "Vous recevez ce message car la réservation est à votre nom, ou parce que "
                    "vous êtes responsable de {{ resource }}.",
                ),
            ),
            (
                "Services added: {{ title }} on " + t.SHORT_EN,
                t.hello_en(
                    "Services added to {{ booker_name }}’s booking of {{ resource }}: "
                    "{{ new_add_ons }}.",
                    t.FACTS_EN,
                    t.BY_EN,
                    "You receive this message because the booking is in your name, or because "
                    "you are responsible for {{ resource }}.",
                ),
            ),
        )
    ],
)


# B-14: maintenance (the target is the Maintenance period).

MAINTENANCE_ROLES = [
    RecipientRole(
        "booked_in_window", _("People booked during the maintenance"), people.booked_in_window
    ),
    RecipientRole(
        "maintenance_subscribers",
        _("People who turned maintenance emails on"),
        people.maintenance_subscribers,
    ),
    RecipientRole(
        "maintenance_managers", _("Managers who receive every booking"), people.maintenance_managers
    ),
]
MAINTENANCE_WHEN_FR = t.when_fr()
for code, label, fr, en in [
    (
        "bookings.maintenance_announced",
        _("Resource going into maintenance"),
        (
            "Maintenance\u00a0: {{ resource }} indisponible du {{ start|date:'j F Y' }}",
            "Bonjour {{ recipient_name }},\n\n{{ resource }} ({{ site }}) sera en maintenance"
            "{% if description %} ({{ description }}){% endif %}\u00a0:\n"
            "du {{ start|date:'l j F Y' }} à {{ start|time:'H:i' }} "
            "au {{ end|date:'l j F Y' }} à {{ end|time:'H:i' }}.\n\n"
            "Les réservations sur cette période sont concernées\u00a0: votre responsable "
            "vous dira comment elles sont reportées.\n\n" + t.BY_FR + "\n\n"
            "Vous recevez ce message car vous avez une réservation sur cette période, ou "
            "parce que vous avez demandé à être prévenu des maintenances.",
        ),
        (
            "Maintenance: {{ resource }} unavailable from {{ start|date:'F j, Y' }}",
            "Hello {{ recipient_name }},\n\n{{ resource }} ({{ site }}) will be in maintenance"
            "{% if description %} ({{ description }}){% endif %}:\n"
            "from {{ start|date:'l, F j, Y' }} at {{ start|time:'g:i A' }} "
            "to {{ end|date:'l, F j, Y' }} at {{ end|time:'g:i A' }}.\n\n"
            "Bookings in that period are affected: your manager will tell you how they are "
            "moved.\n\n" + t.BY_EN + "\n\n"
            "You receive this message because you have a booking in that period, or because "
            "you asked to hear of maintenance.",
        ),
    ),
    (
        "bookings.maintenance_ended",
        _("Resource back in service"),
        (
            "Fin de maintenance\u00a0: {{ resource }} de nouveau disponible",
            "Bonjour {{ recipient_name }},\n\n{{ resource }} ({{ site }}) est de nouveau en "
            "service depuis le {{ end|date:'l j F Y' }} à {{ end|time:'H:i' }}.\n\n"
            + t.BY_FR
            + "\n\nVous recevez ce message car vous avez demandé à être prévenu "
            "des maintenances, ou parce que vous aviez une réservation sur cette période.",
        ),
        (
            "Maintenance over: {{ resource }} available again",
            "Hello {{ recipient_name }},\n\n{{ resource }} ({{ site }}) is back in service "
            "since {{ end|date:'l, F j, Y' }} at {{ end|time:'g:i A' }}.\n\n"
            + t.BY_EN
            + "\n\nYou receive this message because you asked to hear of "
            "maintenance, or because you had a booking in that period.",
        ),
    ),
]:
    register(
        EventType(
            code=code,
            label=label,
            group=MAINTENANCE,
            roles=MAINTENANCE_ROLES,
            variables=MAINTENANCE_VARIABLES,
            context=maintenance_context,
            anchors=[
                Anchor("start", _("Start of the maintenance"), "start"),
                Anchor("end", _("End of the maintenance"), "end"),
            ],
            link=lambda maintenance: "",
            default_rules=[
                rule(
                    f"{code}/everyone",
                    _("Tell the people booked then, those who asked, and subscribed managers"),
                    ["booked_in_window", "maintenance_subscribers", "maintenance_managers"],
                    ["email"],
                    fr,
                    en,
                )
            ],
        )
    )


# B-16: validities and balance (the target is the Validity, or the Account).

register(
    EventType(
        code="bookings.validity_expiring",
        label=_("Member's validity expiring"),
        group=MEMBERSHIP,
        roles=[
            RecipientRole("member", _("The member"), people.member),
            RecipientRole(
                "expiry_watchers", _("Profiles alerted of every expiry"), people.expiry_watchers
            ),
        ],
        variables=VALIDITY_VARIABLES,
        context=validity_context,
        link=lambda validity: "",
        default_rules=[
            rule(
                "bookings.validity_expiring/member",
                _("Warn the member"),
                ["member"],
                ["email"],
                (
                    "{{ validity }}\u00a0: expire le {{ expires_on|date:'j F Y' }}",
                    "Bonjour {{ recipient_name }},\n\nVotre validité «\u00a0{{ validity }}\u00a0» "
                    "expire le {{ expires_on|date:'l j F Y' }} (dans {{ days_left }} jour"
                    "{{ days_left|pluralize }}). Pensez à la renouveler pour continuer à "
                    "réserver.\n\nVous recevez ce message car cette validité est la vôtre.",
                ),
                (
                    "{{ validity }}: expires on {{ expires_on|date:'F j, Y' }}",
                    "Hello {{ recipient_name }},\n\nYour “{{ validity }}” expires on "
                    "{{ expires_on|date:'l, F j, Y' }} (in {{ days_left }} day"
                    "{{ days_left|pluralize }}). Please renew it to keep booking.\n\n"
                    "You receive this message because this validity is yours.",
                ),
            ),
            rule(
                "bookings.validity_expiring/watchers",
                _("Warn the profiles that receive every expiry"),
                ["expiry_watchers"],
                ["email"],
                (
                    "Validité à renouveler\u00a0: {{ member_name }} — {{ validity }}",
                    "Bonjour {{ recipient_name }},\n\n«\u00a0{{ validity }}\u00a0» de "
                    "{{ member_name }} expire le {{ expires_on|date:'l j F Y' }} (dans "
                    "{{ days_left }} jour{{ days_left|pluralize }}).\n\nVous recevez ce message "
                    "car votre profil reçoit toutes les échéances de validité des membres.",
                ),
                (
                    "Validity to renew: {{ member_name }} — {{ validity }}",
                    "Hello {{ recipient_name }},\n\n{{ member_name }}’s “{{ validity }}” "
                    "expires on {{ expires_on|date:'l, F j, Y' }} (in {{ days_left }} day"
                    "{{ days_left|pluralize }}).\n\nYou receive this message because your "
                    "profile receives every member's validity expiry.",
                ),
            ),
        ],
    )
)

register(
    EventType(
        code="bookings.balance_low",
        label=_("Member's balance below the threshold"),
        group=MEMBERSHIP,
        roles=[RecipientRole("member", _("The member"), people.member)],
        variables=BALANCE_VARIABLES,
        context=balance_context,
        link=lambda account: "",
        default_rules=[
            rule(
                "bookings.balance_low/member",
                _("Tell the member their balance is low"),
                ["member"],
                ["email"],
                (
                    "Solde insuffisant\u00a0: {{ balance }}",
                    "Bonjour {{ recipient_name }},\n\nLe solde de votre compte est de "
                    "{{ balance }}, sous le seuil de {{ threshold }}. Pensez à l’approvisionner "
                    "pour continuer à réserver.\n\nVous recevez ce message car ce compte est "
                    "le vôtre.",
                ),
                (
                    "Low balance: {{ balance }}",
                    "Hello {{ recipient_name }},\n\nYour account balance is {{ balance }}, "
                    "below the threshold of {{ threshold }}. Please top it up to keep booking."
                    "\n\nYou receive this message because this account is yours.",
                ),
            )
        ],
    )
)


# B-15: the daily digest offered instead of a message per booking (a recap, SPEC N-10).

register(
    EventType(
        code="bookings.daily_digest",
        label=_("Daily digest of the organisation's bookings"),
        group=BOOKING_DESK,
        roles=[RecipientRole("recipient", _("The subscribed manager"), lambda user, event: [user])],
        variables=DIGEST_VARIABLES,
        context=digest_context,
        link=lambda user: "/bookings/",
        recap=Recap(audience=digest_audience, items=digest_items),
        default_rules=[
            rule(
                "bookings.daily_digest/recipient",
                _("Send the day's bookings to the managers who chose the digest"),
                ["recipient"],
                ["email"],
                (
                    "Réservations du {{ day|date:'l j F Y' }}",
                    "Bonjour {{ recipient_name }},\n\nLes réservations du "
                    "{{ day|date:'l j F Y' }}\u00a0:\n{% for item in items %}\n— "
                    "{{ item.start|time:'H:i' }}–{{ item.end|time:'H:i' }} {{ item.resource }}"
                    "\u00a0: {{ item.booker }}{% endfor %}\n\nVous recevez ce résumé car vous "
                    "l’avez choisi à la place d’un message par réservation.",
                ),
                (
                    "Bookings of {{ day|date:'l, F j, Y' }}",
                    "Hello {{ recipient_name }},\n\nThe bookings of {{ day|date:'l, F j, Y' }}:\n"
                    "{% for item in items %}\n— {{ item.start|time:'g:i A' }}–"
                    "{{ item.end|time:'g:i A' }} {{ item.resource }}: {{ item.booker }}"
                    "{% endfor %}\n\nYou receive this digest because you chose it instead of a "
                    "message for each booking.",
                ),
            )
        ],
    )
)

__all__ = ["EventGroup"]
