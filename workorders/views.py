"""The client's public page of their work order (SPEC R-8, P-2): a signed link, no login;
an employee marks a task of theirs done from the portal home (R-9)."""

import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import ratelimit
from workorders import services
from workorders.models import WorkOrder, WorkOrderStatus
from workorders.tokens import read_token

# Wrong links a client address may try before the page refuses it for a while.
STATUS_GUESSES = ratelimit.Limit(attempts=10, window_seconds=15 * 60)
Kind = WorkOrderStatus.Kind
STEPS = [Kind.NEW, Kind.IN_PROGRESS, Kind.READY, Kind.CLOSED]


def order_status(request, token):
    """Where the order stands, its asset, dates and price, in the client's language."""
    guesses = f"order-status:{ratelimit.client_address(request)}"
    if ratelimit.is_blocked(guesses, STATUS_GUESSES):
        return _page(request, "blocked", status=429)
    try:
        order = WorkOrder.objects.select_related("organisation", "client", "status").get(
            pk=read_token(token)
        )
    except (signing.BadSignature, ValueError, WorkOrder.DoesNotExist):
        ratelimit.record(guesses, STATUS_GUESSES)
        return _page(request, "invalid", status=404)
    return _page(request, "found", order=order, steps=_steps(order.status))


def _steps(status):
    """The usual path of an order, the one it has reached marked ("waiting" sits in progress)."""
    kind = Kind.IN_PROGRESS if status.kind == Kind.WAITING else status.kind
    reached = STEPS.index(kind)
    return [
        {"label": Kind(step).label, "done": i < reached, "current": i == reached}
        for i, step in enumerate(STEPS)
    ]


def _page(request, state, status=200, order=None, **context):
    zone = (
        zoneinfo.ZoneInfo(str(order.organisation.time_zone))
        if order
        else timezone.get_current_timezone()
    )
    # The client's language, unless they chose another with the page's language switch.
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or (
        order.client.language if order else translation.get_language()
    )
    with timezone.override(zone), translation.override(language):
        response = render(
            request, "workorders/status.html", {"state": state, "order": order, **context}
        )
    response.status_code = status
    # A personal link: never cached by a proxy, never sent as a referrer to another site.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


@login_required
@require_POST
def complete_task(request, pk):
    """An assignee's "done": the creator is told (R-9). Someone else's task is a 404."""
    task = get_object_or_404(services.open_tasks(request.user), pk=pk)
    services.complete_task(task, request.user)
    messages.success(request, _("“%(title)s” is done; its creator is told.") % {"title": task})
    return redirect("home")
