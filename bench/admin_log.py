"""The admin delivery log at scale: each page with 1,000 deliveries and with 1,000,000.

    python bench/admin_log.py --rows 1000000 --small 1000

A manager asked "I got no alert" on a storm morning must get the answer at
once, whatever the size of the log. The log is filled twice, with `--small`
then `--rows` deliveries at the same pace (11,000 a day: 90 days at a million,
two hours at a thousand, as a new installation has them), with the same mix:
three organisations (80 % of the rows are the measured manager's), five kinds
of delivery (an SMS that failed, a call still sending, an email sent, one
delivered, an SMS skipped for the daily cap), a rare event, 20 deliveries per
recipient. The mix is chosen so that every page measured shows as many rows at
one size as at the other — a full page of 100 for each filter, the same few for
a search —: a page's time then depends on the size of the log alone. (With
rarer kinds, a page showing 3 rows at 1,000 and 100 at 1,000,000 measures the
rendering of 97 more rows, not the database.) Each page is requested through
Django's test client, as the manager or as a superuser: the list, each filter
and some together, a search by email, by phone and by an account's email (each
taken from the log), a page further back, one delivery. Each keeps its fastest
of `--repeat` requests (the machine is shared: noise only ever adds), its
median printed beside it; the small log is measured before and after the large
one.

At the large size every SQL statement a page ran is captured, explained and
run again (EXPLAIN ANALYZE): no COUNT(*) without a LIMIT (but one person's
unread messages, the portal's badge), no sequential scan of the delivery or
event table, and no statement that reads more than READ_AT_MOST of their rows
(an index scan that filters the whole table away is a scan all the same). The CSV
export streams one filter's rows: its time grows with what it exports, so it is
reported (rows/s, memory added) but not in the ratio.
Headline: `admin_log: <worst ratio of a page's large to small median>` (target <= 2.0).
"""

import argparse
import json
import re

import harness

PER_DAY = 11_000  # deliveries a day
READ_AT_MOST = 20_000  # rows of the big tables one statement may read
# Deliveries per event: a fan-out of a few dozen, as reminders and alerts go.
PER_EVENT = 50
PEOPLE = 2000  # accounts; the other recipients are plain contacts (visitors, occupants)
KINDS = 5  # kinds of delivery in the mix


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with harness.bench_database():
        run(args.rows, args.small, args.repeat)


def run(rows, small, repeat):
    from django.conf import settings
    from django.test.utils import override_settings

    # DEBUG is off, as in production, but nothing was collected: plain static file names.
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": static}):
        _run(rows, small, repeat)


def _run(rows, small, repeat):
    print(f"admin_log: the delivery log at {small:,} and {rows:,} rows ({harness.machine()})")
    world = _world()
    results = {}
    # The small log before and after the large one, its fastest kept: a machine whose load
    # changes during the run then favours neither side.
    for size in (small, rows, small):
        with harness.Timer() as loading:
            _fill(world, size)
        harness.figure(f"loading {size:,} deliveries (not measured)", loading.seconds, "s")
        measured = _measure(world, repeat, check=size == rows)
        results[size] = _fastest(results[size], measured) if size in results else measured
        if size == rows:
            _export(world, rows)
    print("page: fastest at small (median, rows shown), fastest at large (median, rows), ratio")
    worst = 0.0
    for name in results[rows]:
        low, high = results[small][name], results[rows][name]
        ratio = high["seconds"] / low["seconds"]
        worst = max(worst, ratio)
        print(f"  {name}: {_timing(low)}, {_timing(high)}, {ratio:.2f}")
    problems = [p for result in results[rows].values() for p in result["problems"]]
    harness.figure("statements at the large size that count unbounded or scan", len(problems))
    for problem in problems:
        print(f"    {problem}")
    harness.headline("admin_log", worst)


def _fastest(before, after):
    """Each page's better run of two (its problems are only looked for at the large size)."""
    return {
        name: min(before[name], after[name], key=lambda result: result["seconds"])
        for name in before
    }


def _timing(result):
    return f"{1000 * result['seconds']:.1f} ms ({1000 * result['median']:.1f}, {result['shown']})"


