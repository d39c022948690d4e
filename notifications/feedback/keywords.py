"""Keywords people text back (SPEC C-2, N-20), read as people write them.

"STOP", " Arrêt ", "arrête", "Arrêter svp", "désabonner", "opt-out", "Stop." all
withdraw; START, UNSTOP, OUI and YES resume; OUI/YES and NON/NO answer an opt-in
request; AIDE, HELP and INFO get the help text. Case, accents, punctuation and
trailing words do not matter, and a STOP anywhere after a yes wins ("oui stop").
Every act is a record of the consent ledger; the reply is in the texter's
language when the number is known, else in the organisations' (LANGUAGE_CODE).
"""

import logging
import re
import unicodedata
from typing import NamedTuple

from django.conf import settings
from django.dispatch import Signal
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.channels.kinds import Channel
from notifications.consent import opt_in
from notifications.consent.ledger import record
from notifications.consent.models import ConsentRecord
from notifications.consent.state import phone_sender, stopped_at
from notifications.messengers.integrations import organisation_of_account
from notifications.models import Delivery
from notifications.recipients import as_e164

logger = logging.getLogger(__name__)
Kind, Method = ConsentRecord.Kind, ConsentRecord.Method

# Sent when someone answers yes or no by SMS; an app that asked a question
# connects to it. Arguments: phone, answer ("yes"/"no"), text.
inbound_reply = Signal()

STOP, START, YES, NO, HELP = "stop", "start", "yes", "no", "help"
WORDS = {
    STOP: "STOP STOPALL ARRET ARRETE ARRETER ARRETEZ DESABONNER DESABONNEMENT DESINSCRIPTION "
    "DESINSCRIRE QUIT END CANCEL UNSUBSCRIBE REVOKE OPTOUT",
    START: "START UNSTOP",
    YES: "OUI YES",
    NO: "NON NO",
    HELP: "AIDE HELP INFO",
}
ACTION_OF = {word: action for action, words in WORDS.items() for word in words.split()}
LEADING = {"JE", "ME", "SE", "PLEASE", "SVP"}  # "me désabonner", "please stop"


class Keyword(NamedTuple):
    action: str
    word: str  # as matched: "ARRETE"


def words(text):
    """The words of a text, upper case, without accents or punctuation: "Arrête !" -> ARRETE."""
    bare = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.findall(r"[A-Z0-9]+", bare.upper())


def read(text):
    """The keyword a text starts with, or None: "stop svp", "opt out", "Oui, stop" (a stop)."""
    tokens = words(text)
    while tokens and tokens[0] in LEADING and len(tokens) > 1:
        tokens = tokens[1:]
    if not tokens:
        return None
    word = tokens[0]
    if word not in ACTION_OF and len(tokens) > 1 and word + tokens[1] in ACTION_OF:
        word = word + tokens[1]  # "opt out", "stop all"
    action = ACTION_OF.get(word)
    if action is None:
        return None
    if action in (START, YES) and any(ACTION_OF.get(t) == STOP for t in tokens[1:]):
        return Keyword(STOP, next(t for t in tokens[1:] if ACTION_OF.get(t) == STOP))
    return Keyword(action, word)


def handle(phone, text, message_id="", account_sid=""):
    """Act on an inbound SMS to the Twilio account `account_sid`; return the reply ("" for none).

    The account says whose sender was texted: an organisation's own number (its STOP
    holds for it alone, C-6), else the platform's, shared by the others.
    """
    number = as_e164(phone) if isinstance(phone, str) else ""
    keyword = read(text)
    if not number or keyword is None:
        logger.info("Inbound SMS from %r without a keyword: %r", phone, text)
        return ""
    how = {
        "method": Method.SMS,
        "keyword": keyword.word,
        "text": str(text),
        "provider_message_id": str(message_id)[:255],
        "user": _person(number),
    }
    sender = phone_sender(organisation_of_account(account_sid))
    with translation.override(language_of(number)):
        if keyword.action == STOP:
            return _stop(number, sender, how)
        if keyword.action == START:
            return _start(number, sender, how)
        if keyword.action in (YES, NO):
            reply = _answer(number, sender, keyword.action == YES, how)
            inbound_reply.send(sender=handle, phone=number, answer=keyword.action, text=text)
            return reply
        return _("Relais notifications. Reply STOP to stop text messages, START to resume.")


def _stop(number, sender, how):
    # One confirmation, never more: a second STOP is recorded, and answered by silence.
    already = bool(stopped_at(sender, {number}))
    reply = "" if already else _("You will no longer receive our text messages or calls.")
    if reply:
        reply += " " + _("Reply START to resume.")
    record(Kind.STOP, channel=Channel.SMS, address=number, sender=sender, reply=reply, **how)
    return reply


def _start(number, sender, how):
    reply = _("You will receive our text messages again. Reply STOP to stop.")
    record(Kind.START, channel=Channel.SMS, address=number, sender=sender, reply=reply, **how)
    return reply


def _answer(number, sender, accepted, how):
    """YES or NO to the latest request from `sender` waiting for this number; a YES after
    a STOP resumes too.

    Only the latest: a number asked by two companies answers the one that asked last
    (its text is the one on the phone's screen), the other keeps waiting (SPEC A-2).
    """
    requests = opt_in.waiting_for(number).order_by("-updated_at", "-pk")
    waiting = [r for r in requests if phone_sender(r.organisation) == sender][:1]
    resumed = accepted and bool(stopped_at(sender, {number}))
    if not waiting and not resumed:
        return ""
    if accepted:
        reply = _("Thank you: your number is confirmed. Reply STOP to stop.")
    else:
        reply = _("Noted: you will not receive these messages. Reply OUI to accept them after all.")
    if resumed:
        record(Kind.START, channel=Channel.SMS, address=number, sender=sender, **how)
    for contact_point in waiting:
        opt_in.answer(
            contact_point.organisation,
            contact_point.purpose,
            contact_point.channel,
            number,
            accepted,
            sender=sender,
            reply=reply,
            **how,
        )
    return reply


def _person(number):
    """The one person with this number; None when nobody or several share it."""
    people = list(User.objects.filter(phone=number)[:2])
    return people[0] if len(people) == 1 else None


def language_of(number):
    """The texter's language: their account's, else that of our last message to them."""
    person = User.objects.filter(phone=number).values_list("language", flat=True).first()
    if person:
        return person
    last = Delivery.objects.filter(address=number).order_by("-created_at")
    return last.values_list("language", flat=True).first() or settings.LANGUAGE_CODE


def provider_reports_stop(number, message_id="", account_sid=""):
    """Twilio refused a send with 21610: the number texted STOP to the sender of that
    account (an organisation's own, else the platform's), maybe unseen."""
    number = as_e164(number) if isinstance(number, str) else ""
    if not number:
        return
    record(
        Kind.STOP,
        channel=Channel.SMS,
        address=number,
        method=Method.PROVIDER,
        text="Twilio 21610",
        sender=phone_sender(organisation_of_account(account_sid)),
        provider_message_id=str(message_id)[:255],
        user=_person(number),
    )
