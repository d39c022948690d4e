"""What happens to bookings, who hears of it, and what the messages say (SPEC B-1 … B-9,
B-14 … B-16, B-18).

Events about a booking have the Booking as target: its delivery history is the
booking's, and `notifications.target_moved/target_cancelled(booking)` re-plan or
cancel every reminder of it. Each participant's message is about their own
participation (their name, their .ics with their own calendar state, the booker's
one-tap links), each approver's about their own approval request.

Reminders (B-9) hang on `bookings.confirmed`, emitted whenever a booking comes to hold
for sure — booked free, paid, or approved — so a manager changes each reminder once.
"""

from bookings.events import (  # noqa: F401  (registers)
    appointment_payments,
    appointments,
    recap,
    shipped,
    waitlists,
)
