"""The admin's dashboard (SPEC P-4) with 1,000 deliveries and with 1,000,000.

    python bench/dashboard.py --rows 1000000 --small 1000

The log is filled as bench/admin_log.py fills it (11,000 deliveries a day: 90 days at a
million, two hours at a thousand; three organisations, the measured manager's 80 % of
the rows), in SQL (generate_series), so the dashboard's tally is kept by its triggers as
in production: the same statement-level triggers count each insert. The mix: an SMS that
failed (a Twilio 30003), a call still sending, an email sent, one delivered, an SMS skipped
for the daily cap, and SMS sent with their segments. Each page is the admin's index,
requested through Django's test client as the manager or as a superuser, for each period
(48 hours, 30 days, 12 weeks, 12 months); each keeps its fastest of `--repeat` requests,
its median printed beside it; the small log is measured before and after the large one.

The workers' ping (the health endpoint's, remembered a few seconds) is asked once and
remembered for the whole run: it takes the same time at both sizes (a full second with no
worker to answer), and what is measured is what grows with the log.
Headline: `dashboard: <worst ratio of a page's large to small fastest time>` (target <= 2.0).
"""

import argparse

import harness

PER_DAY = 11_000  # deliveries a day
PER_EVENT = 50
KINDS = 6


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with harness.bench_database():
        run(args.rows, args.small, args.repeat)


def run(rows, small, repeat):
    from django.conf import settings
    from django.test.utils import override_settings

    from config import health

    # DEBUG is off, as in production, but nothing was collected: plain static file names.
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    health.CACHE_SECONDS = 24 * 3600  # the ping once for the run (see above)
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": static}):
        _run(rows, small, repeat)


def _run(rows, small, repeat):
    print(
        f"dashboard: the admin's index at {small:,} and {rows:,} deliveries ({harness.machine()})"
    )
    world = _world()
    results = {}
    for size in (small, rows, small):
        with harness.Timer() as loading:
            _fill(world, size)
        harness.figure(f"loading {size:,} deliveries (not measured)", loading.seconds, "s")
        harness.figure(
            "tally rows", harness.sql("SELECT count(*) FROM notifications_deliverytally")[0][0]
        )
        measured = _measure(world, repeat)
        results[size] = (
            {name: min(results[size][name], measured[name]) for name in measured}
            if size in results
            else measured
        )
    print("page: fastest at small (median), fastest at large (median), ratio")
    worst = 0.0
    for name, (low, low_median) in results[small].items():
        high, high_median = results[rows][name]
        ratio = high / low
        worst = max(worst, ratio)
        print(
            f"  {name}: {1000 * low:.1f} ms ({1000 * low_median:.1f}),"
            f" {1000 * high:.1f} ms ({1000 * high_median:.1f}), {ratio:.2f}"
        )
    harness.headline("dashboard", worst)


def _world():
    """Three organisations, a manager of the middle one, a superuser, a rule."""
    from accounts.models import Membership, Organisation, Role, User
    from notifications.models import Rule

    organisations = [
        Organisation.objects.create(name=name, sending_mode=Organisation.SendingMode.PRODUCTION)
        for name in ("Déneigement Nord", "Résidence du Parc", "Club des Pins")
    ]
    manager = User.objects.create(email="bob@example.test", display_name="Bob")
    Membership.objects.create(user=manager, organisation=organisations[1], role=Role.MANAGER)
    root = User.objects.create(email="root@example.test", is_staff=True, is_superuser=True)
    rule = Rule.objects.create(name="Alerte", event_code="testapp.booked", roles=["client"])
    return {
        "organisations": [o.pk for o in organisations],
        "manager": manager,
        "root": root,
        "rule": rule.pk,
    }


def _fill(world, size):
    """`size` deliveries (and their events), PER_DAY a day until now, oldest first; in SQL."""
    harness.sql("TRUNCATE notifications_event, notifications_deliverytally CASCADE")
    events = max(size // PER_EVENT, 1)
    a, b, c = world["organisations"]
    organisation = f"CASE WHEN e % 10 = 0 THEN {c} WHEN e % 10 = 1 THEN {a} ELSE {b} END"

    def ago(row):  # row `size` is now, the rows before it PER_DAY a day
        return f"now() - make_interval(secs => 86400 * ({size} - {row})::float / {PER_DAY})"

    harness.sql(
        "INSERT INTO notifications_event (id, code, organisation_id, data, is_test, created_at,"
        " queued_at, planned_at, planning_attempts, planning_error)"
        f" SELECT e, 'testapp.booked', {organisation}, '{{}}', false,"
        f" {ago(f'e * {PER_EVENT}')}, now(), now(), 0, ''"
        f" FROM generate_series(1::bigint, {events}) AS e"
    )
    kind = f"(i % {KINDS})"
    channel = f"(ARRAY['sms', 'voice', 'email', 'email', 'sms', 'sms'])[{kind} + 1]"
    status = f"(ARRAY['failed', 'sending', 'sent', 'delivered', 'suppressed', 'sent'])[{kind} + 1]"
    reason_code = f"CASE WHEN {kind} = 4 THEN 'cap' ELSE '' END"
    failure = f"CASE WHEN {kind} = 0 THEN 'twilio:30003' ELSE '' END"
    segments = f"CASE WHEN {kind} = 5 THEN 1 + i % 3 END"
    phone = "'+3361' || lpad((i % 10000000)::text, 7, '0')"
    address = f"CASE WHEN {kind} IN (2, 3) THEN 'occupant' || i || '@example.test' ELSE {phone} END"
    harness.sql(
        "INSERT INTO notifications_delivery (event_id, rule_id, organisation_id, recipient_key,"
        " recipient_name, address, language, time_zone, channel, priority, dedupe_key, status,"
        " reason, reason_code, failure, segments, send_at, attempts, last_error, error_type,"
        " provider_message_id, subject, body, html, created_at, updated_at)"
        f" SELECT event.id, {world['rule']}, event.organisation_id, 'contact:' || i,"
        f" 'Occupant ' || i, {address}, 'fr', 'Europe/Paris', {channel}, 'bulk', 'bench:' || i,"
        f" {status}, '', {reason_code}, {failure}, {segments}, {ago('i')}, 1, '', '',"
        f" 'msg-' || i, 'Déneigement demain', 'Bonjour', '', {ago('i')}, {ago('i')}"
        f" FROM generate_series(1::bigint, {size}) AS i"
        f" JOIN notifications_event event ON event.id = 1 + (i - 1) / {PER_EVENT}"
    )
    harness.sql("VACUUM ANALYZE notifications_deliverytally")
    harness.sql("VACUUM ANALYZE notifications_delivery")


def _measure(world, repeat):
    from django.test import Client
    from django.urls import reverse

    clients = {}
    for who in ("manager", "root"):
        clients[who] = Client(SERVER_NAME="localhost")
        clients[who].force_login(world[who])
    url = reverse("admin:index")
    pages = [
        (f"{who}, {period}", who, {"period": period})
        for who in ("manager", "root")
        for period in ("hours", "days", "weeks", "months")
    ] + [("manager, months, sms", "manager", {"period": "months", "channel": "sms"})]
    results = {}
    for name, who, query in pages:
        client = clients[who]
        response = client.get(url, query)  # warm up: caches, the plan
        assert response.status_code == 200, f"{name}: HTTP {response.status_code}"
        times = []
        for _ in range(repeat):
            with harness.Timer() as timer:
                client.get(url, query)
            times.append(timer.seconds)
        results[name] = (min(times), harness.median(times))
    return results


if __name__ == "__main__":
    main()
