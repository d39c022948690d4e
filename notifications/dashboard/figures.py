"""The dashboard's figures (SPEC P-4): read from the tally, each with its delivery log link.

Buckets are the reader's calendar days, weeks and months, summed from the tally's hours
(UTC) and, for weeks and months, its days (UTC) wherever a bucket holds a UTC day whole:
exact in every zone whose offset is whole hours (France, Quebec); in a half-hour zone a
bucket's edges would be half an hour off its rows.

Nothing here counts the delivery table: a query or two sum the tally's rows of the period
(a few per organisation and hour or day, whatever the log's size), and every figure is
taken from that result. Each figure comes with the delivery log filtered to exactly the
rows it counts: the same organisations, the same creation-time range, the same statuses,
skip reason or failure cause.
"""

import dataclasses
import datetime
from collections import defaultdict

from django.db.models import Q, Sum
from django.db.models.functions import Trunc
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from notifications import failures
from notifications.dashboard.models import DeliveryDayTally, DeliveryTally
from notifications.models import Batch, BatchTally, Channel, Delivery

Status = Delivery.Status


@dataclasses.dataclass(frozen=True)
class Period:
    label: str
    unit: str  # Trunc's kind
    buckets: int


PERIODS = {
    "hours": Period(_("Last 48 hours, by hour"), "hour", 48),
    "days": Period(_("Last 30 days, by day"), "day", 30),
    "weeks": Period(_("Last 12 weeks, by week"), "week", 12),
    "months": Period(_("Last 12 months, by month"), "month", 12),
}
DEFAULT_PERIOD = "days"
SEGMENT_MONTHS = 12


@dataclasses.dataclass(frozen=True)
class Group:
    """Statuses shown together: one series of the chart, one column of the tables."""

    code: str
    label: str
    statuses: tuple


GROUPS = [
    Group("delivered", _("Delivered"), (Status.DELIVERED, Status.OPENED, Status.CLICKED)),
    Group("sent", _("Sent, no receipt yet"), (Status.SENT,)),
    Group("pending", _("Waiting"), (Status.SCHEDULED, Status.QUEUED, Status.SENDING)),
    Group("failed", _("Failed"), (Status.FAILED, Status.BOUNCED)),
    Group("skipped", _("Not sent"), (Status.SUPPRESSED, Status.CANCELLED)),
]
GROUP_OF = {status: group.code for group in GROUPS for status in group.statuses}
REACHED = GROUPS[0].statuses
OPENED = (Status.OPENED, Status.CLICKED)
HANDED_OVER = (*REACHED, Status.SENT, Status.FAILED, Status.BOUNCED)
FAILED = GROUPS[3].statuses


@dataclasses.dataclass(frozen=True)
class Figure:
    value: int
    url: str


@dataclasses.dataclass
class Scope:
    """Whose deliveries: the reader's organisations, or the one of them they chose."""

    organisations: list | None  # None: every organisation (a superuser's)
    chosen: object = None  # an Organisation, or None for all of the reader's

    def rows(self, model):
        """`model`'s rows of these organisations (the model has an `organisation`)."""
        rows = model.objects.all()
        if self.chosen is not None:
            return rows.filter(organisation=self.chosen)
        if self.organisations is None:
            return rows
        return rows.filter(organisation__in=self.organisations)

    def log_url(self, start, end, **filters):
        """The delivery log of these organisations, created in [start, end), filtered."""
        return self.log(
            created_at__gte=start.isoformat(), created_at__lt=end.isoformat(), **filters
        )

    def log(self, **filters):
        """The delivery log of these organisations, filtered (the reader's scope does the rest)."""
        query = {}
        if self.chosen is not None:
            query["organisation__id__exact"] = self.chosen.pk
        query.update(filters)
        return reverse("admin:notifications_delivery_changelist") + "?" + urlencode(query)


def statuses(values):
    return {"status__in": ",".join(values)}


