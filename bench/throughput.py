"""Throughput, end to end: emit -> plan -> send, with real workers, Redis and HTTP.

    python bench/throughput.py --n 10000 --latency-ms 20

Two Celery worker processes on Redis (the relay process queues the event)
send email through the real anymail Brevo backend to the fake provider
(tests/fake_provider.py) on 127.0.0.1,
which answers after --latency-ms. Baseline: a bare Celery task making the
same HTTP POST (bench/tasks.py), on the same workers. The engine run starts
at `emit` and ends when the last delivery is `sent`, so it includes planning.
Then the same at longer provider latencies (--more-latencies), where only
overlapping round trips keep the rate up. Last, where the time goes: one
thread sends in-process and each step of `sending.send` is timed.
Headline: `throughput: <engine messages/s / baseline messages/s>` (target >= 0.7).
"""

import argparse
import json
import os
import time

import harness

WAIT_LIMIT = 600  # seconds without which a run is declared stuck


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--pool", default="threads")
    parser.add_argument("--concurrency", type=int, default=16, help="threads per process")
    parser.add_argument("--more-latencies", default="100,300", help="ms; '' to skip")
    parser.add_argument("--more-n", type=int, default=3000, help="messages at those latencies")
    args = parser.parse_args()
    with harness.bench_database():
        run(args)


def run(args):
    from tests.fake_provider import FakeProvider

    print(
        f"throughput: {args.n:,} emails, {args.processes} worker processes "
        f"(--pool {args.pool} --concurrency {args.concurrency}), provider latency "
        f"{args.latency_ms} ms ({harness.machine()})"
    )
    provider = FakeProvider(latency=args.latency_ms / 1000, keep_alive=True).start()
    try:
        with (
            harness.relay(),
            harness.celery_workers(
                args.processes, args.concurrency, pool=args.pool, **_worker_env(provider)
            ) as workers,
        ):
            _run_engine(_domain(200), provider)  # warm up; its request is the baseline's
            request = provider.received[-1]
            base = _with_cpu(workers, lambda: _run_baseline(request, provider, args.n))
            engine = _with_cpu(workers, lambda: _run_engine(_domain(args.n), provider))
            _report("baseline: bare task, same POST", base)
            _report("engine: emit -> plan -> send", engine)
            _where_it_went(engine, args.latency_ms)
            more = [int(ms) for ms in args.more_latencies.split(",") if ms.strip()]
            for latency_ms in more:
                provider.latency = latency_ms / 1000
                result = _run_engine(_domain(args.more_n), provider)
                _report(f"engine at {latency_ms} ms provider latency", result)
                serial = args.processes / (latency_ms / 1000)
                harness.figure(
                    "overlap (messages/s / one round trip at a time per process)",
                    round(result["rate"] / serial, 1),
                    f"x (serial cap {serial:.0f}/s)",
                )
            serial = args.processes / (args.latency_ms / 1000)
            print(f"at {args.latency_ms} ms:")
            harness.figure(
                "overlap (messages/s / one round trip at a time per process)",
                round(engine["rate"] / serial, 1),
                f"x (serial cap {serial:.0f}/s)",
            )
            for worker in workers:
                harness.figure(
                    f"worker {worker.pid} peak RSS",
                    round(harness.process_peak_rss_mb(worker.pid, with_children=True), 1),
                    "MB",
                )
    finally:
        provider.stop()
    _profile_one_thread(provider_latency=0)
    harness.figure("bench process peak RSS", round(harness.peak_rss_mb(), 1), "MB")
    harness.headline("throughput", engine["rate"] / base["rate"])


def _with_cpu(workers, run):
    """Run, and add the CPU milliseconds per message spent by the workers, PostgreSQL and us."""
    pids = [worker.pid for worker in workers]
    before = [harness.process_cpu_seconds(pid, with_children=True) for pid in pids]
    postgres = harness.postgres_cpu_seconds()
    ours = time.process_time()
    result = run()
    n = result["n"]
    used = [
        harness.process_cpu_seconds(pid, with_children=True) - cpu
        for pid, cpu in zip(pids, before, strict=True)
    ]
    result["cpu_ms"] = {
        "workers": 1000 * sum(used) / n,
        "PostgreSQL": 1000 * (harness.postgres_cpu_seconds() - postgres) / n,
        "fake provider and bench": 1000 * (time.process_time() - ours) / n,
    }
    return result


