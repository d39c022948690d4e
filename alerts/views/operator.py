"""The operator's page, for the truck's tablet or phone (SPEC A-5): start a route, mark each
contract served. Every page is scoped to the companies of the organisations the user manages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.scoping import managed_organisations
from alerts import services
from alerts.forms import StartRunForm
from alerts.models import Company, Route, RouteRun
from notifications import batches


def companies_of(user):
    return Company.objects.filter(organisation__in=managed_organisations(user))


@login_required
def routes(request):
    companies = companies_of(request.user)
    runs = RouteRun.objects.filter(company__in=companies, ended_at=None).select_related("route")
    route_list = Route.objects.filter(company__in=companies).select_related("company")
    return render(
        request,
        "alerts/operator_routes.html",
        {"routes": route_list, "running": runs, "form": StartRunForm()},
    )


@login_required
@require_POST
def start(request, pk):
    route = get_object_or_404(Route, pk=pk, company__in=companies_of(request.user))
    form = StartRunForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("alerts:operator")
    try:
        run = services.start_run(route, request.user, **form.cleaned_data)
    except services.RunError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("alerts:operator")
    return redirect("alerts:run", pk=run.pk)


def _run(request, pk):
    return get_object_or_404(
        RouteRun.objects.select_related("route", "company", "batch"),
        pk=pk,
        company__in=companies_of(request.user),
    )


# While messages wait, the run page asks for its counts this often (alerts/live_counts.js).
REFRESH_SECONDS = 5


@login_required
def run(request, pk):
    the_run = _run(request, pk)
    counts = batches.counts(the_run.batch)
    stops = the_run.stops.select_related("contract").order_by("order")
    with timezone.override(the_run.company.zone):
        return render(
            request,
            "alerts/operator_run.html",
            {
                "run": the_run,
                "stops": stops,
                "counts": counts,
                "expected_finish": batches.expected_finish(the_run.batch, counts),
                "refresh_seconds": REFRESH_SECONDS,
            },
        )


@login_required
def run_counts(request, pk):
    """The run's counts as JSON: what the run page's script shows without a reload."""
    the_run = _run(request, pk)
    counts = batches.counts(the_run.batch)
    finish = batches.expected_finish(the_run.batch, counts)
    with timezone.override(the_run.company.zone):
        finish_text = timezone.localtime(finish).strftime("%H:%M") if finish else ""
    return JsonResponse(
        {
            "targeted": counts.targeted,
            "sent": counts.sent,
            "pending": counts.pending,
            "failed": counts.failed,
            "skipped": counts.skipped_total,
            "expected_finish": finish_text,
            "live": counts.live,
        }
    )


@login_required
@require_POST
def serve(request, pk, stop_pk):
    the_run = _run(request, pk)
    stop = get_object_or_404(the_run.stops.select_related("contract"), pk=stop_pk)
    try:
        services.serve(the_run, stop.contract, request.user)
    except services.RunError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("alerts:run", pk=the_run.pk)


@login_required
@require_POST
def end(request, pk):
    the_run = _run(request, pk)
    services.end_run(the_run, request.user)
    return redirect("alerts:run", pk=the_run.pk)
