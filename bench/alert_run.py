"""A route run: one run whose route holds N/2 contracts, each person green by SMS and email.

    python bench/alert_run.py --points 100000

Engine: `start_run` (its batch, stops and event) then `plan_event` as the worker would:
N green contact points -> N queued deliveries, plus the rows the engine logs for the
method nobody has (voice: "no address for this channel"). Baseline: a raw `bulk_create`
of the same rows in chunks of the engine's size, in the same run, each phase in its own
process (its own peak memory). The run also plans at N/10 to show that the number of
queries follows the number of chunks, not the number of recipients.
Headline: `alert_run: <engine seconds / bulk_create seconds>` (target <= 2.0).

The second target of issue 18 — an urgent message queued during such a run leaves as
fast as on an idle system — is argued by the queues (bulk vs high, one worker pool per
queue: DESIGN) and measured by `throughput.py`'s workers, not here (not done yet).
"""

import argparse
import json

import harness

CHUNK = 5000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each phase; best kept")
    parser.add_argument("--phase", choices=["baseline", "engine"], help=argparse.SUPPRESS)
    parser.add_argument("--route", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        harness.attach()
        phase = {"baseline": baseline, "engine": engine}[args.phase]
        print(json.dumps(phase(args.route)))
        return
    with harness.bench_database():
        run(args.points, args.repeat)


def run(points, repeat):
    contracts = points // 2
    small_route = _domain(max(contracts // 10, 1), "Petite")
    big_route = _domain(contracts, "Grande")
    print(f"alert_run: one run -> {points:,} green contact points ({harness.machine()})")
    small = _phase("engine", small_route)
    _empty()
    base, planned = [], []
    for _round in range(repeat):
        base.append(_phase("baseline", big_route))
        _empty()
        planned.append(_phase("engine", big_route))
        _empty()
    base = min(base, key=lambda result: result["seconds"])
    planned = min(planned, key=lambda result: result["seconds"])
    _report("raw bulk_create of the same rows", base)
    _report(f"engine run, {max(points // 10, 2):,} points", small)
    _report(f"engine run, {points:,} points", planned)
    harness.figure(
        "queries per 1,000 contact points",
        round(1000 * planned["queries"] / points, 2),
        "(no per-recipient query)",
    )
    harness.headline("alert_run", planned["seconds"] / base["seconds"])


def _phase(name, route):
    return json.loads(harness.in_subprocess("alert_run.py", "--phase", name, "--route", str(route)))


def _report(label, result):
    print(f"{label}:")
    harness.figure("rows", result["rows"])
    harness.figure("time", result["seconds"], "s")
    harness.figure("queries", result["queries"])
    harness.figure("peak RSS", round(result["peak_rss_mb"], 1), "MB")


def _domain(contracts, name):
    """A company, a route of `contracts` contracts, each with a person green by SMS and email."""
    from accounts.models import Organisation
    from alerts.consent import purpose_of
    from alerts.models import Company, ContactPoint, Contract, Occupant, Route, Service
    from notifications.consent.models import ConsentRecord, ContactConsent

    organisation, _created = Organisation.objects.get_or_create(
        name=f"Bench {name}",
        defaults={"sending_mode": Organisation.SendingMode.PRODUCTION, "time_zone": "UTC"},
    )
    # A zone where it is daytime now: the bench measures planning, not the 07:00–20:00 window.
    company = Company.objects.create(organisation=organisation, name=name, time_zone=_daytime())
    route = Route.objects.create(company=company, name=name)
    service = Service.objects.create(company=company, name="Entrée")
    proof = ConsentRecord.objects.create(
        kind="opt_in_given", channel="sms", method="sms", organisation=organisation, text="OUI"
    )
    for start in range(0, contracts, CHUNK):
        numbers = range(start, min(start + CHUNK, contracts))
        made = Contract.objects.bulk_create(
            Contract(company=company, number=f"{name}-{i}", holder=f"H {i}", address=f"{i}, rue A",
                     city="Laval", route=route, position=i + 1)
            for i in numbers
        )  # fmt: skip
        Contract.services.through.objects.bulk_create(
            Contract.services.through(contract_id=c.pk, service_id=service.pk) for c in made
        )
        people = Occupant.objects.bulk_create(
            Occupant(company=company, name=f"Occupant {i}") for i in numbers
        )
        Occupant.contracts.through.objects.bulk_create(
            Occupant.contracts.through(occupant_id=o.pk, contract_id=c.pk)
            for o, c in zip(people, made, strict=True)
        )
        points = []
        for o, i in zip(people, numbers, strict=True):
            points.append(
                ContactPoint(company=company, occupant=o, method="sms", address=_phone(name, i))
            )
            points.append(
                ContactPoint(
                    company=company, occupant=o, method="email", address=f"o{i}@{name}.test"
                )
            )
        ContactPoint.objects.bulk_create(points)
        ContactConsent.objects.bulk_create(
            ContactConsent(organisation=organisation, purpose=purpose_of(company), channel=p.method,
                           address=p.address, state="accepted", record=proof,
                           updated_at=proof.created_at)
            for p in points
        )  # fmt: skip
    harness.sql("VACUUM ANALYZE")
    return route.pk


def _daytime():
    import datetime
    import zoneinfo

    zones = ["America/Toronto", "Europe/Paris", "Asia/Kolkata", "Asia/Tokyo", "Pacific/Auckland"]
    now = datetime.datetime.now(datetime.UTC)
    return next(z for z in zones if 9 <= now.astimezone(zoneinfo.ZoneInfo(z)).hour < 18)


def _phone(name, i):
    return f"+1{514 if name == 'Grande' else 438}{2_000_000 + i:07d}"


def _empty():
    from alerts.models import RouteRun

    RouteRun.objects.all().delete()
    harness.sql("TRUNCATE notifications_delivery, notifications_batchtally")
    harness.sql("DELETE FROM notifications_event")
    harness.sql("DELETE FROM notifications_batch")
    harness.sql("VACUUM ANALYZE notifications_delivery")


def engine(route_id):
    """Start the run (all at once) and plan its event as the worker would; nothing is sent."""
    from alerts import services
    from alerts.models import Route
    from notifications import dispatch, outbox
    from notifications.models import Delivery, Event

    outbox.queue_sends = lambda rows, countdown=None: None  # planning only
    # Not eager: no relay runs here, the event waits in its table; it is planned below.
    route = Route.objects.get(pk=route_id)
    start_rss = harness.peak_rss_mb()
    with harness.counting_queries() as counter, harness.Timer() as timer:
        run = services.start_run(route)
        event = Event.objects.get(batch=run.batch)
        dispatch.plan_event(event.pk)
    queued = Delivery.objects.filter(event=event, status=Delivery.Status.QUEUED).count()
    points = 2 * route.contracts.count()
    assert queued == points, f"queued {queued} deliveries for {points} green points"
    return _result(timer, counter, start_rss, Delivery.objects.filter(event=event).count())


def baseline(route_id):
    """The same rows (two queued, one without address, per person), with bulk_create."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from alerts.models import Occupant, Route, RouteRun
    from notifications import batches
    from notifications.models import Delivery, Event, Rule
    from notifications.planning import CHUNK_SIZE

    route = Route.objects.select_related("company__organisation").get(pk=route_id)
    organisation = route.company.organisation
    rule = Rule.objects.get(default_key="alerts.truck_coming/occupants")
    batch = batches.start(organisation, "Bench", "route_run")
    run = RouteRun.objects.create(
        route=route, company=route.company, batch=batch, started_at=timezone.now()
    )
    kind = ContentType.objects.get_for_model(RouteRun)
    about = ContentType.objects.get_for_model(route.contracts.model)
    event = Event.objects.create(code="alerts.truck_coming", organisation=organisation,
                                 target_type=kind, target_id=run.pk, batch=batch)  # fmt: skip
    people = list(
        Occupant.objects.filter(contracts__route=route).values_list(
            "pk", "contracts", "contact_points__method", "contact_points__address"
        )
    )
    by_person = {}
    for pk, contract, method, address in people:
        by_person.setdefault((pk, contract), {})[method] = address
    start_rss = harness.peak_rss_mb()
    with harness.counting_queries() as counter, harness.Timer() as timer:
        now = timezone.now()
        rows = []
        for (pk, contract), addresses in by_person.items():
            for channel in ("sms", "email", "voice"):
                address = addresses.get(channel, "")
                rows.append(
                    Delivery(
                        event=event, batch=batch, rule=rule, organisation=organisation,
                        target_type=kind, target_id=run.pk, about_type=about, about_id=contract,
                        recipient_key=f"alerts.occupant:{pk}", recipient_name=f"Occupant {pk}",
                        address=address, language="fr", time_zone="UTC", channel=channel,
                        priority="bulk", send_at=now,
                        dedupe_key=f"{event.pk}:{rule.pk}:alerts.occupant:{pk}:{channel}|c:{contract}",
                        status="queued" if address else "suppressed",
                    )
                )  # fmt: skip
                if len(rows) == CHUNK_SIZE:
                    Delivery.objects.bulk_create(rows)
                    rows = []
        Delivery.objects.bulk_create(rows)
    return _result(timer, counter, start_rss, Delivery.objects.filter(event=event).count())


def _result(timer, counter, start_rss, rows):
    return {
        "seconds": timer.seconds,
        "queries": counter["queries"],
        "rows": rows,
        "start_rss_mb": start_rss,
        "peak_rss_mb": harness.peak_rss_mb(),
    }


if __name__ == "__main__":
    main()
