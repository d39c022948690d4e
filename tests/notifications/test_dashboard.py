"""The admin's dashboard (SPEC P-4): figures from the tally equal the rows they summarise, and
each links to the delivery log showing exactly those rows; scoped; junk never breaks it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from notifications import batches, sending
from notifications.channels import ChannelError
from notifications.channels.sms import ConsoleSMS, segment_info
from notifications.dashboard import figures
from notifications.feedback import status as feedback
from notifications.models import Delivery, DeliveryDayTally, DeliveryTally
from tests.factories import MembershipFactory, UserFactory, member
from tests.notifications.test_admin import _delivery, _english, _event

pytestmark = pytest.mark.django_db
Status = Delivery.Status
NOW = datetime.datetime(2026, 3, 18, 14, 30, tzinfo=datetime.UTC)
INDEX = reverse("admin:index")


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return _english(client)


def _at(clock, moment, event, address, **fields):
    clock.move_to(moment, tick=False)
    fields.setdefault("recipient_name", address)
    return _delivery(event, address, **fields)


@pytest.fixture
def log(now, organisation, other_organisation):
    """Both organisations' deliveries over the last weeks, in most statuses and causes."""
    ours, theirs = _event(organisation), _event(other_organisation)
    two_days, an_hour = NOW - datetime.timedelta(hours=46), NOW - datetime.timedelta(hours=1)
    rows = [
        (two_days, ours, "sent@example.test", {}),
        (two_days, ours, "delivered@example.test", {"status": Status.DELIVERED}),
        (two_days, ours, "opened@example.test", {"status": Status.OPENED}),
        (
            two_days,
            ours,
            "bounced@example.test",
            {"status": Status.BOUNCED, "failure": "email:bounced"},
        ),
        (
            two_days,
            ours,
            "+33600000001",
            {"channel": "sms", "status": Status.FAILED, "failure": "twilio:21610"},
        ),
        (
            two_days,
            ours,
            "+33600000002",
            {"channel": "sms", "status": Status.FAILED, "failure": "twilio:30003"},
        ),
        (
            two_days,
            ours,
            "+33600000003",
            {"channel": "sms", "status": Status.FAILED},
        ),  # before causes
        (
            two_days,
            ours,
            "+33600000004",
            {"channel": "sms", "status": Status.SUPPRESSED, "reason_code": "stop"},
        ),
        (
            two_days,
            ours,
            "+33600000005",
            {"channel": "sms", "status": Status.DELIVERED, "segments": 2},
        ),
        (
            two_days,
            ours,
            "user:1",
            {"channel": "push", "status": Status.CANCELLED, "reason_code": "quiet_hours"},
        ),
        (an_hour, ours, "+33600000006", {"channel": "sms", "status": Status.SENT, "segments": 3}),
        (an_hour, ours, "queued@example.test", {"status": Status.QUEUED}),
        (NOW - datetime.timedelta(days=40), ours, "old@example.test", {}),
        (
            two_days,
            theirs,
            "+33700000001",
            {"channel": "sms", "status": Status.SENT, "segments": 5},
        ),
        (
            two_days,
            theirs,
            "theirs@example.test",
            {"status": Status.FAILED, "failure": "email:refused"},
        ),
    ]
    created = [
        _at(now, moment, event, address, **fields) for moment, event, address, fields in rows
    ]
    now.move_to(NOW, tick=False)
    return created


def _dashboard(client, **query):
    response = client.get(INDEX, query)
    assert response.status_code == 200
    return response.context


