"""The bookings portal (portal.py), one-tap links (one_tap.py) and payments (payments.py)."""
