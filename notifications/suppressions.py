"""The suppression list (SPEC N-7): addresses never to be used again on a channel.

Bounces, complaints and STOP put an address on it; START takes a STOP off.
The list is global — a bounce blocks an address everywhere — but the addresses
of another organisation's people are that organisation's data (SPEC P-3).
"""

from django.db.models import Q

from accounts.models import User
from accounts.scoping import managed_organisations
from notifications.models import Delivery, Suppression

ADDRESS_LENGTH = Suppression._meta.get_field("address").max_length


def suppress(channel, address, reason, detail=""):
    """Put an address on the suppression list: later sends to it are refused."""
    if not isinstance(address, str) or not address or len(address) > ADDRESS_LENGTH:
        return  # no address we could ever have sent to: a provider's junk, or a forgery
    Suppression.objects.get_or_create(
        channel=channel, address=address, defaults={"reason": reason, "detail": detail[:1000]}
    )


def lift(channel, address, reason):
    """Take an address off the list, when it is there for `reason` (START lifts a STOP only)."""
    Suppression.objects.filter(channel=channel, address=address, reason=reason).delete()


def visible_suppressions(user):
    """Suppressed addresses a manager may see: their people's, and those their messages used."""
    suppressions = Suppression.objects.all()
    if user.is_superuser:
        return suppressions
    return suppressions.filter(_known_address(managed_organisations(user)))


def is_known_address(user, address):
    """Whether a manager may put `address` on the suppression list: one of their people's."""
    if user.is_superuser:
        return True
    organisations = managed_organisations(user)
    members = User.objects.filter(_member_of(organisations))
    return (
        members.filter(Q(email=address) | Q(phone=address)).exists()
        or Delivery.objects.filter(organisation__in=organisations, address=address).exists()
    )


def _member_of(organisations):
    return Q(memberships__organisation__in=organisations)


def _known_address(organisations):
    members = User.objects.filter(_member_of(organisations))
    used = Delivery.objects.filter(organisation__in=organisations).values("address")
    return (
        Q(address__in=members.values("email"))
        | Q(address__in=members.exclude(phone="").values("phone"))
        | Q(address__in=used)
    )
