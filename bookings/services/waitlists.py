"""Waitlists (SPEC B-12): a freed slot is offered to the next person waiting, held for them
for a claim window that pauses at night; unclaimed, the hold moves on by itself. A waitlist
that confirms at once (OpenFlyers' overbooking) books the first person waiting straight away.

Exactly one claim wins: the claim locks the hold's row, then moves the offer on with a
conditional UPDATE (live and not past its window); a second claim finds it taken.
"""

import datetime
import zoneinfo

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import availability, signals
from bookings.availability import BookingRefused
from bookings.models import (
    Appointment,
    Booking,
    Participant,
    Waitlist,
    WaitlistEntry,
    WaitlistOffer,
)
from bookings.models.waitlists import WAITLIST_STATE
from bookings.services import bookings as booking_services
from bookings.services import clients
from bookings.signals import CLIENT

Status, Entry, Offer = Booking.Status, WaitlistEntry.Status, WaitlistOffer.Status


def _is_night(local, starts, ends):
    moment = local.time()
    if starts > ends:  # 20:00–08:00: across midnight
        return moment >= starts or moment < ends
    return starts <= moment < ends


def claim_deadline(offered_at, window, night_starts, night_ends, zone):
    """When an offer made at `offered_at` runs out: `window` of daytime, the night not counted
    (an offer at 19:50 with 2 h, nights 20:00–08:00, runs out at 09:50 the next morning).
    Elapsed time by day; night boundaries on the wall clock of `zone`, DST included."""
    moment, left = offered_at.astimezone(datetime.UTC), window
    for _step in range(800):  # a window of weeks still ends; junk settings cannot spin
        local = moment.astimezone(zone)
        if _is_night(local, night_starts, night_ends):
            day = local.date() + datetime.timedelta(days=local.time() >= night_ends)
            moment = datetime.datetime.combine(day, night_ends, tzinfo=zone).astimezone(
                datetime.UTC
            )
            continue
        day = local.date() + datetime.timedelta(days=local.time() >= night_starts)
        dusk = datetime.datetime.combine(day, night_starts, tzinfo=zone).astimezone(datetime.UTC)
        if moment + left <= dusk:
            return moment + left
        left -= dusk - moment
        moment = dusk
    return moment


def _zone(waitlist):
    return zoneinfo.ZoneInfo(str(waitlist.organisation.time_zone))


@transaction.atomic
def join(
    service, client, *, agenda=None, wanted_start=None, earlier_than=None, sms_text="", page=""
):
    """A client waits for a full slot (`wanted_start`) or for one earlier than their
    appointment (`earlier_than`, a Booking); `sms_text`, the consent they ticked to be
    offered it by text too, goes to the ledger with the entry."""
    if wanted_start is None and earlier_than is None:
        raise BookingRefused(_("Choose the time you would like."))
    waitlist, _created = Waitlist.objects.get_or_create(
        service=service, defaults={"organisation": service.organisation}
    )
    fields = {k: client.get(k, "") for k in ("name", "email", "phone")}
    if fields["phone"] and sms_text:
        clients.record_given_sms_consent(service.organisation, fields["phone"], sms_text, page)
    return WaitlistEntry.objects.create(
        waitlist=waitlist,
        agenda=agenda,
        wanted_start=wanted_start,
        earlier_than=earlier_than,
        language=client.get("language") or "fr",
        **fields,
    )


def _candidates(waitlist, agenda, start):
    """Who may take a slot on `agenda` at `start`, first come first served."""
    waiting = waitlist.entries.filter(status=Entry.WAITING).filter(
        Q(agenda=None) | Q(agenda=agenda)
    )
    return waiting.filter(
        Q(wanted_start=start)
        | Q(earlier_than__start__gt=start, earlier_than__status__in=booking_services.CHANGEABLE)
    ).select_related("earlier_than")


@transaction.atomic
def slot_freed(service, agenda, start, now=None):
    """A slot of `service` on `agenda` at `start` is free again: offer it to the next one."""
    waitlist = Waitlist.objects.filter(service=service).select_related("organisation").first()
    if waitlist is None:
        return None
    return _offer_next(waitlist, agenda, start, now or timezone.now())


def _offer_next(waitlist, agenda, start, now):
    if start <= now:
        return None
    end = start + waitlist.service.held_for
    for entry in _candidates(waitlist, agenda, start):
        if availability.refusal(agenda, start, end, now) is not None:
            return None  # taken meanwhile (booked directly): nothing to offer
        return _offer(waitlist, entry, agenda, start, end, now)
    return None


