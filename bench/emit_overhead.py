"""Emit overhead: saving a domain object with notifications on vs off.

    python bench/emit_overhead.py --saves 1000

Each save is a booking created in its own transaction, as a view or a
service does. With notifications on, a post_save receiver calls
`notifications.emit` as a domain app's signals.py does: the Event row is
written in the same transaction and, once it commits, handed to the
process's publisher thread, which puts its planning on Redis (no worker
runs). The clock of each round stops only when the publisher has put every
event of the round on the broker; the caller's own time (the same saves,
before that wait) is printed too. The modes alternate in rounds so a
drifting machine favours neither. Two more modes say where the floor is: the
Event row alone (nothing published), and one `SELECT 1` in the save's
transaction, the cost of any extra statement.
Headline: `emit_overhead: <seconds on / seconds off>` (target <= 1.3).
"""

import argparse
import contextlib
import datetime
import time

import harness

outbox = None  # notifications.outbox, once Django is set up

ROUNDS = 10


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--saves", type=int, default=1000)
    args = parser.parse_args()
    with harness.bench_database():
        run(args.saves)


def run(saves):
    global outbox
    from django.db.models.signals import post_save

    from notifications import outbox
    from tests.testapp.models import Appointment

    print(f"emit_overhead: {saves:,} saves, notifications on vs off ({harness.machine()})")
    organisation, client = _domain()
    per_round = max(saves // ROUNDS, 1)
    _save_bookings(organisation, client, 50)  # warm up: connections, caches, the broker
    post_save.connect(_booked, sender=Appointment)
    _save_bookings(organisation, client, 50)
    post_save.disconnect(_booked, sender=Appointment)
    receivers = {"off": None, "on": _booked, "event row only": _booked, "SELECT 1": _select_one}
    seconds = dict.fromkeys(receivers, 0.0)
    caller = 0.0  # "on", without waiting for the publisher
    queries = {}
    for _round in range(ROUNDS):
        for mode, receiver in receivers.items():
            if receiver:
                post_save.connect(receiver, sender=Appointment)
            with (
                _publishing(mode != "event row only"),
                harness.counting_queries() as counter,
                harness.Timer() as timer,
            ):
                _save_bookings(organisation, client, per_round)
                saved = time.perf_counter()
                assert outbox.publisher.flush(timeout=60), "the publisher did not catch up"
            if receiver:
                post_save.disconnect(receiver, sender=Appointment)
            seconds[mode] += timer.seconds
            if mode == "on":
                caller += saved - timer.start
            queries[mode] = counter["queries"] / per_round
    total = per_round * ROUNDS
    for mode in receivers:
        label = f"notifications {mode}" if mode in ("on", "off") else f"what if: {mode}"
        print(f"{label}:")
        harness.figure("time", seconds[mode], "s")
        harness.figure("saves/s", round(total / seconds[mode]))
        harness.figure("per save", round(1000 * seconds[mode] / total, 3), "ms")
        harness.figure("queries per save", queries[mode])
        if mode != "off":
            harness.figure("ratio to off", round(seconds[mode] / seconds["off"], 2))
        if mode == "on":
            print("notifications on, the caller's path only (before the publisher caught up):")
            harness.figure("per save", round(1000 * caller / total, 3), "ms")
            harness.figure("ratio to off", round(caller / seconds["off"], 2))
    harness.figure("emit adds", round(1000 * (seconds["on"] - seconds["off"]) / total, 3), "ms")
    harness.figure("peak RSS", round(harness.peak_rss_mb(), 1), "MB")
    harness.headline("emit_overhead", seconds["on"] / seconds["off"])


def _booked(sender, instance, created, **kwargs):
    """What a domain app's signals.py does: announce the change, nothing more."""
    import notifications

    if created:
        notifications.emit("testapp.booked", instance, actor=instance.client)


def _select_one(sender, instance, created, **kwargs):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


@contextlib.contextmanager
def _publishing(enabled):
    """With `enabled` false, emit stores its Event but nothing is published."""
    submit = outbox.publisher.submit
    if not enabled:
        outbox.publisher.submit = lambda event_id, priority: None
    try:
        yield
    finally:
        outbox.publisher.submit = submit


def _save_bookings(organisation, client, count):
    from django.db import transaction

    from tests.testapp.models import Appointment

    start = datetime.datetime(2027, 1, 10, 9, 0, tzinfo=datetime.UTC)
    for index in range(count):
        with transaction.atomic():
            Appointment.objects.create(
                organisation=organisation,
                title="Coupe",
                start=start + datetime.timedelta(minutes=index),
                client=client,
            )


def _domain():
    from accounts.models import Organisation, User

    organisation = Organisation.objects.create(
        name="Bench", sending_mode=Organisation.SendingMode.PRODUCTION
    )
    client = User.objects.create(email="client@example.test", display_name="Alice")
    return organisation, client


if __name__ == "__main__":
    main()
