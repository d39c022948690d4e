"""Due dispatch: claim the due rows among a million scheduled deliveries.

    python bench/dispatch_due.py --rows 1000000 --due 1000

`dispatch_due` (beat, every minute) claims the scheduled deliveries whose
time has come and queues them. Measured here: its claim (queueing stubbed
out), against the same claim written as raw SQL — one statement that
selects with FOR UPDATE SKIP LOCKED and updates, batch after batch until a
short one. Rows are reset and the table vacuumed between runs; the two
alternate and each keeps its median. The claim's plan is printed: it must
read the partial index `delivery_due`, not the table.
Headline: `dispatch_due: <engine seconds / raw SQL seconds>` (target <= 1.5).
"""

import argparse

import harness

RUNS = 5

RAW_CLAIM = """
WITH due AS (
    SELECT id FROM notifications_delivery
    WHERE status = 'scheduled' AND send_at <= %(now)s
    ORDER BY send_at
    LIMIT %(batch)s
    FOR UPDATE SKIP LOCKED
)
UPDATE notifications_delivery AS delivery
SET status = 'queued', updated_at = %(now)s
FROM due WHERE delivery.id = due.id
RETURNING delivery.id, delivery.priority
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1000)
    args = parser.parse_args()
    with harness.bench_database():
        run(args.rows, args.due)


def run(rows, due):
    from django.utils import timezone

    from notifications import dispatch, outbox

    print(f"dispatch_due: {due:,} due among {rows:,} scheduled deliveries ({harness.machine()})")
    with harness.Timer() as loading:
        _scheduled_deliveries(rows, due)
    harness.figure("loading the table (not measured)", loading.seconds, "s")
    outbox.queue_sends = lambda rows: None  # the claim only: nothing is queued
    now = timezone.now()
    _explain(now)
    engine, raw, queries = [], [], 0
    for _run in range(RUNS):
        with harness.counting_queries() as counter, harness.Timer() as timer:
            claimed = dispatch.dispatch_due(now=now)
        assert claimed == due, f"dispatch_due claimed {claimed} of {due}"
        engine.append(timer.seconds)
        queries = counter["queries"]
        _reset()
        with harness.Timer() as timer:
            claimed = _raw_claim(now, dispatch.DISPATCH_BATCH)
        assert claimed == due, f"the raw claim took {claimed} of {due}"
        raw.append(timer.seconds)
        _reset()
    engine, raw = harness.median(engine), harness.median(raw)
    for label, seconds in (("engine dispatch_due", engine), ("raw SQL", raw)):
        print(f"{label} (median of {RUNS}):")
        harness.figure("time", round(1000 * seconds, 2), "ms")
        harness.figure("rows/s", round(due / seconds))
    harness.figure("engine queries per claim", queries)
    harness.figure("peak RSS", round(harness.peak_rss_mb(), 1), "MB")
    harness.headline("dispatch_due", engine / raw)


def _scheduled_deliveries(rows, due):
    """`rows` scheduled deliveries, `due` of them due; copied in SQL from one ORM-made row."""
    from django.utils import timezone

    from accounts.models import Organisation
    from notifications.models import Delivery, Event, Rule

    organisation = Organisation.objects.create(name="Bench")
    event = Event.objects.create(code="testapp.booked", organisation=organisation)
    rule = Rule.objects.create(name="Reminder", event_code="testapp.booked", anchor="start")
    template = Delivery.objects.create(
        event=event,
        rule=rule,
        organisation=organisation,
        recipient_key="template",
        recipient_name="Occupant",
        address="template@example.test",
        language="fr",
        time_zone="Europe/Paris",
        channel="email",
        priority="bulk",
        dedupe_key="template",
        status=Delivery.Status.SCHEDULED,
        send_at=timezone.now(),
    )
    columns = [f.column for f in Delivery._meta.concrete_fields if f.column != "id"]
    overrides = {
        "recipient_key": "'bench:' || i",
        "address": "'occupant' || i || '@example.test'",
        "dedupe_key": "'bench:' || i",
        # The first `due` are due (a few seconds ago); the rest spread over the years ahead.
        "send_at": f"CASE WHEN i <= {due} THEN now() - make_interval(secs => i) "
        f"ELSE now() + make_interval(mins => i) END",
    }
    select = ", ".join(overrides.get(column, f"template.{column}") for column in columns)
    harness.sql(
        f"INSERT INTO notifications_delivery ({', '.join(columns)}) "
        f"SELECT {select} FROM notifications_delivery template, generate_series(1, %s) AS i "
        f"WHERE template.id = %s",
        [rows, template.pk],
    )
    template.delete()
    harness.sql("VACUUM ANALYZE notifications_delivery")


def _explain(now):
    from django.db import transaction

    from notifications.models import Delivery

    with transaction.atomic():
        plan = (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=Delivery.Status.SCHEDULED, send_at__lte=now)
            .order_by("send_at")
            .values_list("pk", "priority")[:1000]
            .explain(analyze=True)
        )
    print("EXPLAIN ANALYZE of the claim's SELECT:")
    for line in plan.splitlines():
        print(f"    {line}")
    uses_index = "delivery_due" in plan and "Seq Scan" not in plan
    harness.figure("the claim reads the index delivery_due", "yes" if uses_index else "NO")


def _raw_claim(now, batch):
    from django.db import transaction

    total = 0
    while True:
        with transaction.atomic():
            rows = harness.sql(RAW_CLAIM, {"now": now, "batch": batch})
        total += len(rows)
        if len(rows) < batch:
            return total


def _reset():
    """Put the claimed rows back, and vacuum so neither side reads the other's dead rows."""
    harness.sql("UPDATE notifications_delivery SET status = 'scheduled' WHERE status = 'queued'")
    harness.sql("VACUUM ANALYZE notifications_delivery")


if __name__ == "__main__":
    main()