def _world():
    """Three organisations, a manager of the middle one, a superuser, people, a rule."""
    from accounts.models import Membership, Organisation, Role, Site, User
    from notifications import batches
    from notifications.models import Batch, Rule
    from requests_center.models import Request

    organisations = [
        Organisation.objects.create(name=name, sending_mode=Organisation.SendingMode.PRODUCTION)
        for name in ("Déneigement Nord", "Résidence du Parc", "Club des Pins")
    ]
    manager = User.objects.create(email="bob@example.test", display_name="Bob")
    Membership.objects.create(user=manager, organisation=organisations[1], role=Role.MANAGER)
    root = User.objects.create(email="root@example.test", is_staff=True, is_superuser=True)
    User.objects.bulk_create(
        User(email=f"person{k}@example.test", display_name=f"Person {k}") for k in range(PEOPLE)
    )
    people = list(User.objects.filter(email__startswith="person").order_by("pk"))
    rule = Rule.objects.create(name="Alerte", event_code="testapp.booked", roles=["client"])
    # A tenth of the log is about one request (its page's history inline), a tenth is one
    # route run (the batch page): the busiest object and the largest fan-out there are.
    site = Site.objects.create(organisation=organisations[1], name="Bâtiment A")
    busy = Request.objects.create(  # bench data, as the SQL below: no services, no events
        organisation=organisations[1], site=site, declarant=manager, title="Fuite", description="…"
    )
    run = batches.start(organisations[1], "Tournée 1", Batch.Kind.ROUTE_RUN, created_by=manager)
    return {
        "organisations": [o.pk for o in organisations],
        "manager": manager,
        "root": root,
        "first_person": people[0].pk,
        "rule": rule.pk,
        "request": busy.pk,
        "batch": run.pk,
    }


