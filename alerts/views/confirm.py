"""The page of an email confirmation request (SPEC A-2, P-2): no login, a signed link.

The GET shows the question and the current answer, and never acts (mail scanners open
links); the POST records the yes or the no in the consent ledger, with the page's words.
"""

from django.core import signing
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from alerts import services, tokens
from alerts.consent import Colour, colour_of
from alerts.models import ContactPoint
from core import ratelimit

GUESSES = ratelimit.Limit(attempts=20, window_seconds=15 * 60)


def confirm(request, token):
    guesses = f"alerts-confirm:{ratelimit.client_address(request)}"
    if ratelimit.is_blocked(guesses, GUESSES):
        return _page(request, "blocked", status=429)
    point = _point(token)
    if point is None:
        ratelimit.record(guesses, GUESSES)
        return _page(request, "invalid", status=404)
    with translation.override(point.occupant.language):
        if not point.company.alerts_enabled:
            return _page(request, "off", point=point, status=410)
        question = _question(point)
        if request.method == "POST":
            answer = request.POST.get("answer")
            if answer not in ("yes", "no"):
                return _page(request, "ask", point=point, question=question, status=400)
            accepted = answer == "yes"
            chosen = _("Yes, alert me") if accepted else _("No, thank you")
            services.answer_by_link(point, accepted, f"{question} — {chosen}", request.path)
            return redirect(request.path)
        return _page(request, "ask", point=point, question=question, colour=colour_of(point))


def _point(token):
    try:
        point_id = tokens.read_token(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return ContactPoint.objects.select_related("company", "occupant").filter(pk=point_id).first()


def _question(point):
    contract = point.occupant.contracts.order_by("pk").first()
    return _("Do you want %(company)s to tell you when its snow plough reaches %(address)s?") % {
        "company": point.company.name,
        "address": contract.address if contract else "",
    }


def _page(request, state, status=200, **context):
    context.setdefault("colour", None)
    response = render(request, "alerts/confirm.html", {"state": state, "Colour": Colour, **context})
    response.status_code = status
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response
