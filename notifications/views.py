"""Portal pages: preferences, the in-app inbox, one-click unsubscribe."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.signing import BadSignature
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from notifications import inbox as inbox_service
from notifications import preferences as preference_service
from notifications.consent.models import ConsentRecord
from notifications.events import UnknownEvent, group_label
from notifications.models import Channel
from notifications.unsubscribe import read_token

Method = ConsentRecord.Method


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request):
    if request.method == "POST":
        enabled = {
            tuple(value.split(":", 1)) for value in request.POST.getlist("on") if ":" in value
        }
        preference_service.save_choices(request.user, enabled, page=request.path)
        messages.success(request, _("Your preferences are saved."))
        return redirect("notifications:preferences")
    rows = preference_service.preference_matrix(request.user)
    statuses = preference_service.channel_statuses(request.user, rows)
    return render(
        request,
        "notifications/preferences.html",
        {
            "rows": rows,
            "channels": preference_service.channels_in(rows),
            "statuses": statuses,
            "blocked": {status.channel for status in statuses if status.blocked},
        },
    )


@login_required
def inbox(request):
    return render(
        request,
        "notifications/inbox.html",
        {"deliveries": inbox_service.messages_for(request.user)[:100]},
    )


@login_required
@require_POST
def open_message(request, pk):
    # Someone else's message is "not found", never "forbidden": ids reveal nothing.
    delivery = get_object_or_404(inbox_service.messages_for(request.user), pk=pk)
    inbox_service.mark_read(request.user, delivery.pk)
    try:
        link = inbox_service.link_of(delivery)
    except UnknownEvent:
        link = ""
    # The link is the object's page on this site; anything else is not followed.
    hosts = {request.get_host(), urlsplit(settings.SITE_URL).netloc}
    if not url_has_allowed_host_and_scheme(link, hosts):
        link = ""
    return redirect(link or "notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    inbox_service.mark_read(request.user)
    return redirect("notifications:inbox")


# Mail clients send the one-click POST (RFC 8058) without a CSRF token: the signed
# token in the URL is what authorises it. GET only asks, so link scanners change nothing.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    try:
        _key, group_code, channel, _address = read_token(token)
    except BadSignature:
        raise Http404(_("This unsubscribe link is not valid.")) from None
    done = request.method == "POST"
    group, how = group_label(group_code), by_channel(channel)
    if done:
        # Our page's button, or a mail client's one-click POST (RFC 8058), which shows nothing.
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        question = _("Stop receiving “%(group)s” messages %(by_channel)s?")
        seen = question % {"group": group, "by_channel": how}
        try:
            preference_service.unsubscribe(
                token,
                method=Method.ONE_CLICK if one_click else Method.PAGE,
                text="List-Unsubscribe=One-Click" if one_click else seen,
                page=request.path[:255],
            )
        except preference_service.UnknownRecipient:
            raise Http404(_("This unsubscribe link is not valid.")) from None
    return render(
        request,
        "notifications/unsubscribe.html",
        {"done": done, "group": group, "by_channel": how},
    )


def by_channel(channel):
    """How a sentence says the channel: "par e-mail", "par SMS", "dans l’application"."""
    return {
        Channel.EMAIL: _("by email"),
        Channel.SMS: _("by SMS"),
        Channel.PUSH: _("by push notification"),
        Channel.INAPP: _("in the app"),
        Channel.VOICE: _("by voice call"),
        Channel.TELEGRAM: _("on Telegram"),
        Channel.WHATSAPP: _("on WhatsApp"),
        Channel.VIBER: _("on Viber"),
    }[Channel(channel)]
