"""A person's bookings, exported and erased (SPEC P-5): bookings and appointments, as booker,
participant or client without an account; waitlists, memberships' validities and balances."""

from django.db.models import Q

from bookings.models import (
    Account,
    Appointment,
    Booking,
    BookingPage,
    CalendarCopy,
    Participant,
    Resource,
    StaffRecap,
    Subscription,
    Validity,
    WaitlistEntry,
)
from privacy.erasure import ERASED

BOOKING_FIELDS = ["title", "start", "end", "status", "price", "currency", "paid_at"]
BOOKING_FIELDS += ["decision_note", "created_at"]
GUEST_FIELDS = ["name", "email", "phone", "language"]


def export(archive):
    person = archive.person
    guest_rows = _guest_rows(archive)
    archive.also_reached_as(
        *(f"bookings.participant:{pk}" for pk in guest_rows.values_list("pk", flat=True))
    )
    bookings = _bookings(person, guest_rows).select_related("resource", "appointment__service")
    guests = set(guest_rows)
    archive.add("bookings", [_booking(booking, archive, guests) for booking in bookings])
    archive.add_rows("as_client_without_account", guest_rows, GUEST_FIELDS)
    entries = WaitlistEntry.objects.filter(archive.contact_rows())
    archive.also_reached_as(
        *(f"bookings.waitlistentry:{pk}" for pk in entries.values_list("pk", flat=True))
    )
    archive.add_rows("waitlists", entries, [*GUEST_FIELDS, "status"])
    validities = Validity.objects.filter(member=person).select_related("validity_type")
    archive.add_rows("validities", validities, ["expires_on"], kind=lambda v: v.validity_type.name)
    archive.add_rows("balances", Account.objects.filter(member=person), ["balance", "currency"])
    subscriptions = Subscription.objects.filter(user=person)
    archive.add_rows("booking_subscriptions", subscriptions, ["topic", "delivery"])


def _booking(booking, archive, guest_rows):
    participants = list(booking.participants.select_related("user"))
    theirs = {p.pk for p in participants if p.user_id == archive.person.pk or p in guest_rows}
    archive.others(*(p.user or p for p in participants if p.pk not in theirs), booking.booker)
    row = {field: getattr(booking, field) for field in BOOKING_FIELDS}
    row.update(
        number=booking.pk,
        resource=booking.resource.name,
        participants=[str(p) for p in participants],
    )
    appointment = getattr(booking, "appointment", None)
    if appointment is not None:
        row["appointment"] = {
            "service": appointment.service.name,
            "review_stars": appointment.review_stars,
            "review_comment": appointment.review_comment,
        }
    return row


def erase(erasure):
    person = erasure.person
    guest_rows = _guest_rows(erasure)
    changed = 0
    booked = Booking.objects.filter(Q(booker=person) | Q(participants__in=guest_rows))
    for booking in Booking.objects.filter(pk__in=booked.values("pk")):
        changed += Booking.objects.filter(pk=booking.pk).update(
            title=erasure.scrub(booking.title), decision_note=erasure.scrub(booking.decision_note)
        )
    # A review is the client's own words about their appointment.
    reviews = Appointment.objects.filter(booking__in=booked).exclude(review_comment="")
    changed += reviews.update(review_comment=ERASED)
    for guest in guest_rows:
        erasure.also_reached_as(f"bookings.participant:{guest.pk}")
        email = erasure.placeholder_email("participant", guest.pk)
        changed += Participant.objects.filter(pk=guest.pk).update(name="", email=email, phone="")
    for entry in WaitlistEntry.objects.filter(erasure.contact_rows()):
        erasure.also_reached_as(f"bookings.waitlistentry:{entry.pk}")
        email = erasure.placeholder_email("waitlistentry", entry.pk)
        changed += WaitlistEntry.objects.filter(pk=entry.pk).update(name="", email=email, phone="")
    pages = BookingPage.objects.filter(erasure.contact_rows("manager_email", "manager_phone"))
    changed += pages.update(manager_email="", manager_phone="")
    for rows in (Subscription, StaffRecap, CalendarCopy):
        changed += rows.objects.filter(user=person).delete()[0]
    for resource in Resource.objects.filter(approvers=person):
        resource.approvers.remove(person)
    return changed


def _guest_rows(subject):
    """Participations without an account whose email or number is the person's."""
    return Participant.objects.filter(subject.contact_rows(), user=None)


def _bookings(person, guest_rows):
    theirs = Q(booker=person) | Q(participants__user=person) | Q(participants__in=guest_rows)
    return Booking.objects.filter(pk__in=Booking.objects.filter(theirs).values("pk"))