def _fill(world, size):
    """`size` deliveries (and their events), PER_DAY a day until now, oldest first; in SQL."""
    from django.contrib.contenttypes.models import ContentType

    from requests_center.models import Request
    from tests.testapp.models import Appointment

    harness.sql("TRUNCATE notifications_event, notifications_batchtally CASCADE")
    events = max(size // PER_EVENT, 1)
    a, b, c = world["organisations"]
    organisation = f"CASE WHEN e % 10 = 0 THEN {c} WHEN e % 10 = 1 THEN {a} ELSE {b} END"
    code = (
        "CASE WHEN e % 10 = 2 THEN 'testapp.secret_code' WHEN e % 10 IN (3, 4) "
        "THEN 'visits.invited' ELSE 'testapp.booked' END"
    )

    def ago(row):  # row `size` is now, the rows before it PER_DAY a day
        return f"now() - make_interval(secs => 86400 * ({size} - {row})::float / {PER_DAY})"

    appointment = ContentType.objects.get_for_model(Appointment).pk
    request = ContentType.objects.get_for_model(Request).pk
    target_type = f"CASE WHEN e % 10 = 5 THEN {request} ELSE {appointment} END"
    target_id = f"CASE WHEN e % 10 = 5 THEN {world['request']} ELSE e END"
    batch = f"CASE WHEN e % 10 = 6 THEN {world['batch']} END"
    harness.sql(
        "INSERT INTO notifications_event (id, code, organisation_id, target_type_id, target_id,"
        " batch_id, data, is_test, created_at, queued_at, planned_at, planning_attempts,"
        " planning_error)"
        f" SELECT e, {code}, {organisation}, {target_type}, {target_id}, {batch}, '{{}}', false,"
        f" {ago(f'e * {PER_EVENT}')}, now(), now(), 0, ''"
        f" FROM generate_series(1::bigint, {events}) AS e"
    )
    # Twenty deliveries per recipient k; since the number of recipients is a multiple of
    # KINDS, each recipient has one kind (an email address or a phone number).
    contacts = max(size // 20 // KINDS * KINDS, KINDS)
    k = f"(i * 7919 % {contacts})"
    kind = "(i % 5)"
    channel = f"(ARRAY['sms', 'voice', 'email', 'email', 'sms'])[{kind} + 1]"
    status = f"(ARRAY['failed', 'sending', 'sent', 'delivered', 'suppressed'])[{kind} + 1]"
    reason_code = f"CASE WHEN {kind} = 4 THEN 'cap' ELSE '' END"
    address = (
        f"CASE WHEN {kind} IN (2, 3) THEN (CASE WHEN {k} % 10 = 0 THEN 'Occupant' ELSE"
        f" 'occupant' END) || {k} || '@example.test' ELSE '+3361' || lpad({k}::text, 7, '0') END"
    )
    user = f"CASE WHEN {k} < {PEOPLE} THEN {world['first_person']} + {k} END"
    harness.sql(
        "INSERT INTO notifications_delivery (event_id, batch_id, rule_id, organisation_id,"
        " target_type_id,"
        " target_id, user_id, recipient_key, recipient_name, address, language, time_zone,"
        " channel, priority, dedupe_key, status, reason, reason_code, send_at, attempts,"
        " last_error, error_type, provider_message_id, subject, body, html, created_at, updated_at,"
        " claimed_at, sent_at, delivered_at, opened_at, read_at)"
        f" SELECT event.id, event.batch_id, {world['rule']}, event.organisation_id,"
        " event.target_type_id,"
        f" event.target_id, {user}, 'contact:' || {k}, 'Occupant ' || {k}, {address}, 'fr',"
        f" 'Europe/Paris', {channel}, 'bulk', 'bench:' || i, {status}, '', {reason_code},"
        f" {ago('i')}, 1, '', '', 'msg-' || i, 'Déneigement demain', repeat('Bonjour, ', 30),"
        f" '', {ago('i')}, {ago('i')}, NULL, {ago('i')}, NULL, NULL, NULL"
        f" FROM generate_series(1::bigint, {size}) AS i"
        f" JOIN notifications_event event ON event.id = 1 + (i - 1) / {PER_EVENT}"
    )
    harness.sql("VACUUM ANALYZE notifications_delivery")
    harness.sql("VACUUM ANALYZE notifications_event")


def _pages(world):
    """(name, who, query string) of each page measured."""
    import datetime

    from django.utils import timezone

    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    tomorrow = today + datetime.timedelta(days=1)
    week = today - datetime.timedelta(days=7)
    long_ago = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    today_range = {"created_at__gte": today, "created_at__lt": tomorrow}
    return [
        ("list, superuser", "root", {}),
        ("list, manager", "manager", {}),
        ("list, page 10", "root", {"p": "10"}),
        ("filter: today", "manager", today_range),
        ("filter: past 7 days", "manager", {"created_at__gte": week, "created_at__lt": tomorrow}),
        ("filter: nothing before the log", "manager", {"created_at__lt": long_ago}),
        ("filter: channel sms", "manager", {"channel": "sms"}),
        ("filter: channel voice", "manager", {"channel": "voice"}),
        ("filter: status sent", "manager", {"status": "sent"}),
        ("filter: status failed", "manager", {"status": "failed"}),
        ("filter: status sending", "manager", {"status": "sending"}),
        ("filter: event (rare)", "manager", {"event_code": "testapp.secret_code"}),
        ("filter: event (common)", "manager", {"event_code": "testapp.booked"}),
        ("filter: organisation", "root", {"organisation__id__exact": world["organisations"][2]}),
        ("filter: status failed + channel sms", "manager", {"status": "failed", "channel": "sms"}),
        ("filter: skip reason cap", "manager", {"reason_code__exact": "cap"}),
        ("filter: about the busy request", "manager", {"concerning": _concerning(world)}),
        ("filter: the route run", "manager", {"batch": world["batch"]}),
        ("filter: today + status failed", "manager", {**today_range, "status": "failed"}),
        ("search: email, any case", "manager", {"q": _newest(world, "email").upper()}),
        ("search: phone, as typed", "manager", {"q": _as_typed(_newest(world, "sms"))}),
        ("search: an account's email", "manager", {"q": _newest_account(world)}),
        ("search: no such address", "manager", {"q": "nobody@example.test"}),
    ]


def _concerning(world):
    from django.contrib.contenttypes.models import ContentType

    from requests_center.models import Request

    return f"{ContentType.objects.get_for_model(Request).pk}-{world['request']}"


def _newest(world, channel):
    """The address of the manager's newest delivery on `channel`: someone who asks."""
    from notifications.models import Delivery

    deliveries = Delivery.objects.filter(organisation_id=world["organisations"][1])
    return deliveries.filter(channel=channel).order_by("-created_at")[0].address


def _as_typed(e164):
    """+33610000007 as a French person types it: 06 10 00 00 07."""
    national = "0" + e164.removeprefix("+33")
    return " ".join(national[i : i + 2] for i in range(0, len(national), 2))


def _newest_account(world):
    from notifications.models import Delivery

    deliveries = Delivery.objects.filter(organisation_id=world["organisations"][1])
    return deliveries.exclude(user=None).order_by("-created_at")[0].user.email


def _measure(world, repeat, check):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from notifications.models import Delivery

    clients = {}
    for who in ("manager", "root"):
        clients[who] = Client(SERVER_NAME="localhost")
        clients[who].force_login(world[who])
    url = reverse("admin:notifications_delivery_changelist")
    detail = Delivery.objects.filter(organisation_id=world["organisations"][1]).order_by("pk")
    pages = _pages(world) + [
        (
            "one delivery",
            "manager",
            reverse("admin:notifications_delivery_change", args=[detail.values_list("pk")[0][0]]),
        ),
        (
            "a request's page, its history inline",
            "manager",
            reverse("admin:requests_center_request_change", args=[world["request"]]),
        ),
        (
            "a route run's batch page",
            "manager",
            reverse("admin:notifications_batch_change", args=[world["batch"]]),
        ),
    ]
    results = {}
    for name, who, params in pages:
        target = params if isinstance(params, str) else url
        query = {} if isinstance(params, str) else params
        client = clients[who]
        response = client.get(target, query)  # warm up: caches, the plan
        assert response.status_code == 200, f"{name}: HTTP {response.status_code}"
        times = []
        for _ in range(repeat):
            with harness.Timer() as timer:
                client.get(target, query)
            times.append(timer.seconds)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        shown = len(changelist.result_list) if changelist else 1
        problems = []
        if check:
            with CaptureQueriesContext(connection) as captured:
                client.get(target, query)
            problems = [f"{name}: {p}" for q in captured.captured_queries for p in _check(q)]
        results[name] = {
            "seconds": min(times),
            "median": harness.median(times),
            "shown": shown,
            "problems": problems,
        }
    return results


BIG_TABLES = ("notifications_delivery", "notifications_event")


def _check(query):
    """What is wrong with one captured statement: an unbounded COUNT, a scan of a big table."""
    sql = query["sql"]
    if not sql.lstrip().upper().startswith("SELECT") or not any(t in sql for t in BIG_TABLES):
        return []
    problems = []
    # One person's unread in-app messages (the portal's badge, on every page) are few.
    one_person = re.search(r'"user_id" = \d+', sql)
    if re.search(r"COUNT\(\*\)", sql, re.I) and " LIMIT " not in sql.upper() and not one_person:
        problems.append(f"unbounded count: {sql[:160]}")
    explained = harness.sql("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)[0][0]
    plan = (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]
    for node in _nodes(plan):
        if node.get("Relation Name") not in BIG_TABLES:
            continue
        if node["Node Type"] == "Seq Scan":
            problems.append(f"sequential scan of {node['Relation Name']}: {sql[:160]}")
        read = node["Actual Loops"] * (
            node["Actual Rows"]
            + node.get("Rows Removed by Filter", 0)
            + node.get("Rows Removed by Index Recheck", 0)
        )
        if read > READ_AT_MOST:
            problems.append(f"{read:,} rows of {node['Relation Name']} read: {sql[:160]}")
    return problems


def _nodes(plan):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _export(world, rows):
    """Stream the CSV export of one filter's rows; report rows/s and the memory it added."""
    from django.test import Client
    from django.urls import reverse

    client = Client(SERVER_NAME="localhost")
    client.force_login(world["manager"])
    url = reverse("admin:notifications_delivery_changelist") + "?channel=sms"
    data = {"action": "export_csv", "select_across": "1", "index": "0", "_selected_action": "1"}
    start_rss = harness.peak_rss_mb()
    lines = 0
    with harness.Timer() as timer:
        response = client.post(url, data)
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
    print(f"CSV export of one filter (the manager's SMS, {lines - 1:,} rows; not in the ratio):")
    harness.figure("time", timer.seconds, "s")
    harness.figure("rows/s", round((lines - 1) / timer.seconds))
    harness.figure("peak RSS added", round(harness.peak_rss_mb() - start_rss, 1), "MB")


if __name__ == "__main__":
    main()
