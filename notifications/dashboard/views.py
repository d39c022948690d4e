"""The admin's home page: the dashboard above Django's list of apps (SPEC P-4).

Every parameter is a choice among known values: junk falls back to the default, and an
organisation the reader does not manage is never chosen (their own are shown instead).
"""

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode

from accounts.scoping import managed_organisations
from notifications import batches
from notifications.admin.common import database_key
from notifications.dashboard import charts, figures
from notifications.dashboard.machinery import machinery
from notifications.models import Channel

LABEL_FORMAT = {"hour": "D H\\h", "day": "j M", "week": "j M", "month": "M Y"}


def dashboard_context(request):
    """What the admin's index shows besides the app list."""
    choices = _choices(request)
    scope = choices["scope"]
    period = figures.PERIODS[choices["period_code"]]
    over_time = figures.over_time(scope, period, channel=choices["channel"])
    labels = [_label(bucket.start, period.unit) for bucket in over_time["buckets"]]
    return {
        **choices,
        **over_time,
        "period": period,
        "groups": figures.GROUPS,
        "rows": list(zip(labels, over_time["buckets"], strict=True)),
        "chart": charts.messages_over_time(over_time["buckets"], labels),
        "legend": charts.legend(),
        "segments": figures.sms_segments(scope),
        "live_batches": [
            (batch, batches.counts_from(batch), _batch_url(batch))
            for batch in figures.live_batches(scope)
        ],
        "machinery": machinery(scope),
        "period_links": _links(choices, "period", figures.PERIODS.items()),
        "channel_links": _links(choices, "channel", _channel_options(choices, over_time)),
        "organisation_links": _organisation_links(choices),
    }


def _choices(request):
    organisations = managed_organisations(request.user).order_by("name")
    wanted = database_key(request.GET.get("organisation", ""))
    chosen = organisations.filter(pk=wanted).first() if wanted is not None else None
    managed = (
        None if request.user.is_superuser else list(organisations.values_list("pk", flat=True))
    )
    period = request.GET.get("period", "")
    channel = request.GET.get("channel", "")
    return {
        "scope": figures.Scope(managed, chosen),
        "organisations": list(organisations) if managed is not None else [],
        "period_code": period if period in figures.PERIODS else figures.DEFAULT_PERIOD,
        "channel": channel if channel in Channel.values else "",
    }


def _label(start, unit):
    return formats.date_format(timezone.localtime(start), LABEL_FORMAT[unit])


def _query(choices, **changed):
    values = {
        "period": choices["period_code"],
        "channel": choices["channel"],
        "organisation": choices["scope"].chosen.pk if choices["scope"].chosen else "",
        **changed,
    }
    return "?" + urlencode({name: value for name, value in values.items() if value})


def _links(choices, name, options):
    current = choices["period_code"] if name == "period" else choices["channel"]
    return [
        (getattr(option, "label", option), _query(choices, **{name: code}), code == current)
        for code, option in options
    ]


def _channel_options(choices, over_time):
    """All channels, then each channel with messages in the period (and the one chosen)."""
    shown = {row.channel for row in over_time["channels"]} | {choices["channel"]}
    return [("", None), *((code, label) for code, label in Channel.choices if code in shown)]


def _organisation_links(choices):
    """One link per organisation for a manager of several (a superuser filters in the log)."""
    if len(choices["organisations"]) < 2:
        return []
    chosen = choices["scope"].chosen
    return [
        (None, _query(choices, organisation=""), chosen is None),
        *(
            (str(o), _query(choices, organisation=o.pk), chosen is not None and o.pk == chosen.pk)
            for o in choices["organisations"]
        ),
    ]


def _batch_url(batch):
    return reverse("admin:notifications_batch_change", args=[batch.pk])
