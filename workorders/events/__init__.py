"""What happens to work orders, tasks and leads, who hears of it, and what the messages say
(SPEC R-8 … R-10): RemOnline's three notification settings, one module each.

Found at start-up like every app's `events.py` (this package imports its modules).
"""

from workorders.events import leads, orders, tasks  # noqa: F401  (registers their events)
