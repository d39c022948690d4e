"""Host portal (my visits, new, edit, cancel) and the visitor's public self check-in page."""

import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Organisation
from core import ratelimit
from visitors import services
from visitors.forms import VisitForm, visitor_formset
from visitors.models import Visit, Visitor
from visitors.tokens import read_token

# Wrong links a client address may try before the page refuses it for a while (P-2).
SELF_CHECK_IN_GUESSES = ratelimit.Limit(attempts=10, window_seconds=15 * 60)


def _zone(user):
    # Pages render in it already (accounts.middleware); forms read typed times in it.
    return zoneinfo.ZoneInfo(str(user.time_zone))


def _visits(user):
    return services.visible_visits(user).select_related("site", "host", "organisation")


@login_required
def my_visits(request):
    today = timezone.localtime(timezone.now(), _zone(request.user)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    visits = _visits(request.user).prefetch_related(
        Prefetch("visitors", queryset=Visitor.objects.filter(removed_at=None))
    )
    return render(
        request,
        "visitors/list.html",
        {
            "upcoming": visits.filter(end__gte=today).order_by("start"),
            "past": visits.filter(end__lt=today).order_by("-start")[:20],
        },
    )


@login_required
def new_visit(request):
    organisations = Organisation.objects.filter(memberships__user=request.user)
    form = VisitForm(
        request.POST or None,
        host=request.user,
        organisations=organisations,
        zone=_zone(request.user),
    )
    visitors = visitor_formset(request.POST or None, required=True)
    if request.method == "POST" and form.is_valid() and visitors.is_valid():
        visit = services.create_visit(
            request.user,
            **form.visit_fields(),
            co_hosts=form.cleaned_data["co_hosts"],
            visitors=visitors.new_visitors(),
        )
        messages.success(request, _("The visit is planned; your visitors are invited."))
        return redirect(visit)
    return render(
        request, "visitors/form.html", {"form": form, "visitors": visitors, "visit": None}
    )


@login_required
def detail(request, pk):
    # Someone else's visit is a 404, not a 403: its existence is nobody's business.
    visit = get_object_or_404(_visits(request.user), pk=pk)
    return render(
        request,
        "visitors/detail.html",
        {
            "visit": visit,
            "visitors": visit.visitors.order_by("removed_at", "name"),
            "co_hosts": visit.co_hosts.all(),
            "editable": services.is_editable(visit),
        },
    )


@login_required
def edit_visit(request, pk):
    visit = get_object_or_404(_visits(request.user), pk=pk)
    if not services.is_editable(visit):
        messages.error(request, _("This visit can no longer be changed."))
        return redirect(visit)
    zone = _zone(request.user)
    form = VisitForm(
        request.POST or None,
        host=visit.host,
        organisations=Organisation.objects.filter(pk=visit.organisation_id),
        zone=zone,
        initial=VisitForm.initial_for(visit, zone),
    )
    visitors = visitor_formset(request.POST or None, required=False)
    current = visit.visitors.filter(removed_at=None)
    if request.method == "POST" and form.is_valid() and visitors.is_valid():
        ticked = [pk for pk in request.POST.getlist("remove") if pk.isdigit()]
        removed = current.filter(pk__in=ticked)
        services.update_visit(
            visit,
            request.user,
            **form.visit_fields(),
            co_hosts=form.cleaned_data["co_hosts"],
            add=visitors.new_visitors(),
            remove=list(removed),
        )
        messages.success(request, _("The visit is updated; your visitors are told."))
        return redirect(visit)
    return render(
        request,
        "visitors/form.html",
        {"form": form, "visitors": visitors, "visit": visit, "current": current},
    )


@login_required
@require_POST
def cancel_visit(request, pk):
    visit = get_object_or_404(_visits(request.user), pk=pk)
    if services.is_editable(visit):
        services.cancel_visit(visit, request.user)
        messages.success(request, _("The visit is cancelled; your visitors are told."))
    return redirect(visit)


def self_check_in(request, token):
    """The visitor's own page (P-2): no login; a signed link; guesses are rate-limited."""
    guesses = f"self-check-in:{ratelimit.client_address(request)}"
    if ratelimit.is_blocked(guesses, SELF_CHECK_IN_GUESSES):
        return _check_in_page(request, "blocked", status=429)
    try:
        visitor = Visitor.objects.select_related(
            "visit__site", "visit__host", "visit__organisation"
        ).get(pk=read_token(token))
    except (signing.BadSignature, Visitor.DoesNotExist):
        ratelimit.record(guesses, SELF_CHECK_IN_GUESSES)
        return _check_in_page(request, "invalid", status=404)
    visit = visitor.visit
    state = _check_in_state(visitor)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "check_in" and state == "open":
            services.check_in(visitor, Visitor.Source.SELF)
        elif action == "check_out" and state == "in":
            services.check_out(visitor)
        return redirect(request.path)
    opens, _closes = services.self_check_in_window(visit)
    return _check_in_page(
        request,
        state,
        visitor=visitor,
        visit=visit,
        opens=opens,
        status=410 if state in ("withdrawn", "cancelled", "left") else 200,
    )


def _check_in_state(visitor, now=None):
    """What the link can do now: open, in, or why not."""
    now = now or timezone.now()
    visit = visitor.visit
    if visitor.checked_out_at:
        return "left"  # the link is spent: it never checks anyone in again
    if visitor.checked_in_at:
        return "in"
    if visitor.removed_at:
        return "withdrawn"
    if visit.status == Visit.Status.CANCELLED:
        return "cancelled"
    opens, closes = services.self_check_in_window(visit)
    if not visit.is_planned or now >= closes:
        return "over"
    if now < opens:
        return "early"
    return "open"


def _check_in_page(request, state, status=200, **context):
    visit, visitor = context.get("visit"), context.get("visitor")
    zone = visit.zone if visit else timezone.get_current_timezone()
    # The visitor's language, unless they chose another with the page's language switch.
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or (
        visitor.language if visitor else translation.get_language()
    )
    with timezone.override(zone), translation.override(language):
        response = render(request, "visitors/self_check_in.html", {"state": state, **context})
    response.status_code = status
    # A personal link: never cached by a proxy, never sent as a referrer to another site
    # ("no-referrer" would make the browser send `Origin: null`, which CSRF refuses).
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response
