"""Emit overhead: saving a domain object with notifications on vs off.

    python bench/emit_overhead.py --saves 1000

Each save is a booking created in its own transaction, as a view or a
service does. With notifications on, a post_save receiver calls
`notifications.emit` as a domain app's signals.py does: the Event row is
written in the same transaction, and the relay process (`manage.py
relay_events`, running through every mode, as it does in production) puts
its planning on Redis (no worker runs). The clock of each round stops only
when the relay has queued every event of the round; the caller's own time
(the same saves, before that wait) is printed too. The relay polls every
10 ms here (RELAIS_RELAY_INTERVAL is 0.1 s by default) so that a round's
last event does not wait a production interval. The modes alternate in
rounds so a drifting machine favours neither. Two more modes say where the
floor is: one `SELECT 1` in the save's transaction (the cost of any extra
statement), and the same one-row INSERT as emit's into a copy of the event
table without an index or a foreign key (the cost of any extra row).
Headline: `emit_overhead: <seconds on / seconds off>` (target <= 1.3).
"""

import argparse
import datetime
import time

import harness

ROUNDS = 10


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--saves", type=int, default=1000)
    args = parser.parse_args()
    with harness.bench_database(), harness.relay(interval=0.01):
        run(args.saves)


def run(saves):
    from django.db.models.signals import post_save

    from tests.testapp.models import Appointment

    print(f"emit_overhead: {saves:,} saves, notifications on vs off ({harness.machine()})")
    organisation, client = _domain()
    per_round = max(saves // ROUNDS, 1)
    _save_bookings(organisation, client, 50)  # warm up: connections, caches, the broker
    post_save.connect(_booked, sender=Appointment)
    _save_bookings(organisation, client, 50)
    post_save.disconnect(_booked, sender=Appointment)
    _wait_for_the_relay()
    _create_bare_table()
    receivers = {"off": None, "on": _booked, "SELECT 1": _select_one, "a bare row": _bare_row}
    seconds = dict.fromkeys(receivers, 0.0)
    caller = 0.0  # "on", without waiting for the relay
    queries = {}
    for _round in range(ROUNDS):
        for mode, receiver in receivers.items():
            if receiver:
                post_save.connect(receiver, sender=Appointment)
            with harness.counting_queries() as counter, harness.Timer() as timer:
                _save_bookings(organisation, client, per_round)
                saved, statements = time.perf_counter(), counter["queries"]
                _wait_for_the_relay()
            if receiver:
                post_save.disconnect(receiver, sender=Appointment)
            seconds[mode] += timer.seconds
            if mode == "on":
                caller += saved - timer.start
            queries[mode] = statements / per_round
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
            print("notifications on, the caller's path only (before the relay caught up):")
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


def _create_bare_table():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_bare_event "
            "(LIKE notifications_event INCLUDING DEFAULTS INCLUDING IDENTITY)"
        )


def _bare_row(sender, instance, created, **kwargs):
    """emit's one-row INSERT, its parameters made in advance, into a table that has nothing
    to maintain but its rows: what the database charges for one more row."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_BARE_INSERT, _BARE_PARAMS)
        cursor.fetchone()


_BARE_INSERT = (
    "INSERT INTO bench_bare_event (code, organisation_id, target_type_id, target_id, actor_id,"
    " data, batch_id, created_at, is_test, queued_at, planned_at, planning_attempts,"
    " planning_error) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, FALSE, NULL, NULL, 0, '')"
    " RETURNING id"
)
_BARE_PARAMS = (
    "testapp.booked",
    None,
    None,
    1,
    None,
    "{}",
    None,
    datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC),
)


def _wait_for_the_relay(timeout=60):
    """Until every event stored is on the broker; the polls are not the saves' queries."""
    from notifications.models import Event

    waiting = Event.objects.filter(queued_at=None)
    deadline = time.monotonic() + timeout
    while waiting.exists():
        assert time.monotonic() < deadline, "the relay did not catch up"
        time.sleep(0.001)


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
