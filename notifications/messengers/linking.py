"""Linking a Telegram chat to a person (SPEC C-6): a deep link, then the bot's /start.

The portal makes `https://t.me/<bot>?start=<token>`. The token is a random nonce with its
HMAC (Telegram allows 64 characters of [A-Za-z0-9_-]); the nonce's row says whose it is,
for which bot, until when, and whether it was used. Telegram then posts "/start <token>"
from the person's chat to the bot's webhook, and the chat is bound — once.
"""

import enum
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from notifications.channels.kinds import Channel
from notifications.consent.ledger import record
from notifications.consent.models import ConsentRecord
from notifications.messengers.models import TelegramLink, TelegramLinkToken

LIFETIME = timedelta(minutes=15)
PURPOSE = "telegram"  # the ledger's purpose for a linked chat
Kind, Method = ConsentRecord.Kind, ConsentRecord.Method


class Outcome(enum.Enum):
    LINKED = "linked"
    EXPIRED = "expired"
    USED = "used"
    FORGED = "forged"


def _signature(nonce):
    return salted_hmac("relais.telegram-link", nonce).hexdigest()[:20]


def deep_link(user, bot):
    """A new single-use link that binds the chat which opens it to `user`, on `bot`."""
    nonce = secrets.token_hex(12)
    now = timezone.now()
    # The newest link is the only one that works: an older one, still unused, no longer will.
    # Expired tokens are of no use either, whoever asked for them.
    TelegramLinkToken.objects.filter(
        user=user, organisation_id=bot.organisation_id, used_at=None
    ).delete()
    TelegramLinkToken.objects.filter(expires_at__lt=now - LIFETIME).delete()
    TelegramLinkToken.objects.create(
        nonce=nonce,
        user=user,
        organisation_id=bot.organisation_id,
        created_at=now,
        expires_at=now + LIFETIME,
    )
    return f"https://t.me/{bot.username}?start={nonce}_{_signature(nonce)}"


@transaction.atomic
def bind(bot, token, chat_id, username="", text=""):
    """Bind the chat to the token's person; (Outcome, the TelegramLink or None)."""
    nonce, _sep, signature = token.partition("_")
    if not (nonce and constant_time_compare(signature, _signature(nonce))):
        return Outcome.FORGED, None
    row = TelegramLinkToken.objects.select_for_update().filter(nonce=nonce).first()
    if row is None or row.organisation_id != bot.organisation_id:
        return Outcome.FORGED, None  # signed by us, for another bot: not this one's to bind
    now = timezone.now()
    if row.used_at is not None:
        return Outcome.USED, None
    if row.expires_at <= now:
        return Outcome.EXPIRED, None
    # The conditional update is the single use, even if Telegram delivers /start twice at once.
    if not TelegramLinkToken.objects.filter(pk=row.pk, used_at=None).update(used_at=now):
        return Outcome.USED, None
    link, _created = TelegramLink.objects.update_or_create(
        user_id=row.user_id,
        organisation_id=bot.organisation_id,
        defaults={
            "chat_id": chat_id,
            "username": username[:64],
            "active": True,
            "deactivated_reason": "",
            "linked_at": now,
        },
    )
    _ledger(Kind.OPT_IN_GIVEN, link, Method.LINK, text=text or f"/start {token}")
    return Outcome.LINKED, link


@transaction.atomic
def unlink(link, *, method, reason, admin_user=None):
    """The person (or Telegram: they blocked the bot) ended the link; it stays on the ledger."""
    TelegramLink.objects.filter(pk=link.pk).update(active=False, deactivated_reason=reason[:255])
    _ledger(Kind.OPT_IN_REFUSED, link, method, text=reason, admin_user=admin_user)


def chat_left(bot, chat_id, reason):
    """Telegram says the chat blocked or left the bot: each link to it is deactivated."""
    links = TelegramLink.objects.filter(
        organisation_id=bot.organisation_id, chat_id=chat_id, active=True
    )
    for link in links:
        unlink(link, method=Method.PROVIDER, reason=reason)


def _ledger(kind, link, method, **fields):
    record(
        kind,
        channel=Channel.TELEGRAM,
        method=method,
        address=str(link.chat_id),
        user_id=link.user_id,
        organisation_id=link.organisation_id,
        purpose=PURPOSE,
        **fields,
    )
