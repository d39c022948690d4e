"""The portal's Telegram page and the bots' webhook (SPEC C-6).

The webhook answers only requests that carry the secret token its bot was given at
setWebhook (X-Telegram-Bot-Api-Secret-Token): anything else is a 403 and changes nothing.
Its replies to the person ride on the webhook's answer (Telegram's "method in the
response"), so a /start never waits on an outgoing call. GET never acts.
"""

import json
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Organisation
from notifications.consent.models import ConsentRecord
from notifications.messengers import integrations, linking
from notifications.messengers.models import TelegramLink, TelegramLinkToken

logger = logging.getLogger(__name__)
Outcome = linking.Outcome


def _replies():
    return {
        Outcome.LINKED: _("Your Telegram account is linked: your messages will come here."),
        Outcome.EXPIRED: _("This link has expired: ask for a new one on your portal."),
        Outcome.USED: _("This link was already used: ask for a new one on your portal."),
        Outcome.FORGED: _("This link is not valid: open the one your portal gives you."),
        None: _("To link this chat, open the link your portal gives you."),
    }


def _reply(chat_id, text):
    return JsonResponse({"method": "sendMessage", "chat_id": chat_id, "text": text})


@csrf_exempt
@require_POST
def telegram_webhook(request, key):
    bot = integrations.bot_for_webhook(key)
    if bot is None:
        raise Http404("No Telegram bot here.")
    secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not constant_time_compare(secret, bot.webhook_secret):
        logger.warning("Telegram webhook with a wrong secret refused (%s)", key)
        return HttpResponseForbidden("Invalid secret token")
    try:
        update = json.loads(request.body)
        if not isinstance(update, dict):
            raise ValueError("not an object")
        return _handle(bot, update)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
        logger.warning("Unreadable Telegram update refused: %r", error)
        return HttpResponseBadRequest("The update could not be read.")


def _handle(bot, update):
    member = update.get("my_chat_member")
    if isinstance(member, dict):
        status = member["new_chat_member"]["status"]
        if status in ("kicked", "left"):
            linking.chat_left(bot, int(member["chat"]["id"]), f"Telegram: bot {status}")
        return JsonResponse({})
    message = update.get("message")
    if not isinstance(message, dict) or message.get("chat", {}).get("type") != "private":
        return JsonResponse({})  # groups, edits, other updates: nothing to do
    chat_id, text = int(message["chat"]["id"]), str(message.get("text") or "")
    command, _sep, token = text.strip().partition(" ")
    if command == "/stop":  # withdrawing is as easy as giving: one word in the chat
        linking.chat_left(bot, chat_id, "Telegram: /stop")
        return _reply(chat_id, _("This chat is unlinked: you will get no more messages here."))
    if command != "/start":
        return JsonResponse({})
    outcome, link = None, None
    if token:
        username = str(message.get("from", {}).get("username") or "")
        outcome, link = linking.bind(bot, token.strip(), chat_id, username, text=text)
    language = _language_of(link, token)
    with translation.override(language):
        return _reply(chat_id, _replies()[outcome])


def _language_of(link, token):
    """The person's language when the token names them, else the site's."""
    user = link.user if link else None
    if user is None and token:
        row = TelegramLinkToken.objects.filter(nonce=token.partition("_")[0]).first()
        user = row.user if row else None
    return getattr(user, "language", None) or translation.get_language()


def _bots_of(user):
    """{webhook key: (bot, organisations it speaks for)} of the person's organisations."""
    bots = {}
    for organisation in Organisation.objects.filter(memberships__user=user).distinct():
        bot = integrations.telegram_bot(organisation)
        if bot is not None:
            bots.setdefault(bot.webhook_key, (bot, []))[1].append(organisation)
    return bots


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def telegram_page(request):
    bots = _bots_of(request.user)
    deep_link = None
    if request.method == "POST":
        entry = bots.get(request.POST.get("bot", ""))
        if entry is None:
            raise Http404("No such bot for you.")
        bot = entry[0]
        if request.POST.get("action") == "unlink":
            link = TelegramLink.objects.filter(
                user=request.user, organisation_id=bot.organisation_id, active=True
            ).first()
            if link is not None:
                reason = _("unlinked by the person on the portal")
                linking.unlink(link, method=ConsentRecord.Method.PAGE, reason=reason)
                messages.success(request, _("Telegram unlinked: no more messages there."))
            return redirect("notifications:telegram")
        deep_link = (bot.webhook_key, linking.deep_link(request.user, bot))
    links = {
        link.organisation_id: link
        for link in TelegramLink.objects.filter(user=request.user, active=True)
    }
    rows = [
        {
            "key": key,
            "bot": bot,
            "organisations": organisations,
            "link": links.get(bot.organisation_id),
            "deep_link": deep_link[1] if deep_link and deep_link[0] == key else "",
        }
        for key, (bot, organisations) in bots.items()
    ]
    return render(
        request,
        "notifications/telegram.html",
        {"rows": rows, "minutes": int(linking.LIFETIME.total_seconds() // 60)},
    )