def _offer(waitlist, entry, agenda, start, end, now):
    hold = Booking(
        organisation=agenda.organisation,
        resource=agenda,
        title=waitlist.service.name,
        start=start,
        end=end,
        status=Status.HELD,
        source=Booking.Source.CLIENT,
    )
    service = waitlist.service
    if service.requires_payment:  # what the payment callback will check (B-11)
        hold.price, hold.currency = service.price, service.currency
    booking_services._hold(hold, now)
    Appointment.objects.create(booking=hold, service=service, price=service.price)
    Participant.objects.create(
        booking=hold,
        is_booker=True,
        name=entry.name,
        email=entry.email,
        phone=entry.phone,
        language=entry.language,
    )
    deadline = claim_deadline(
        now, waitlist.claim_window, waitlist.night_starts, waitlist.night_ends, _zone(waitlist)
    )
    offer = WaitlistOffer.objects.create(
        entry=entry, hold=hold, offered_at=now, expires_at=min(deadline, start)
    )
    if waitlist.confirms_at_once:
        # Overbooking (OpenFlyers): the booking waiting is confirmed the moment the slot frees.
        WaitlistOffer.objects.filter(pk=offer.pk).update(status=Offer.CLAIMED, decided_at=now)
        _serve(offer, hold, now)
        offer.refresh_from_db()
        return offer
    WaitlistEntry.objects.filter(pk=entry.pk).update(status=Entry.OFFERED)
    signals.waitlist_offered.send(sender=WaitlistOffer, offer=offer)
    return offer


def _release(hold, now):
    Booking.objects.filter(pk=hold.pk, status=Status.HELD).update(
        status=Status.AUTO_CANCELLED, cancelled_at=now, updated_at=now, sequence=F("sequence") + 1
    )


@transaction.atomic
def claim(offer, now=None):
    """The client takes the slot held for them; BookingRefused says why not (taken, too late)."""
    now = now or timezone.now()
    hold = Booking.objects.select_for_update().get(pk=offer.hold_id)  # the second claim waits here
    taken = WaitlistOffer.objects.filter(pk=offer.pk, status=Offer.LIVE, expires_at__gt=now).update(
        status=Offer.CLAIMED, decided_at=now
    )
    offer.refresh_from_db()
    if not taken:
        if offer.status == Offer.CLAIMED:
            raise BookingRefused(_("This slot has already been claimed."))
        raise BookingRefused(_("Too late: the time to claim this slot has passed."))
    return _serve(offer, hold, now)


def _serve(offer, hold, now):
    """The person waiting gets the slot. Either way they hear OpenFlyers' "modification"
    (what they had, and what they have now), never a new booking's confirmation."""
    entry = offer.entry
    WaitlistEntry.objects.filter(pk=entry.pk).update(status=Entry.SERVED)
    if entry.earlier_than_id:
        # Their own appointment moves to the freed slot: moved, old time and new.
        _release(hold, now)
        earlier = entry.earlier_than
        booking_services.move(earlier, None, start=hold.start, end=hold.end, by=CLIENT, now=now)
        return earlier
    # A service confirmed by payment waits for it here too, with its deadline (B-11).
    pay_by = booking_services.pay_by(hold, hold.appointment, now)
    status = Status.CONFIRMED if pay_by is None else Status.AWAITING_PAYMENT
    booking_services._claim(hold, [Status.HELD], status=status, pay_by=pay_by)
    signals.booking_promoted.send(
        sender=Booking,
        booking=hold,
        old_state=WAITLIST_STATE,
        new_state=hold.status,
        old_start=entry.wanted_start or hold.start,
    )
    if hold.status == Status.CONFIRMED:
        signals.booking_confirmed.send(sender=Booking, booking=hold, actor=None)  # reminders
    return hold


def move_holds_on(now=None):
    """Beat: every offer whose window passed expires, and its slot goes to the next one."""
    now = now or timezone.now()
    moved = 0
    for offer_id in WaitlistOffer.objects.filter(
        status=Offer.LIVE, expires_at__lte=now
    ).values_list("pk", flat=True):
        moved += _expire(offer_id, now)
    return moved


@transaction.atomic
def _expire(offer_id, now):
    offer = WaitlistOffer.objects.select_related("hold", "entry__waitlist__service").get(
        pk=offer_id
    )
    hold = Booking.objects.select_for_update().get(pk=offer.hold_id)
    if not WaitlistOffer.objects.filter(pk=offer.pk, status=Offer.LIVE).update(
        status=Offer.EXPIRED, decided_at=now
    ):
        return 0  # claimed a moment ago
    waitlist = offer.entry.waitlist
    # The one who let it pass is done with this slot: the next person gets their turn.
    WaitlistEntry.objects.filter(pk=offer.entry_id).update(status=Entry.LET_PASS)
    signals.waitlist_expired.send(sender=WaitlistOffer, offer=offer)
    _release(hold, now)
    _offer_next(waitlist, hold.resource, hold.start, now)
    return 1
