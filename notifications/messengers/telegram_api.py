"""Telegram's Bot API, called over one requests session (SPEC C-6).

Why not a client library: python-telegram-bot (v20+) is asyncio-only, at odds with
Celery's synchronous workers and the send pool's threads; pyTelegramBotAPI is a polling
framework. Relais needs three JSON methods (getMe, setWebhook, sendMessage), and
`requests` is already here (Twilio's SDK uses it). The base URL is TELEGRAM_API_BASE,
so tests and development point the same code at a fake server on 127.0.0.1.
"""

import threading

import requests
from django.conf import settings

TIMEOUT = (5, 15)  # connect, read: a worker thread never waits on Telegram for long


class BotApiError(Exception):
    """Telegram answered `ok: false` (or not at all: `status` 0)."""

    def __init__(self, status, description, retry_after=None):
        super().__init__(f"Telegram {status}: {description}")
        self.status = status
        self.description = description
        self.retry_after = retry_after


_local = threading.local()


def _session():
    # One session per thread: each keeps its connection to Telegram alive between sends.
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session


def call(token, method, payload=None):
    """One Bot API method; its `result`, or BotApiError."""
    url = f"{settings.TELEGRAM_API_BASE}/bot{token}/{method}"
    try:
        response = _session().post(url, json=payload or {}, timeout=TIMEOUT)
        answer = response.json()
    except requests.RequestException as error:
        raise BotApiError(0, f"unreachable ({type(error).__name__})") from error
    except ValueError as error:  # not JSON: a proxy's error page, say
        raise BotApiError(response.status_code, "answer not JSON") from error
    if not isinstance(answer, dict) or not answer.get("ok"):
        answer = answer if isinstance(answer, dict) else {}
        parameters = answer.get("parameters") or {}
        raise BotApiError(
            answer.get("error_code") or response.status_code,
            str(answer.get("description") or "no description"),
            retry_after=parameters.get("retry_after"),
        )
    return answer.get("result")


def get_me(token):
    """The bot's own account (checks the token): {"id", "username", …}."""
    return call(token, "getMe")


def set_webhook(token, url, secret):
    """Ask Telegram to post the bot's updates to `url`, carrying `secret` in a header."""
    return call(
        token,
        "setWebhook",
        {"url": url, "secret_token": secret, "allowed_updates": ["message", "my_chat_member"]},
    )


def send_message(token, chat_id, text, parse_mode="HTML"):
    """Send a text to a chat; the sent message ({"message_id", …})."""
    payload = {"chat_id": chat_id, "text": text, "link_preview_options": {"is_disabled": True}}
    if parse_mode:
        payload["parse_mode"] = parse_mode
    return call(token, "sendMessage", payload)
