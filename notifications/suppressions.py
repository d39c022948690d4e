"""The suppression list (SPEC N-7): addresses never to be used again on a channel.

A hard bounce, a spam complaint, an unsubscribe of a contact who has no
preferences page, or a manager puts an address on it; only a manager takes it
off. Each of those is a record of the consent ledger (`notifications.consent`),
written in the same transaction — bounces and complaints are not consent, and
the ledger says so by their kind. STOP is not a suppression: it is a
`PhoneStop`, taken back by START.

The list is global — a bounce blocks an address everywhere — but the addresses
of another organisation's people are that organisation's data (SPEC P-3).
"""

from django.db.models import Q

from accounts.models import User
from accounts.scoping import managed_organisations
from notifications.consent.ledger import record
from notifications.consent.models import ConsentRecord, Suppression
from notifications.models import Delivery

ADDRESS_LENGTH = Suppression._meta.get_field("address").max_length
Kind, Method = ConsentRecord.Kind, ConsentRecord.Method
KIND_OF = {
    Suppression.Reason.BOUNCE: Kind.BOUNCE,
    Suppression.Reason.COMPLAINT: Kind.COMPLAINT,
    Suppression.Reason.UNSUBSCRIBED: Kind.UNSUBSCRIBE,
    Suppression.Reason.MANUAL: Kind.SUPPRESSED,
}


def suppress(channel, address, reason, detail="", *, method=Method.PROVIDER, **how):
    """Put an address on the suppression list, with its ledger record; later sends are refused."""
    if not isinstance(address, str) or not address or len(address) > ADDRESS_LENGTH:
        return None  # no address we could ever have sent to: a provider's junk, or a forgery
    how.setdefault("user", _owner(channel, address))
    entry, _changed = record(
        KIND_OF[reason], channel=channel, address=address, method=method, text=detail, **how
    )
    return entry


def _owner(channel, address):
    """The one person whose address this is, for their own ledger; None when unsure."""
    field = "email" if channel == "email" else "phone"
    people = list(User.objects.filter(**{field: address})[:2])
    return people[0] if len(people) == 1 else None


def lift(channel, address, admin_user, detail=""):
    """A manager takes an address off the list (recorded with who did it)."""
    return record(
        Kind.LIFTED,
        channel=channel,
        address=address,
        method=Method.ADMIN,
        admin_user=admin_user,
        text=detail,
    )[0]


def visible_suppressions(user):
    """Suppressed addresses a manager may see: their people's, and those their messages used."""
    suppressions = Suppression.objects.all()
    if user.is_superuser:
        return suppressions
    return suppressions.filter(known_address(managed_organisations(user)))


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


def known_address(organisations, field="address"):
    """A filter on `field`: the addresses of these organisations' people, or their messages'."""
    members = User.objects.filter(_member_of(organisations))
    used = Delivery.objects.filter(organisation__in=organisations).values("address")
    return (
        Q(**{f"{field}__in": members.values("email")})
        | Q(**{f"{field}__in": members.exclude(phone="").values("phone")})
        | Q(**{f"{field}__in": used})
    )
