"""Appointments confirmed by payment (SPEC B-11, Agendize: "an appointment must be confirmed
by payment"): booked, it waits for the payment, with its link and deadline; paid, it is
confirmed — and only then are the staff member and the owner & manager told of a new
appointment; unpaid by the deadline, it is released and the client told.

The payment itself is the bookings' flow (B-3): the provider's signed callback."""

from django.utils.translation import gettext_lazy as _

import bookings.events.texts as t
from bookings.events.appointments import (
    CLIENT_ROLES,
    PAY_EN,
    PAY_FR,
    SMS_BOOKED,
    appointment_event,
    client_rule,
    staff_rule,
)
from notifications.events import Priority

code = "bookings.appointment_awaiting_payment"
appointment_event(
    code,
    _("Appointment booked: to be confirmed by payment"),
    ["booker"],
    priority=Priority.HIGH,
    rules=[
        client_rule(
            code,
            "Votre rendez-vous est réservé. " + PAY_FR,
            "Your appointment is booked. " + PAY_EN,
            "Rendez-vous à confirmer par paiement",
            "Appointment to confirm by payment",
        )
    ],
)

code = "bookings.appointment_paid"
appointment_event(
    code,
    _("Appointment paid: confirmed"),
    CLIENT_ROLES,
    priority=Priority.HIGH,
    rules=[
        client_rule(
            code,
            "Nous avons bien reçu votre paiement de {{ price }}\u00a0: votre rendez-vous est "
            "confirmé. " + t.ICS_FR,
            "We received your payment of {{ price }}: your appointment is confirmed. " + t.ICS_EN,
            "Rendez-vous confirmé",
            "Appointment confirmed",
            sms=SMS_BOOKED,
        ),
        *staff_rule(
            code,
            "{{ client_name }} a payé son rendez-vous ({{ price }})\u00a0: il est confirmé.",
            "{{ client_name }} paid for their appointment ({{ price }}): it is confirmed.",
            "Nouveau rendez-vous (payé)",
            "New appointment (paid)",
        ),
    ],
)

code = "bookings.appointment_unpaid_released"
appointment_event(
    code,
    _("Appointment not paid in time: released"),
    ["booker", "staff_member"],
    notify_actor=False,
    rules=[
        client_rule(
            code,
            "Votre paiement ne nous est pas parvenu à temps\u00a0: le rendez-vous n’est pas "
            "confirmé et le créneau est libéré. Le fichier joint le retire de votre agenda.",
            "Your payment did not reach us in time: the appointment is not confirmed and the "
            "slot is released. The attached file removes it from your calendar.",
            "Rendez-vous libéré, faute de paiement",
            "Appointment released: not paid",
        ),
        staff_rule(
            code,
            "Le rendez-vous de {{ client_name }}, non payé à temps, est libéré.",
            "{{ client_name }}'s appointment, not paid in time, is released.",
            "Rendez-vous libéré (non payé)",
            "Appointment released (not paid)",
        )[0],
    ],
)
del code