def _log_rows(client, url):
    """The rows the delivery log shows at `url` (a redirect would mean a refused filter)."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["cl"].queryset


def _raw(organisations, start, end, **filters):
    rows = Delivery.objects.filter(organisation__in=organisations)
    return rows.filter(created_at__gte=start, created_at__lt=end, **filters)


def _every_figure(page):
    """(name, Figure) of every number the dashboard shows that counts rows."""
    for bucket in page["buckets"]:
        for group, figure in zip(figures.GROUPS, bucket.groups, strict=True):
            yield f"{bucket.start:%d %H} {group.code}", figure
        yield f"{bucket.start:%d %H} total", bucket.total
    for row in page["channels"]:
        yield f"{row.channel} total", row.total
        for group, figure in zip(figures.GROUPS, row.groups, strict=True):
            yield f"{row.channel} {group.code}", figure
    for failure in page["failures"]:
        yield failure.code, failure.figure
    for label, figure in page["skipped"]:
        yield str(label), figure


def test_p4_dashboard_counts_equal_raw_rows(bob_client, log, organisation):
    page = _dashboard(bob_client, period="days")
    for bucket in page["buckets"]:
        for group, figure in zip(figures.GROUPS, bucket.groups, strict=True):
            raw = _raw([organisation], bucket.start, bucket.end, status__in=group.statuses)
            assert figure.value == raw.count(), (bucket.start, group.code)
    start, end = page["buckets"][0].start, page["buckets"][-1].end
    assert sum(b.total.value for b in page["buckets"]) == _raw([organisation], start, end).count()
    failed = _raw([organisation], start, end, status__in=figures.FAILED)
    assert {f.code: f.figure.value for f in page["failures"]} == {
        "email:bounced": 1,
        "twilio:21610": 1,
        "twilio:30003": 1,
        "other": failed.filter(failure="").count(),
    }
    assert {str(label): f.value for label, f in page["skipped"]} == {
        "replied STOP": 1,
        "quiet hours": 1,
    }
    sms = {row.channel: row for row in page["channels"]}["sms"]
    assert sms.total.value == _raw([organisation], start, end, channel="sms").count() == 6
    assert sms.delivery_rate.value == round(100 * 1 / 5)  # 1 delivered of 5 handed over


def test_p4_each_figure_links_to_the_log_of_exactly_its_rows(bob_client, log):
    page = _dashboard(bob_client, period="days")
    shown = [(name, figure) for name, figure in _every_figure(page) if figure.value]
    assert len(shown) > 20
    for name, figure in shown:
        assert _log_rows(bob_client, figure.url).count() == figure.value, name


def test_p4_hourly_figures_for_the_last_48_hours_link_to_their_hour(bob_client, log):
    page = _dashboard(bob_client, period="hours")
    assert len(page["buckets"]) == 48
    busy = [bucket for bucket in page["buckets"] if bucket.total.value]
    assert [bucket.total.value for bucket in busy] == [10, 2]
    for bucket in busy:
        assert _log_rows(bob_client, bucket.total.url).count() == bucket.total.value


def test_p4_weeks_and_months_count_what_the_days_count(bob_client, log):
    days = _dashboard(bob_client, period="days")["buckets"]
    weeks = _dashboard(bob_client, period="weeks")["buckets"]
    months = _dashboard(bob_client, period="months")["buckets"]
    assert sum(b.total.value for b in days) == 12
    assert sum(b.total.value for b in weeks) == sum(b.total.value for b in months) == 13
    for bucket in [*weeks, *months]:
        assert _log_rows(bob_client, bucket.total.url).count() == bucket.total.value


def test_p4_a_late_webhook_moves_one_count_between_statuses_of_the_same_hour(
    bob_client, now, organisation
):
    sent = _at(now, NOW - datetime.timedelta(hours=3), _event(organisation), "a@example.test")
    Delivery.objects.filter(pk=sent.pk).update(provider_message_id="msg-1")
    now.move_to(NOW, tick=False)
    feedback.record("msg-1", Status.DELIVERED)
    page = _dashboard(bob_client, period="hours")
    [bucket] = [bucket for bucket in page["buckets"] if bucket.total.value]
    by_group = {g.code: f.value for g, f in zip(figures.GROUPS, bucket.groups, strict=True)}
    assert (by_group["delivered"], by_group["sent"], bucket.total.value) == (1, 0, 1)
    assert bucket.start <= sent.created_at < bucket.end
    assert _log_rows(bob_client, bucket.groups[0].url).get() == sent


def test_p4_deleting_deliveries_keeps_the_counts(bob_client, log, organisation):
    before = [(name, figure.value) for name, figure in _every_figure(_dashboard(bob_client))]
    Delivery.objects.filter(organisation=organisation).delete()  # a retention purge, say
    after = [(name, figure.value) for name, figure in _every_figure(_dashboard(bob_client))]
    assert after == before and sum(value for _name, value in after) > 0


def test_p4_a_manager_sees_nothing_of_another_organisation(bob_client, log, other_organisation):
    page = _dashboard(bob_client)
    assert {f.code for f in page["failures"]} == {
        "email:bounced",
        "twilio:21610",
        "twilio:30003",
        "other",
    }
    assert [name for name, _month, _figure in page["segments"]] == ["Résidence Les Tilleuls"]
    assert sum(figure.value for _n, _m, figure in page["segments"]) == 5  # 2 + 3, not their 5
    forced = _dashboard(bob_client, organisation=other_organisation.pk)
    assert forced["scope"].chosen is None  # not theirs to choose: their own figures
    assert [(n, f.value) for n, f in _every_figure(forced)] == [
        (n, f.value) for n, f in _every_figure(page)
    ]
    assert (
        "Parc Horizon"
        not in bob_client.get(INDEX, {"organisation": other_organisation.pk}).content.decode()
    )


def test_p4_a_manager_of_two_organisations_may_choose_one(
    client, log, organisation, other_organisation
):
    carol = member(organisation, Role.MANAGER, email="carol@example.test")
    MembershipFactory(user=carol, organisation=other_organisation, role=Role.MANAGER)
    client.force_login(carol)
    both = _dashboard(_english(client))
    one = _dashboard(client, organisation=other_organisation.pk)
    assert one["scope"].chosen == other_organisation
    total = sum(bucket.total.value for bucket in both["buckets"])
    assert total == 14 and sum(bucket.total.value for bucket in one["buckets"]) == 2
    for _name, figure in _every_figure(one):
        if figure.value:
            rows = _log_rows(client, figure.url)
            assert rows.count() == figure.value
            assert set(rows.values_list("organisation", flat=True)) == {other_organisation.pk}


def test_p4_a_superuser_sees_every_organisation(client, log):
    client.force_login(UserFactory(email="root@example.test", is_staff=True, is_superuser=True))
    page = _dashboard(_english(client))
    assert sum(bucket.total.value for bucket in page["buckets"]) == 14
    assert {name for name, _m, _f in page["segments"]} == {"Résidence Les Tilleuls", "Parc Horizon"}
    for name, figure in _every_figure(page):
        if figure.value:
            assert _log_rows(client, figure.url).count() == figure.value, name


@pytest.mark.parametrize(
    "query",
    [
        {"period": "junk"},
        {"period": ""},
        {"organisation": "abc"},
        {"organisation": "-1"},
        {"organisation": "²"},
        {"organisation": "9" * 30},
        {"channel": "<script>"},
        {"period": ["days", "hours"], "channel": "sms\x00"},
    ],
)
def test_p4_bad_query_parameters_answer_200_with_the_default(bob_client, log, query):
    page = _dashboard(bob_client, **query)
    assert page["period_code"] in ("days", "hours")
    assert page["channel"] == "" and page["scope"].chosen is None


def test_p4_sms_segments_are_stored_when_sent_and_summed_per_month(
    bob_client, now, organisation, monkeypatch
):
    text = "Déneigement demain à 6 h : déplacez votre véhicule, s’il vous plaît. " * 2
    queued = _delivery(
        _event(organisation), "+33611111111", channel="sms", status=Status.QUEUED, body=text
    )
    sending.send(queued.pk)
    queued.refresh_from_db()
    assert queued.status == Status.SENT
    assert queued.segments == segment_info(text).segments == 3  # UCS-2: the curly apostrophe
    [(name, month, figure)] = _dashboard(bob_client)["segments"]
    assert (name, month.month, figure.value) == ("Résidence Les Tilleuls", 3, 3)
    rows = _log_rows(bob_client, figure.url)
    assert list(rows) == [queued]


def test_p4_a_failed_sms_is_not_billed_and_has_its_cause(
    bob_client, now, organisation, monkeypatch
):
    def refused(self, delivery):
        raise ChannelError(
            "Twilio 21610: The recipient replied STOP to this sender", permanent=True
        )

    monkeypatch.setattr(ConsoleSMS, "transmit", refused)
    queued = _delivery(
        _event(organisation), "+33611111112", channel="sms", status=Status.QUEUED, body="Bonjour"
    )
    sending.send(queued.pk)
    queued.refresh_from_db()
    assert (queued.status, queued.failure, queued.segments) == (Status.FAILED, "twilio:21610", None)
    page = _dashboard(bob_client)
    [failure] = page["failures"]
    assert str(failure.cause.label) == "Replied STOP" and failure.figure.value == 1
    assert page["segments"] == []


def test_p4_a_carrier_failure_reported_late_gets_its_cause(now, organisation):
    sms = _delivery(_event(organisation), "+33611111113", channel="sms", provider_message_id="SM1")
    feedback.record("SM1", Status.FAILED, error="Twilio undelivered 30007")
    sms.refresh_from_db()
    assert sms.failure == "twilio:30007"


def test_p4_live_batches_link_to_the_batch_page(bob_client, now, organisation, other_organisation):
    run = batches.start(organisation, "Tournée du matin", "route_run", targeted=2)
    done = batches.start(organisation, "Tournée d'hier", "route_run", targeted=1)
    theirs = batches.start(other_organisation, "Leur tournée", "route_run", targeted=1)
    for batch, status in ((run, Status.QUEUED), (run, Status.SENT), (done, Status.SENT)):
        _delivery(
            _event(organisation, batch=batch),
            f"{batch.pk}{status}@example.test",
            batch=batch,
            status=status,
        )
    _delivery(
        _event(other_organisation, batch=theirs),
        "x@example.test",
        batch=theirs,
        status=Status.QUEUED,
    )
    [(batch, counts, url)] = _dashboard(bob_client)["live_batches"]
    assert (batch, counts.pending, counts.sent) == (run, 1, 1)
    assert bob_client.get(url).status_code == 200


def test_p4_the_machinery_says_beat_workers_and_the_oldest_queued(bob_client, log, settings):
    from django_celery_beat.models import PeriodicTask

    PeriodicTask.objects.update(last_run_at=NOW - datetime.timedelta(minutes=2))
    settings.CELERY_BROKER_URL = "filesystem://localhost/"  # no broadcast: workers not asked
    machinery = _dashboard(bob_client)["machinery"]
    assert machinery.last_tick == NOW - datetime.timedelta(minutes=2) and machinery.beat_ok
    assert machinery.workers_ok is None
    assert machinery.oldest_queued == NOW - datetime.timedelta(hours=1)
    assert [d.address for d in _log_rows(bob_client, machinery.queued_url)] == [
        "queued@example.test"
    ]
    PeriodicTask.objects.update(last_run_at=NOW - datetime.timedelta(hours=1))
    assert not _dashboard(bob_client)["machinery"].beat_ok


def test_p4_the_dashboard_counts_no_delivery_row(bob_client, log):
    with CaptureQueriesContext(connection) as captured:
        _dashboard(bob_client)
    on_deliveries = [
        q["sql"]
        for q in captured
        if 'FROM "notifications_delivery"' in q["sql"]
        and '"read_at" IS NULL' not in q["sql"]  # the reader's own unread (every page's badge)
    ]
    # Only the oldest queued message: one row, read from the (status, created_at) index.
    assert len(on_deliveries) == 1 and "LIMIT 1" in on_deliveries[0]


@pytest.mark.parametrize("tally", [DeliveryTally, DeliveryDayTally])
def test_p4_the_tally_keeps_per_shard_rows_summing_to_the_log(log, tally):
    for organisation_id in {d.organisation_id for d in log}:
        rows = tally.objects.filter(organisation_id=organisation_id)
        tallied = sum(rows.values_list("count", flat=True))
        assert tallied == Delivery.objects.filter(organisation_id=organisation_id).count()


MONTREAL = datetime.timezone(datetime.timedelta(hours=-5))  # EST; EDT from 8 March 2026
SUMMER = datetime.timezone(datetime.timedelta(hours=-4))


@pytest.fixture
def edges(now, organisation):
    """Deliveries a few minutes each side of a Montreal reader's month and week edges (UTC
    days the edges cut), and whole UTC days inside a bucket, one moved on by a late webhook."""
    event = _event(organisation)
    moments = [
        datetime.datetime(2026, 2, 28, 23, 50, tzinfo=MONTREAL),  # 04:50 UTC, 1 March
        datetime.datetime(2026, 3, 1, 0, 10, tzinfo=MONTREAL),
        datetime.datetime(2026, 3, 8, 23, 40, tzinfo=SUMMER),  # Sunday; the clocks moved
        datetime.datetime(2026, 3, 9, 0, 20, tzinfo=SUMMER),
        datetime.datetime(2026, 2, 11, 12, 0, tzinfo=MONTREAL),
        datetime.datetime(2025, 6, 15, 12, 0, tzinfo=SUMMER),
    ]
    rows = [_at(now, moment, event, f"e{n}@example.test") for n, moment in enumerate(moments)]
    Delivery.objects.filter(pk=rows[4].pk).update(provider_message_id="late-1")
    now.move_to(NOW, tick=False)
    feedback.record("late-1", Status.DELIVERED)
    return rows


@pytest.mark.parametrize("period", ["weeks", "months"])
def test_p4_weeks_and_months_read_whole_days_and_the_hours_of_the_days_cut(
    bob_client, bob, edges, organisation, period
):
    bob.time_zone = "America/Montreal"
    bob.save()
    with CaptureQueriesContext(connection) as captured:
        page = _dashboard(bob_client, period=period)
    assert any("notifications_deliverydaytally" in q["sql"] for q in captured)
    for bucket in page["buckets"]:
        for group, figure in zip(figures.GROUPS, bucket.groups, strict=True):
            raw = _raw([organisation], bucket.start, bucket.end, status__in=group.statuses)
            assert figure.value == raw.count(), (bucket.start, group.code)
    by_start = {b.start.date(): b.total.value for b in page["buckets"] if b.total.value}
    if period == "months":
        expected = {"2025-06-01": 1, "2026-02-01": 2, "2026-03-01": 3}
    else:
        expected = {"2026-02-09": 1, "2026-02-23": 2, "2026-03-02": 1, "2026-03-09": 1}
    assert {str(day): n for day, n in by_start.items()} == expected
    delivered = [b.groups[0].value for b in page["buckets"] if b.start.month == 2]
    assert sum(delivered) == 1  # the late webhook, counted in its day


def test_p4_the_app_list_stays_below_the_dashboard(bob_client, log):
    page = bob_client.get(INDEX).content.decode()
    assert page.index('id="machinery"') < page.index('id="app-list"')
    assert reverse("admin:notifications_delivery_changelist") in page.split('id="app-list"')[1]


def test_p4_the_chart_carries_no_script(bob_client, log):
    page = bob_client.get(INDEX).content.decode()
    chart = page[page.index("<svg") : page.index("</svg>")]
    assert "<script" not in chart and 'aria-hidden="true"' in chart


def test_p4_the_dashboard_speaks_french(client, bob, log):
    client.force_login(bob)
    page = client.get(INDEX).content.decode()
    assert "Tableau de bord" in page and "Échecs à traiter" in page
    assert "A répondu STOP" in page


def test_p4_an_organisation_deleted_takes_its_tally_with_it(log, other_organisation):
    other_organisation.delete()
    assert not DeliveryTally.objects.filter(organisation=other_organisation.pk).exists()
    assert DeliveryTally.objects.exists()  # the other organisation's stays


@pytest.mark.skipif(connection.vendor != "postgresql", reason="shards: PostgreSQL only")
def test_p4_each_connection_counts_into_its_own_shard(transactional_db, organisation):
    """Two workers recording at once never wait on one counter row; the shards sum right."""
    from django.db import connections

    event = _event(organisation)
    rows = [_delivery(event, f"p{n}@example.test", status=Status.QUEUED) for n in range(4)]
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "UPDATE notifications_delivery SET status = 'sent' WHERE id IN (%s, %s)",
                [rows[0].pk, rows[1].pk],
            )
    finally:
        other.close()
    Delivery.objects.filter(pk__in=[rows[2].pk, rows[3].pk]).update(status=Status.SENT)
    sent = DeliveryTally.objects.filter(organisation=organisation, status=Status.SENT)
    assert sorted(sent.values_list("count", flat=True)) == [2, 2]
    assert len(set(sent.values_list("shard", flat=True))) == 2
    queued = DeliveryTally.objects.filter(organisation=organisation, status=Status.QUEUED)
    assert sum(queued.values_list("count", flat=True)) == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="shards: PostgreSQL only")
def test_p4_segments_moved_by_another_connection_are_billed_once(
    transactional_db, bob_client, now, organisation
):
    """A late webhook's worker writes -3 segments to its own shard: summed, not filtered."""
    from django.db import connections

    sms = _delivery(_event(organisation), "+33611111119", channel="sms", segments=3)
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "UPDATE notifications_delivery SET status = 'delivered' WHERE id = %s", [sms.pk]
            )
    finally:
        other.close()
    [(_name, _month, figure)] = _dashboard(bob_client)["segments"]
    assert figure.value == 3


def test_p4_one_channel_chosen_counts_and_links_its_messages_only(bob_client, log):
    page = _dashboard(bob_client, channel="sms")
    assert {f.code for f in page["failures"]} == {"twilio:21610", "twilio:30003", "other"}
    assert sum(bucket.total.value for bucket in page["buckets"]) == 6
    for name, figure in _every_figure(page):
        if figure.value:
            assert _log_rows(bob_client, figure.url).count() == figure.value, name


@pytest.mark.parametrize("junk", ["²", "9" * 30, "-1", "abc"])
def test_p4_junk_in_the_log_filters_the_dashboard_links_to_shows_nothing(bob_client, log, junk):
    for name in ("organisation__id__exact", "batch"):
        response = bob_client.get(reverse("admin:notifications_delivery_changelist"), {name: junk})
        assert response.status_code == 200 and response.context["cl"].queryset.count() == 0
