"""Point the platform's Telegram bot (TELEGRAM_BOT_TOKEN) at this site's webhook (SPEC C-6).

Organisations' own bots are pointed when a manager saves them in Integrations; the
platform's bot has no admin page, so a deploy runs this once (and after SITE_URL or
SECRET_KEY change: the webhook's secret derives from the bot token and SECRET_KEY).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from notifications.messengers import integrations, telegram_api


class Command(BaseCommand):
    help = "Point the platform's Telegram bot at this site's webhook (setWebhook)."

    def handle(self, *args, **options):
        bot = integrations.telegram_bot(None)
        if bot is None:
            raise CommandError("Set TELEGRAM_BOT_TOKEN and TELEGRAM_BOT_USERNAME first.")
        url = settings.SITE_URL + reverse("notifications:telegram_webhook", args=["platform"])
        try:
            telegram_api.set_webhook(bot.token, url, bot.webhook_secret)
        except telegram_api.BotApiError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"@{bot.username} now posts its updates to {url}")
