"""Fan-out: one event whose role resolves to N plain contacts -> N deliveries planned.

    python bench/fanout.py --n 100000

Baseline: a raw `bulk_create` of the same N rows, in chunks of the same size,
in the same run. Each phase runs in its own process, so the peak memory
printed is that phase's own. Planning also runs at N/10 to show that the
number of queries follows the number of chunks, not the number of recipients.
Headline: `fanout: <engine seconds / bulk_create seconds>` (target <= 2.0).
"""

import argparse
import json

import harness

GUEST_CHUNK = 5000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each phase; best kept")
    # Internal: each phase runs in a process of its own.
    parser.add_argument("--phase", choices=["baseline", "engine", "batch"], help=argparse.SUPPRESS)
    parser.add_argument("--appointment", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        harness.attach()
        phase = {"baseline": baseline, "engine": engine, "batch": in_a_batch}[args.phase]
        print(json.dumps(phase(args.appointment, args.n)))
        return
    with harness.bench_database():
        run(args.n, args.repeat)


def run(n, repeat):
    small = max(n // 10, 1)
    big_appointment = _domain(n)
    small_appointment = _domain(small)
    print(f"fanout: one event -> {n:,} plain contacts, on PostgreSQL ({harness.machine()})")
    planned_small = _phase("engine", small_appointment, small)
    _empty_deliveries()
    # Alternate the phases and keep each one's best run: the disk and autovacuum are noisy.
    base, planned = [], []
    for _round in range(repeat):
        base.append(_phase("baseline", big_appointment, n))
        _empty_deliveries()
        planned.append(_phase("engine", big_appointment, n))
        _empty_deliveries()
    # The same fan-out counted as a batch: what its tally's triggers cost (not in the ratio).
    batched = _phase("batch", big_appointment, n)
    _empty_deliveries()
    base = min(base, key=lambda result: result["seconds"])
    planned = min(planned, key=lambda result: result["seconds"])
    _report("raw bulk_create", base, n)
    _report(f"engine plan_event, N = {small:,}", planned_small, small)
    _report(f"engine plan_event, N = {n:,}", planned, n)
    _report(f"engine plan_event in a batch, N = {n:,}", batched, n)
    harness.figure(
        "queries per 1,000 recipients",
        round(1000 * planned["queries"] / n, 2),
        "(no per-row query)",
    )
    harness.figure(
        "rows/s",
        f"engine {round(n / planned['seconds']):,}, bulk_create {round(n / base['seconds']):,}",
    )
    harness.headline("fanout", planned["seconds"] / base["seconds"])


def _phase(name, appointment, n):
    return json.loads(
        harness.in_subprocess(
            "fanout.py", "--phase", name, "--appointment", str(appointment), "--n", str(n)
        )
    )


def _report(label, result, n):
    print(f"{label}:")
    harness.figure("time", result["seconds"], "s")
    harness.figure("rows/s", round(n / result["seconds"]))
    harness.figure("queries", result["queries"])
    harness.figure("peak RSS", round(result["peak_rss_mb"], 1), "MB")
    harness.figure(
        "RSS added by the work", round(result["peak_rss_mb"] - result["start_rss_mb"], 1), "MB"
    )


def _domain(n):
    """An appointment with `n` guests (plain contacts with an email), and one rule for them."""
    from accounts.models import Organisation
    from notifications.events import Priority
    from notifications.models import MessageTemplate, Rule
    from tests.testapp.models import Appointment, Guest

    organisation, _created = Organisation.objects.get_or_create(
        name="Bench", defaults={"sending_mode": Organisation.SendingMode.PRODUCTION}
    )
    client = _user(organisation)
    appointment = Appointment.objects.create(
        organisation=organisation, title="Alerte neige", start="2027-01-10T07:00Z", client=client
    )
    for start in range(0, n, GUEST_CHUNK):
        Guest.objects.bulk_create(
            Guest(appointment=appointment, name=f"Occupant {i}", email=f"occupant{i}@example.test")
            for i in range(start, min(start + GUEST_CHUNK, n))
        )
    if not Rule.objects.filter(name="Snow alert").exists():
        Rule.objects.all().delete()  # the shipped defaults would send alongside
        rule = Rule.objects.create(
            name="Snow alert",
            event_code="testapp.booked",
            roles=["guests"],
            channels=["email"],
            priority=Priority.BULK,
        )
        MessageTemplate.objects.create(
            rule=rule, channel="email", language="fr", subject="Neige", body="Déneigement à 7 h."
        )
    harness.sql("VACUUM ANALYZE")
    return appointment.pk


def _user(organisation):
    from accounts.models import User

    user, _created = User.objects.get_or_create(email="bench@example.test")
    return user


def _empty_deliveries():
    harness.sql("TRUNCATE notifications_delivery")
    harness.sql("VACUUM ANALYZE notifications_delivery")


def in_a_batch(appointment_id, n):
    """The engine phase, its event part of a batch (a route run): the tally is kept too."""
    from notifications import batches
    from notifications.models import BatchTally
    from tests.testapp.models import Appointment

    appointment = Appointment.objects.get(pk=appointment_id)
    batch = batches.start(appointment.organisation, "Bench", "route_run", targeted=n)
    result = engine(appointment_id, n, batch=batch)
    assert batches.counts(batch).pending == n, "the tally missed rows"
    result["tally_rows"] = BatchTally.objects.filter(batch=batch).count()
    return result


def engine(appointment_id, n, batch=None):
    """Emit one event and plan it as the worker would (sending is another benchmark)."""
    import notifications
    from notifications import dispatch, outbox
    from notifications.models import Delivery
    from tests.testapp.models import Appointment

    outbox.queue_sends = lambda rows: None  # planning only: no message leaves
    appointment = Appointment.objects.get(pk=appointment_id)
    # Autocommit: stored at once.
    event = notifications.emit("testapp.booked", appointment, batch=batch)
    start_rss = harness.peak_rss_mb()
    with harness.counting_queries() as counter, harness.Timer() as timer:
        dispatch.plan_event(event.pk)
    planned = Delivery.objects.filter(event=event, status=Delivery.Status.QUEUED).count()
    assert planned == n, f"planned {planned} deliveries for {n} guests"
    return _result(timer, counter, start_rss)


def baseline(appointment_id, n):
    """The same rows, built and inserted with bulk_create in chunks of the engine's size."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from notifications.models import Delivery, Event, Rule
    from notifications.planning import CHUNK_SIZE
    from tests.testapp.models import Appointment

    appointment = Appointment.objects.get(pk=appointment_id)
    rule = Rule.objects.get(name="Snow alert")
    content_type = ContentType.objects.get_for_model(appointment)
    event = Event.objects.create(
        code="testapp.booked",
        organisation=appointment.organisation,
        target_type=content_type,
        target_id=appointment.pk,
    )
    start_rss = harness.peak_rss_mb()
    with harness.counting_queries() as counter, harness.Timer() as timer:
        now = timezone.now()
        for start in range(0, n, CHUNK_SIZE):
            Delivery.objects.bulk_create(
                Delivery(
                    event=event,
                    rule=rule,
                    organisation_id=appointment.organisation_id,
                    target_type_id=content_type.pk,
                    target_id=appointment.pk,
                    recipient_key=f"testapp.guest:{i}",
                    recipient_name=f"Occupant {i}",
                    address=f"occupant{i}@example.test",
                    language="fr",
                    time_zone="Europe/Paris",
                    channel="email",
                    priority=rule.priority,
                    dedupe_key=f"{event.pk}:{rule.pk}:testapp.guest:{i}:email",
                    status=Delivery.Status.QUEUED,
                    send_at=now,
                )
                for i in range(start, min(start + CHUNK_SIZE, n))
            )
    assert Delivery.objects.filter(event=event).count() == n
    return _result(timer, counter, start_rss)


def _result(timer, counter, start_rss):
    return {
        "seconds": timer.seconds,
        "queries": counter["queries"],
        "start_rss_mb": start_rss,
        "peak_rss_mb": harness.peak_rss_mb(),
    }


if __name__ == "__main__":
    main()
