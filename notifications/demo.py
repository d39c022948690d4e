"""Demo data for `make run` (SPEC C-6): Alice's Telegram linked to the platform's bot (the
fake Bot API `make run` starts on 127.0.0.1), and a rule that tells her on Telegram when
one of her requests changes status. Nothing without a bot configured."""

from notifications.events import UnknownEvent, get_event_type
from notifications.messengers import integrations, linking
from notifications.messengers.models import TelegramLink
from notifications.models import MessageTemplate, Rule

DEMO_CHAT = 100_001  # the fake Bot API accepts any chat
STATUS_EVENT = "requests.status_changed"
TEXTS = {
    "fr": (
        "Demande ID {{ number }}\u00a0: {{ status }}",
        "«\u202f{{ title }}\u202f» est maintenant «\u202f{{ status }}\u202f».\n\n{{ link }}",
    ),
    "en": (
        "Request ID {{ number }}: {{ status }}",
        "“{{ title }}” is now “{{ status }}”.\n\n{{ link }}",
    ),
}


def seed(demo):
    bot = integrations.telegram_bot(demo.organisation)
    alice = demo.people.get("alice@relais.test")
    if bot is None or alice is None:
        return
    if not TelegramLink.objects.filter(user=alice, organisation_id=bot.organisation_id).exists():
        token = linking.deep_link(alice, bot).split("start=", 1)[1]
        linking.bind(bot, token, DEMO_CHAT, "alice_demo")
    try:
        get_event_type(STATUS_EVENT)
    except UnknownEvent:
        return  # the requests app is not installed
    rule, created = Rule.objects.get_or_create(
        name="Démo\u00a0: statut de mes demandes sur Telegram",
        organisation=demo.organisation,
        defaults={"event_code": STATUS_EVENT, "roles": ["declarant"], "channels": ["telegram"]},
    )
    if created:
        for language, (subject, body) in TEXTS.items():
            MessageTemplate.objects.create(
                rule=rule, channel="telegram", language=language, subject=subject, body=body
            )
