"""The notification engine's back office (SPEC N-1 to N-7), registered on the admin site.

Domain admins show an object's messages with the history panel:

    from notifications.admin import DeliveryHistoryInline

    class BookingAdmin(OrganisationScopedAdmin):
        inlines = [DeliveryHistoryInline]
"""

from notifications.admin import batches, consent, deliveries, people, recaps, rules
from notifications.admin.deliveries import DeliveryHistoryInline
from notifications.messengers import admin as messengers  # noqa: F401  (registers its admins)

__all__ = [
    "DeliveryHistoryInline",
    "batches",
    "consent",
    "deliveries",
    "people",
    "recaps",
    "rules",
]