def _worker_env(provider):
    return {
        "EMAIL_BACKEND": "anymail.backends.brevo.EmailBackend",
        "ANYMAIL_BREVO_API_KEY": "bench-key",
        "ANYMAIL_BREVO_API_URL": provider.url + "/v3/",
        # Each worker thread keeps its database connection between tasks.
        "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "300"),
        # Production's sending: batches of 50, 8 provider calls in flight per process.
        "RELAIS_SEND_BATCH_SIZE": os.environ.get("RELAIS_SEND_BATCH_SIZE", "50"),
        "RELAIS_SEND_THREADS": os.environ.get("RELAIS_SEND_THREADS", "8"),
    }


def _domain(n):
    """An appointment with `n` guests and one email rule for them (bulk queue)."""
    from accounts.models import Organisation, User
    from notifications.events import Priority
    from notifications.models import MessageTemplate, Rule
    from tests.testapp.models import Appointment, Guest

    organisation, _created = Organisation.objects.get_or_create(
        name="Bench", defaults={"sending_mode": Organisation.SendingMode.PRODUCTION}
    )
    client, _created = User.objects.get_or_create(email="bench@example.test")
    appointment = Appointment.objects.create(
        organisation=organisation, title="Alerte neige", start="2027-01-10T07:00Z", client=client
    )
    Guest.objects.bulk_create(
        (
            Guest(
                appointment=appointment, name=f"Occupant {i}", email=f"o{i}.{appointment.pk}@x.test"
            )
            for i in range(n)
        ),
        batch_size=5000,
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
        for language, subject, body in [
            ("fr", "Neige : {{ title }}", "Bonjour {{ recipient_name }}, déneigement {{ start }}."),
            ("en", "Snow: {{ title }}", "Hello {{ recipient_name }}, snow clearing {{ start }}."),
        ]:
            MessageTemplate.objects.create(
                rule=rule, channel="email", language=language, subject=subject, body=body
            )
    return appointment


def _run_engine(appointment, provider):
    """Emit one event for the appointment's guests; wait until every delivery is sent."""
    from django.db import transaction
    from django.db.models import Max, Min

    import notifications
    from notifications.models import Delivery

    n = appointment.guests.count()
    start = time.time()
    with transaction.atomic():
        event = notifications.emit("testapp.booked", appointment)
    deliveries = Delivery.objects.filter(event=event)
    _wait(lambda: deliveries.filter(status=Delivery.Status.SENT).count(), n, deliveries)
    times = deliveries.aggregate(
        first_claim=Min("claimed_at"), last_sent=Max("sent_at"), last_created=Max("created_at")
    )
    seconds = times["last_sent"].timestamp() - start
    return {
        "n": n,
        "seconds": seconds,
        "rate": n / seconds,
        "planned_after": times["last_created"].timestamp() - start,
        "first_send_after": times["first_claim"].timestamp() - start,
        "in_sending": _mean_sending_seconds(deliveries),
    }


def _mean_sending_seconds(deliveries):
    """Mean time a delivery spent between its claim and its sent mark."""
    (mean,) = harness.sql(
        "SELECT avg(extract(epoch FROM sent_at - claimed_at)) FROM notifications_delivery "
        "WHERE id IN (SELECT id FROM notifications_delivery WHERE event_id = %s)",
        [deliveries.first().event_id],
    )[0]
    return float(mean)


def _run_baseline(request, provider, n):
    from bench.tasks import post_email

    body = json.dumps(request.body)
    headers = {"api-key": "bench-key", "Content-Type": "application/json"}
    url = provider.url + request.path
    before = provider.answered
    start = time.time()
    for _index in range(n):
        post_email.apply_async((url, body, headers), queue="bulk")
    _wait(lambda: provider.answered - before, n)
    seconds = time.time() - start
    return {"n": n, "seconds": seconds, "rate": n / seconds}


def _wait(done, n, deliveries=None):
    progress, last_change = -1, time.monotonic()
    while (count := done()) < n:
        if count != progress:
            progress, last_change = count, time.monotonic()
        if time.monotonic() - last_change > WAIT_LIMIT:
            raise RuntimeError(f"stuck at {count}/{n}")
        if deliveries is not None and deliveries.filter(status="failed").exists():
            failed = deliveries.filter(status="failed").first()
            raise RuntimeError(f"a delivery failed: {failed.last_error}")
        time.sleep(0.05)


def _report(label, result):
    print(f"{label}:")
    harness.figure("messages", result["n"])
    harness.figure("time", result["seconds"], "s")
    harness.figure("messages/s", round(result["rate"]))
    for where, milliseconds in result.get("cpu_ms", {}).items():
        harness.figure(f"CPU per message, {where}", round(milliseconds, 2), "ms")
    if "planned_after" in result:
        harness.figure("planned after", result["planned_after"], "s")
        harness.figure("first send after", result["first_send_after"], "s")
        harness.figure("mean claim -> sent", round(1000 * result["in_sending"], 1), "ms")


def _where_it_went(engine, latency_ms):
    print("where the time goes (engine, from the delivery rows):")
    harness.figure("planning (emit -> all rows planned)", engine["planned_after"], "s")
    harness.figure(
        "per message, claim -> sent",
        round(1000 * engine["in_sending"], 1),
        f"ms, of which {latency_ms} ms is the provider's answer",
    )


def _profile_one_thread(provider_latency, n=300):
    """Time each step of sending.send, one thread, in this process, against a provider."""
    from django.conf import settings

    import notifications
    from notifications import outbox, sending
    from notifications.channels import email
    from notifications.dispatch import plan_event
    from notifications.models import Delivery
    from tests.fake_provider import FakeProvider

    provider = FakeProvider(latency=provider_latency, keep_alive=True).start()
    settings.EMAIL_BACKEND = "anymail.backends.brevo.EmailBackend"
    settings.ANYMAIL = {"BREVO_API_KEY": "bench-key", "BREVO_API_URL": provider.url + "/v3/"}
    steps = {}

    def timed(owner, name, label):
        function = getattr(owner, name)

        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                steps[label] = steps.get(label, 0.0) + time.perf_counter() - start

        setattr(owner, name, wrapper)

    outbox.queue_sends = lambda rows: None
    appointment = _domain(n)
    event = notifications.emit("testapp.booked", appointment)
    plan_event(event.pk)
    ids = list(Delivery.objects.filter(event=event).values_list("pk", flat=True))
    timed(sending, "_stopped", "checks before sending (conditions, suppression list)")
    timed(sending, "render_delivery", "rendering and storing the text")
    timed(email.EmailChannel, "build", "building the email (headers, attachment)")
    timed(email.EmailChannel, "transmit", "anymail payload + HTTP round trip (pool thread)")
    timed(sending, "_record", "recording the results")
    try:
        with harness.counting_queries() as counter, harness.Timer() as total:
            for start in range(0, len(ids), 50):
                sending.send_batch(ids[start : start + 50])
    finally:
        provider.stop()
    print(
        f"where the time goes (in-process, batches of 50, one provider thread, answering at once,"
        f" {n} sends):"
    )
    harness.figure("per message", round(1000 * total.seconds / n, 2), "ms")
    harness.figure("queries per message", round(counter["queries"] / n, 1))
    accounted = 0.0
    for label, seconds in steps.items():
        harness.figure(f"  {label}", round(1000 * seconds / n, 2), "ms")
        accounted += seconds
    harness.figure(
        "  claim, loading the row",
        round(1000 * (total.seconds - accounted) / n, 2),
        "ms",
    )


if __name__ == "__main__":
    main()
