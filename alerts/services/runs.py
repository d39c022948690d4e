"""Route runs (SPEC A-5, A-7): start, serve each contract, end. One run is one batch.

All at once: every stop is alerted when the run starts. Buffer N: the first N, then the
next one each time one is served, so that N wait ahead of the truck. Reverse: the truck
takes the route from its end. A served contract's messages not sent yet are stale, and
so are all of them once the run has ended (`notifications.batches.expire`).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from alerts import signals
from alerts.consent import green
from alerts.models import ContactPoint, RouteRun, RunStop
from alerts.services.contracts import alertable
from notifications import batches
from notifications.models import Batch


class RunError(ValidationError):
    """A run that cannot start or go on, with the sentence to show the operator."""


@transaction.atomic
def start_run(route, actor=None, mode=RouteRun.Mode.ALL, buffer_size=5, reverse=False):
    """Start a route's run and alert its first stops; RunError says why it cannot."""
    company = route.company
    if not company.alerts_enabled:
        raise RunError(
            _("%(company)s's alerts are switched off: nothing would be sent.")
            % {"company": company.name}
        )
    if mode == RouteRun.Mode.BUFFER and not buffer_size:
        raise RunError(_("A buffer holds at least one contract."))
    if RouteRun.objects.select_for_update().filter(route=route, ended_at=None).exists():
        raise RunError(_("This route is already running: end that run first."))
    contracts = alertable(route.contracts.all()).order_by(
        "-position" if reverse else "position", "pk"
    )
    contract_ids = list(contracts.values_list("pk", flat=True))
    if not contract_ids:
        raise RunError(
            _("No contract of this route can be alerted (active, alerts on, a service).")
        )
    now = timezone.now()
    points = ContactPoint.objects.filter(occupant__contracts__in=contract_ids).distinct()
    label = _("%(route)s, %(date)s") % {
        "route": route.name,
        "date": formats.date_format(timezone.localtime(now, company.zone), "SHORT_DATETIME_FORMAT"),
    }
    batch = batches.start(
        company.organisation,
        label,
        Batch.Kind.ROUTE_RUN,
        targeted=green(points, company).count(),
        created_by=actor,
    )
    run = RouteRun.objects.create(
        route=route,
        company=company,
        mode=mode,
        buffer_size=buffer_size or 0,
        reverse=reverse,
        batch=batch,
        started_by=actor,
        started_at=now,
    )
    RunStop.objects.bulk_create(
        (RunStop(run=run, contract_id=pk, order=n) for n, pk in enumerate(contract_ids, 1)),
        batch_size=2000,
    )
    ahead = len(contract_ids) if mode == RouteRun.Mode.ALL else buffer_size
    _alert(run, 1, min(ahead, len(contract_ids)), actor)
    return run


def _alert(run, first, last, actor):
    now = timezone.now()
    RunStop.objects.filter(run=run, order__range=(first, last), alerted_at=None).update(
        alerted_at=now
    )
    truck_at = (
        run.stops.filter(served_at=None)
        .order_by("order")
        .values_list("contract__position", flat=True)
        .first()
    )
    signals.stops_alerted.send(
        sender=RouteRun,
        run=run,
        actor=actor,
        first=first,
        last=last,
        first_position=truck_at or 0,
        at=now,
    )


@transaction.atomic
def serve(run, contract, actor=None):
    """The truck served this contract: its waiting messages are stale; the buffer moves on."""
    run = RouteRun.objects.select_for_update().get(pk=run.pk)  # two tablets, one buffer
    if not run.is_running:
        raise RunError(_("This run has ended."))
    stop = run.stops.filter(contract=contract).first()
    if stop is None:
        raise RunError(_("This contract is not on this run."))
    now = timezone.now()
    if not RunStop.objects.filter(pk=stop.pk, served_at=None).update(
        served_at=now, served_by=actor
    ):
        return run  # served already (a double tap): nothing more to do
    batches.expire(run.batch, about=contract)
    signals.stop_served.send(sender=RouteRun, run=run, stop=stop, actor=actor)
    if not run.stops.filter(served_at=None).exists():
        return end_run(run, actor)
    if run.mode == RouteRun.Mode.BUFFER:
        waiting = run.stops.filter(served_at=None).exclude(alerted_at=None).count()
        following = run.stops.filter(alerted_at=None).order_by("order")
        orders = list(
            following.values_list("order", flat=True)[: max(run.buffer_size - waiting, 0)]
        )
        if orders:  # the stops not alerted yet follow each other: one range
            _alert(run, orders[0], orders[-1], actor)
    return run


@transaction.atomic
def end_run(run, actor=None):
    """End the run: what was not sent yet is stale and will not be."""
    if RouteRun.objects.filter(pk=run.pk, ended_at=None).update(ended_at=timezone.now()):
        run.refresh_from_db()
        batches.expire(run.batch)
        signals.run_ended.send(sender=RouteRun, run=run, actor=actor)
    return run
