"""An urgent message during a route run: does it leave as fast as on an idle system?

    python bench/alert_urgent.py --points 20000 --latency-ms 20

Real workers on Redis and the relay process, one worker pool per queue as production
runs them (DESIGN): `bulk`
for the run's fan-out, `high,default` for the rest; anymail's Brevo backend sends to
the fake provider on 127.0.0.1, which answers after --latency-ms. First, on the idle
system, an urgent message (a security code: high priority) is emitted --tries times and
the time from `emit` to `sent` measured; then the same while a run alerts --points
green email contact points (each try is made while the run still has messages waiting).
Headline: `alert_urgent: <median during the run / median idle>` (target: about 1).
"""

import argparse
import os
import statistics
import time

import harness

WAIT_LIMIT = 120


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=20_000)
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--tries", type=int, default=5)
    args = parser.parse_args()
    with harness.bench_database():
        run(args)


def run(args):
    from tests.fake_provider import FakeProvider

    print(
        f"alert_urgent: an urgent email during a run to {args.points:,} email contact points, "
        f"provider latency {args.latency_ms} ms ({harness.machine()})"
    )
    provider = FakeProvider(latency=args.latency_ms / 1000, keep_alive=True).start()
    env = _worker_env(provider)
    try:
        with (
            harness.relay(interval=0.01),  # puts new events on the broker, as in production
            harness.celery_workers(1, 16, queues="bulk", name="bulk", **env),
            harness.celery_workers(1, 4, queues="high,default", name="urgent", **env),
        ):
            person = _urgent_domain()
            route = _route(args.points)
            idle = [_urgent(person) for _ in range(args.tries)]
            busy, waiting = _during_run(route, person, args.tries)
    finally:
        provider.stop()
    print("idle system:")
    harness.figure("emit -> sent, median", round(statistics.median(idle), 3), "s")
    harness.figure("each", ", ".join(f"{s:.3f}" for s in idle))
    print(f"during the run ({args.points:,} messages on the bulk queue):")
    harness.figure("emit -> sent, median", round(statistics.median(busy), 3), "s")
    harness.figure("each", ", ".join(f"{s:.3f}" for s in busy))
    harness.figure("run's messages still waiting at each try", ", ".join(map(str, waiting)))
    harness.headline("alert_urgent", statistics.median(busy) / statistics.median(idle))


def _worker_env(provider):
    return {
        "EMAIL_BACKEND": "anymail.backends.brevo.EmailBackend",
        "ANYMAIL_BREVO_API_KEY": "bench-key",
        "ANYMAIL_BREVO_API_URL": provider.url + "/v3/",
        "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "300"),
        "RELAIS_SEND_BATCH_SIZE": os.environ.get("RELAIS_SEND_BATCH_SIZE", "50"),
        "RELAIS_SEND_THREADS": os.environ.get("RELAIS_SEND_THREADS", "8"),
    }


def _urgent_domain():
    """Someone a security code goes to, by email, at high priority."""
    from accounts.models import Organisation, User
    from notifications.models import MessageTemplate, Rule
    from tests.testapp.models import Appointment

    organisation = Organisation.objects.create(name="Urgent", sending_mode="production")
    user = User.objects.create(email="urgent@example.test", display_name="Urgent")
    appointment = Appointment.objects.create(
        organisation=organisation, title="Code", start="2027-01-10T07:00Z", client=user
    )
    rule = Rule.objects.create(
        name="Code", event_code="testapp.secret_code", roles=["client"], channels=["email"],
        priority="high",
    )  # fmt: skip
    for language in ("fr", "en"):
        MessageTemplate.objects.create(
            rule=rule, channel="email", language=language, subject="Code", body="{{ code }}"
        )
    return appointment


def _route(points):
    """A company whose route holds `points` contracts, each person green by email only."""
    from accounts.models import Organisation
    from alerts.consent import purpose_of
    from alerts.models import Company, ContactPoint, Contract, Occupant, Route, Service
    from notifications.consent.models import ConsentRecord, ContactConsent

    organisation = Organisation.objects.create(name="Boréal", sending_mode="production")
    company = Company.objects.create(organisation=organisation, name="Boréal", time_zone="UTC")
    route = Route.objects.create(company=company, name="Nord")
    service = Service.objects.create(company=company, name="Entrée")
    proof = ConsentRecord.objects.create(
        kind="opt_in_given", channel="email", method="link", organisation=organisation
    )
    contracts = Contract.objects.bulk_create(
        (Contract(company=company, number=str(i), holder="H", address=f"{i}, rue A", city="Laval",
                  route=route, position=i + 1) for i in range(points)),
        batch_size=5000,
    )  # fmt: skip
    Contract.services.through.objects.bulk_create(
        (Contract.services.through(contract_id=c.pk, service_id=service.pk) for c in contracts),
        batch_size=5000,
    )
    people = Occupant.objects.bulk_create(
        (Occupant(company=company, name=f"O {i}") for i in range(points)), batch_size=5000
    )
    Occupant.contracts.through.objects.bulk_create(
        (
            Occupant.contracts.through(occupant_id=o.pk, contract_id=c.pk)
            for o, c in zip(people, contracts, strict=True)
        ),
        batch_size=5000,
    )
    ContactPoint.objects.bulk_create(
        (ContactPoint(company=company, occupant=o, method="email", address=f"o{o.pk}@x.test")
         for o in people),
        batch_size=5000,
    )  # fmt: skip
    ContactConsent.objects.bulk_create(
        (ContactConsent(organisation=organisation, purpose=purpose_of(company), channel="email",
                        address=f"o{o.pk}@x.test", state="accepted", record=proof,
                        updated_at=proof.created_at) for o in people),
        batch_size=5000,
    )  # fmt: skip
    harness.sql("VACUUM ANALYZE")
    return route


def _urgent(appointment):
    """Emit one security code; the seconds until its delivery is sent."""
    from django.db import transaction

    import notifications
    from notifications.models import Delivery

    start = time.time()
    with transaction.atomic():
        event = notifications.emit("testapp.secret_code", appointment, code="123456")
    deadline = time.monotonic() + WAIT_LIMIT
    while time.monotonic() < deadline:
        sent = Delivery.objects.filter(event=event, status="sent").values_list("sent_at", flat=True)
        if sent:
            return sent[0].timestamp() - start
        time.sleep(0.01)
    raise RuntimeError("the urgent message never left")


def _during_run(route, person, tries):
    from django.db import transaction

    from alerts import services
    from notifications.models import Delivery

    with transaction.atomic():
        run = services.start_run(route)
    pending = Delivery.objects.filter(batch=run.batch, status__in=["queued", "sending"])
    sent = Delivery.objects.filter(batch=run.batch, status="sent")
    deadline = time.monotonic() + WAIT_LIMIT
    while not sent.exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # the run is sending
    busy, waiting = [], []
    for _try in range(tries):
        waiting.append(pending.count())
        busy.append(_urgent(person))
        time.sleep(0.5)
    if not pending.exists():
        print("warning: the run finished before the last try: use more --points")
    return busy, waiting


if __name__ == "__main__":
    main()