def bucket_starts(period, now=None):
    """The start of each bucket of `period` in the current time zone, and the end of the last."""
    now = timezone.localtime(now)
    zone = timezone.get_current_timezone()
    if period.unit == "hour":
        last = now.replace(minute=0, second=0, microsecond=0)
        starts = [last - datetime.timedelta(hours=n) for n in range(period.buckets - 1, -1, -1)]
        return starts, last + datetime.timedelta(hours=1)
    days = _day_starts(now.date(), period)
    aware = [datetime.datetime.combine(day, datetime.time(), zone) for day in days]
    return aware[:-1], aware[-1]


def _day_starts(today, period):
    """The first day of each bucket and the day after the last (calendar days, not hours)."""
    if period.unit == "day":
        return [today - datetime.timedelta(days=n) for n in range(period.buckets - 1, -2, -1)]
    if period.unit == "week":
        monday = today - datetime.timedelta(days=today.weekday())
        return [monday - datetime.timedelta(weeks=n) for n in range(period.buckets - 1, -2, -1)]
    first = today.replace(day=1)
    return [_months_after(first, -n) for n in range(period.buckets - 1, -2, -1)]


def _months_after(first_of_month, months):
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


DAY = datetime.timedelta(days=1)
KEY = ("channel", "status", "reason_code", "failure")


def _summed(scope, edges, unit, fields=KEY, **filters):
    """The tally's counts (n) and segments (s) in [edges[0], edges[-1]), by bucket and fields.

    `edges` are the buckets' starts and the end of the last. Hours and days read the hour
    tally. Weeks and months read a UTC day from the day tally when one bucket holds it
    whole, and its hours when an edge falls inside it (the reader's midnight is UTC's
    only in UTC): a few hundred hours at most, whatever the length of the history. A
    bucket and key may so come twice: the caller adds them up.
    """
    zone = timezone.get_current_timezone()
    start, end = edges[0], edges[-1]

    def by_bucket(rows, column):
        return (
            rows.filter(**filters)
            .annotate(bucket=Trunc(column, unit, tzinfo=zone))
            .values("bucket", *fields)
            .annotate(n=Sum("count"), s=Sum("segments"))
            .order_by()
        )

    hours = scope.rows(DeliveryTally).filter(hour__gte=start, hour__lt=end)
    if unit in ("hour", "day"):
        return list(by_bucket(hours, "hour"))
    cut = sorted({_utc_midnight(edge) for edge in edges} - set(edges))
    in_cut = Q(pk__in=[])
    for day in cut:
        in_cut |= Q(hour__gte=day, hour__lt=day + DAY)
    days = scope.rows(DeliveryDayTally).filter(day__gte=start, day__lt=end)
    return [
        *by_bucket(hours.filter(in_cut), "hour"),
        *by_bucket(days.exclude(day__in=cut), "day"),
    ]


