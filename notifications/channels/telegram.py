"""Telegram (SPEC C-6): a text from the organisation's bot to the person's linked chat.

Texts go as Telegram HTML (only `<`, `>` and `&` need escaping there), the subject in bold
above the text, cut to the 4,096 characters a message may hold. A chat that blocked the
bot or no longer exists is deactivated like a dead push token; 429 waits the time Telegram
asks; other 4xx are our request's fault and permanent.
"""

import html
import logging
from dataclasses import dataclass

from django.utils import timezone

from notifications.channels.base import ChannelBackend, ChannelError, SendResult
from notifications.messengers import integrations, telegram_api
from notifications.messengers.models import TelegramLink

logger = logging.getLogger(__name__)

MAX_LENGTH = 4096  # characters of a message's text, counted as Telegram does (UTF-16 units)
ELLIPSIS = "…"
# 400 answers that mean the chat is gone for good, not that our request was wrong.
DEAD_CHAT = ("chat not found", "user is deactivated", "bot was blocked", "bot was kicked")


def _length(text):
    return len(text.encode("utf-16-le")) // 2


def _cut(text, room):
    if _length(text) <= room:
        return text
    text = text[: room - 1]
    while _length(text) > room - 1:  # an emoji takes two units
        text = text[:-1]
    return text + ELLIPSIS


def format_message(subject, body):
    """The message's text as Telegram HTML, within Telegram's length limit."""
    head = f"{subject}\n\n" if subject else ""
    body = _cut(body, MAX_LENGTH - _length(head))
    text = html.escape(body, quote=False)
    if subject:
        text = f"<b>{html.escape(subject, quote=False)}</b>\n\n{text}"
    return text


@dataclass(frozen=True)
class Prepared:
    token: str
    chat_id: int
    link_id: int
    text: str


class TelegramChannel(ChannelBackend):
    kind = "telegram"
    # Not on the send pool: a dead chat is deactivated in the database as the answer comes.
    transmits_in_threads = False
    text_limit = MAX_LENGTH

    def address_for(self, recipient):
        return self.addresses([recipient]).get(recipient.key, "")

    def addresses(self, recipients):
        """Who has linked an active chat: one query for a chunk (the bot is chosen at send)."""
        users = {r.user_id: r.key for r in recipients if r.user_id}
        linked = (
            TelegramLink.objects.filter(user_id__in=users, active=True)
            .values_list("user_id", flat=True)
            .distinct()
        )
        return {users[user_id]: f"user:{user_id}" for user_id in linked}

    def sender_for(self, organisation_id):
        """The bot that speaks for the organisation: Telegram limits each bot's pace (N-21)."""
        bot = integrations.telegram_bot(organisation_id)
        return f"@{bot.username}" if bot else ""

    def prepare(self, delivery):
        bot = integrations.telegram_bot(delivery.event.organisation_id)
        if bot is None:
            raise ChannelError(
                "Telegram is not connected for this organisation (Integrations).", permanent=True
            )
        link = TelegramLink.objects.filter(
            user_id=delivery.user_id, organisation_id=bot.organisation_id, active=True
        ).first()
        if link is None:
            raise ChannelError(
                f"No active Telegram chat with @{bot.username} for this person.", permanent=True
            )
        text = format_message(delivery.subject, delivery.body)
        return Prepared(bot.token, link.chat_id, link.pk, text)

    def transmit(self, prepared):
        try:
            sent = telegram_api.send_message(prepared.token, prepared.chat_id, prepared.text)
        except telegram_api.BotApiError as error:
            raise self._error(error, prepared) from error
        return SendResult(provider_message_id=f"{prepared.chat_id}:{sent['message_id']}")

    def _error(self, error, prepared):
        description = error.description.lower()
        if error.status == 403 or (
            error.status == 400 and any(words in description for words in DEAD_CHAT)
        ):
            deactivate(prepared.link_id, error.description)
            return ChannelError(f"Telegram chat gone: {error.description}", permanent=True)
        if error.status == 429:
            return ChannelError(str(error), retry_after=error.retry_after)
        if error.status == 401:
            return ChannelError("Telegram refused the bot token (401).", permanent=True)
        if 400 <= error.status < 500:
            return ChannelError(str(error), permanent=True)
        return ChannelError(str(error))  # 5xx, or no answer: later may work


def deactivate(link_id, reason):
    """A chat that will never take our messages again: stop planning sends to it."""
    TelegramLink.objects.filter(pk=link_id).update(
        active=False, deactivated_reason=f"{reason} ({timezone.now():%Y-%m-%d})"[:255]
    )
    logger.info("Telegram link %s deactivated: %s", link_id, reason)
