"""Each sender sends at its configured pace, whichever worker sends (SPEC N-21).

`settings.RELAIS_SEND_RATES` gives messages per second per channel; each sender
(a Twilio number, a Telegram bot: the platform's, or an organisation's own) has one
budget in the database, a virtual clock: booking n
sends moves it n / rate seconds on. A batch books its paced messages before it
claims them and sends each at its turn; when the budget is booked further ahead
than `MAX_WAIT`, the batch leaves them queued and comes back then — no long ETA in
the broker (DESIGN's visibility-timeout pitfall), no Celery per-worker rate_limit
(which each worker applies alone). A 100,000-recipient run thus never hands the
provider more than it takes.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from notifications.channels import get_backend
from notifications.models import PaceBudget

# How long a task may hold its messages back for their turn (it sleeps meanwhile).
MAX_WAIT = datetime.timedelta(seconds=5)
# How long a task waits before it comes back for messages whose turn is further off.
MAX_COME_BACK = datetime.timedelta(minutes=5)


def rate(channel):
    """Messages per second a sender of this channel may send; None: not paced."""
    return settings.RELAIS_SEND_RATES.get(channel) or None


def sender_of(channel, organisation_id):
    """Who sends the organisation's messages on `channel`: whose budget they book."""
    return get_backend(channel).sender_for(organisation_id)


def budget_key(channel, sender=None):
    sender = get_backend(channel).sender if sender is None else sender
    return f"{channel}:{sender}"[:300]


def book(channel, count, now=None, sender=None):
    """Book up to `count` sends whose turns come within MAX_WAIT: (first turn, how many).

    (None, 0) when the sender is booked up; `come_back(channel)` says until when. The
    clock moves by one conditional UPDATE: two workers booking at once never get
    the same turns; the one that lost the race reads the clock again.
    """
    now = now or timezone.now()
    key, per_second = budget_key(channel, sender), rate(channel)
    while True:
        current = _clock(key, now)
        start = max(current, now)
        room = int((MAX_WAIT - (start - now)).total_seconds() * per_second)
        booked = min(count, room)
        if booked < 1:
            return None, 0
        booked_until = start + datetime.timedelta(seconds=booked / per_second)
        moved = PaceBudget.objects.filter(key=key, next_free_at=current).update(
            next_free_at=booked_until
        )
        if moved:
            return start, booked


def come_back(channel, now=None, sender=None):
    """When messages left for later should be tried again: as their sender's turns near."""
    now = now or timezone.now()
    until = booked_until(channel, sender) or now
    return min(max(until - MAX_WAIT, now + datetime.timedelta(seconds=1)), now + MAX_COME_BACK)


def turns(channel, start, count):
    """When each of `count` booked sends may go, from its first turn."""
    step = datetime.timedelta(seconds=1 / rate(channel))
    return [start + i * step for i in range(count)]


def booked_until(channel, sender=None):
    """When the sender's budget is free again (None: never booked)."""
    return (
        PaceBudget.objects.filter(key=budget_key(channel, sender))
        .values_list("next_free_at", flat=True)
        .first()
    )


def _clock(key, now):
    # get_or_create: two workers making the first budget at once get the same row.
    budget, _created = PaceBudget.objects.get_or_create(key=key, defaults={"next_free_at": now})
    return budget.next_free_at