def _utc_midnight(moment):
    return moment.astimezone(datetime.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


@dataclasses.dataclass
class Bucket:
    start: datetime.datetime
    end: datetime.datetime
    groups: list  # a Figure per GROUPS entry
    total: Figure


@dataclasses.dataclass
class ChannelRow:
    channel: str
    label: str
    total: Figure
    groups: list
    delivery_rate: object  # (percent, url) or None
    open_rate: object


@dataclasses.dataclass
class Failure:
    code: str
    cause: failures.Cause
    figure: Figure


def over_time(scope, period, channel="", now=None):
    """Messages by status group in each bucket of the period, by channel, failures, skips."""
    starts, end = bucket_starts(period, now)
    ends = [*starts[1:], end]
    by_bucket = defaultdict(lambda: defaultdict(int))
    by_channel = defaultdict(lambda: defaultdict(int))
    by_failure, by_reason = defaultdict(int), defaultdict(int)
    for row in _summed(scope, [*starts, end], period.unit):
        n, status = row["n"], row["status"]
        by_channel[row["channel"]][status] += n
        if channel and row["channel"] != channel:
            continue  # the table of channels has them all; the rest is the chosen channel's
        by_bucket[row["bucket"].astimezone(datetime.UTC)][status] += n
        if status in FAILED:
            by_failure[row["failure"] or failures.OTHER] += n
        if row["reason_code"]:
            by_reason[row["reason_code"]] += n
    only = {"channel__exact": channel} if channel else {}
    buckets = [
        _bucket(scope, start, stop, by_bucket[start.astimezone(datetime.UTC)], only)
        for start, stop in zip(starts, ends, strict=True)
    ]
    return {
        "buckets": buckets,
        "channels": _channels(scope, starts[0], end, by_channel),
        "failures": _failures(scope, starts[0], end, by_failure, only),
        "skipped": _skipped(scope, starts[0], end, by_reason, only),
    }


def _bucket(scope, start, end, counts, only):
    groups = [
        Figure(
            sum(counts[s] for s in group.statuses),
            scope.log_url(start, end, **only, **statuses(group.statuses)),
        )
        for group in GROUPS
    ]
    return Bucket(
        start, end, groups, Figure(sum(counts.values()), scope.log_url(start, end, **only))
    )


def _channels(scope, start, end, by_channel):
    rows = []
    for code, label in Channel.choices:
        if by_channel.get(code):
            rows.append(_channel_row(scope, start, end, code, label, by_channel[code]))
    return rows


def _channel_row(scope, start, end, code, label, counts):
    def figure(values):
        url = scope.log_url(start, end, channel__exact=code, **statuses(values))
        return Figure(sum(counts[s] for s in values), url)

    return ChannelRow(
        code,
        label,
        Figure(sum(counts.values()), scope.log_url(start, end, channel__exact=code)),
        [figure(group.statuses) for group in GROUPS],
        _rate(figure(REACHED), figure(HANDED_OVER)),
        _rate(figure(OPENED), figure(REACHED)),
    )


def _rate(part, whole):
    """part / whole as a whole percentage, linked to the part's rows; None without a whole."""
    if not whole.value:
        return None
    return Figure(round(100 * part.value / whole.value), part.url)


def _failures(scope, start, end, by_failure, only):
    found = [
        Failure(
            code,
            failures.describe(code),
            Figure(n, scope.log_url(start, end, failure=code, **only)),
        )
        for code, n in by_failure.items()
        if n
    ]
    return sorted(found, key=lambda failure: -failure.figure.value)


def _skipped(scope, start, end, by_reason, only):
    labels = dict(Delivery.Skip.choices)
    found = [
        (
            labels.get(code, code),
            Figure(n, scope.log_url(start, end, reason_code__exact=code, **only)),
        )
        for code, n in by_reason.items()
        if n
    ]
    return sorted(found, key=lambda item: -item[1].value)


def sms_segments(scope, now=None):
    """SMS segments billed per organisation and month, the last SEGMENT_MONTHS months."""
    period = Period("", "month", SEGMENT_MONTHS)
    starts, end = bucket_starts(period, now)
    zone = timezone.get_current_timezone()
    # Summed, then kept if billed: one shard may hold a late webhook's -segments.
    billed, names = defaultdict(int), {}
    fields = ("organisation", "organisation__name")
    for row in _summed(scope, [*starts, end], "month", fields, channel="sms"):
        billed[row["organisation"], row["bucket"]] += row["s"]
        names[row["organisation"]] = row["organisation__name"] or "—"
    found = []
    for (organisation, start), segments in billed.items():
        if not segments:
            continue
        month = timezone.localtime(start)
        following = datetime.datetime.combine(_months_after(month.date(), 1), datetime.time(), zone)
        where = (
            {"organisation__id__exact": organisation}
            if organisation
            else {"organisation__isnull": "True"}
        )
        url = scope.log_url(month, following, channel__exact="sms", segments__isempty="0", **where)
        found.append((names[organisation], month, Figure(segments, url)))
    return sorted(found, key=lambda item: (-item[1].timestamp(), item[0]))


LIVE_BATCHES = 20


def live_batches(scope):
    """The reader's batches with messages still waiting, newest first (at most LIVE_BATCHES)."""
    waiting = (
        BatchTally.objects.filter(bucket="pending")
        .values("batch")
        .annotate(n=Sum("count"))
        .filter(n__gt=0)
    )
    live = scope.rows(Batch).filter(pk__in=waiting.values("batch"))
    return list(live.select_related("organisation").prefetch_related("tallies")[:LIVE_BATCHES])
