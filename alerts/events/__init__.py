"""What the snow alerts send, to whom, and what the messages say (SPEC A-2…A-10).

Found at start-up like every app's `events.py` (this package imports its modules).
"""

from alerts.events import broadcasts, opt_in, runs  # noqa: F401  (registers their events)
