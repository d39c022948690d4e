"""The back office of bookings: resources, bookings and their messages, the approvals queue,
maintenance, members' validities and balances, subscriptions — scoped to the organisation,
every change through bookings.services."""

from bookings.admin import appointments, bookings, members, resources

__all__ = ["appointments", "bookings", "members", "resources"]
