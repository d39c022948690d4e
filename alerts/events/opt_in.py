"""The confirmation request a new contact point gets (SPEC A-2, A-3): SMS "OUI / NON", or an
email with a signed link. Mandatory, high priority, never to a number that texted STOP."""

import datetime

from django.utils.translation import gettext_lazy as _

from alerts import tokens
from alerts.consent import OPT_IN_REQUEST
from alerts.events.common import COMPANY_ON, SNOW, rule
from alerts.recipients import point_recipient
from notifications.events import (
    Condition,
    EventType,
    Priority,
    RecipientRole,
    Variable,
    register,
)


def the_point(point, event):
    return [point_recipient(point)] if point.company.alerts_enabled else []


def _method_is(method):
    return lambda point, event: point.method == method


BY_SMS = Condition("by_sms", _("The contact point is a mobile number"), _method_is("sms"))
BY_EMAIL = Condition("by_email", _("The contact point is an email address"), _method_is("email"))
BY_VOICE = Condition("by_voice", _("The contact point is a number to call"), _method_is("voice"))


def context(point, data):
    contract = point.occupant.contracts.order_by("pk").first()
    return {
        "company": point.company.name,
        "address": contract.address if contract else "",
        "confirm_url": tokens.confirm_url(point) if point.method == "email" else "",
    }


SMS_FR = (
    "{{ company }} - Alertes de déneigement pour le {{ address }}. Répondez OUI pour les "
    "recevoir, NON pour refuser. STOP pour ne plus rien recevoir."
)
SMS_EN = (
    "{{ company }} - Snow removal alerts for {{ address }}. Reply YES to get them, NO to "
    "decline. STOP to receive nothing more."
)
VOICE_FR = (
    "Bonjour. Ici {{ company }}. Voulez-vous être prévenu par téléphone quand la déneigeuse "
    "arrive au {{ address }} ? Appuyez sur 1 pour accepter, sur 2 pour refuser."
)
VOICE_EN = (
    "Hello. This is {{ company }}. Do you want a call when the snow plough reaches "
    "{{ address }}? Press 1 to accept, 2 to decline."
)
EMAIL_FR = (
    "Confirmez vos alertes de déneigement",
    "Bonjour {{ recipient_name }},\n\n"
    "{{ company }} peut vous prévenir par courriel quand sa déneigeuse arrive au "
    "{{ address }}, pour que l’entrée soit libre (voiture, bacs).\n\n"
    "Pour accepter ou refuser ces alertes, ouvrez ce lien\u00a0:\n{{ confirm_url }}\n\n"
    "Sans réponse de votre part, vous ne recevrez rien.",
)
EMAIL_EN = (
    "Confirm your snow removal alerts",
    "Hello {{ recipient_name }},\n\n"
    "{{ company }} can tell you by email when its snow plough reaches {{ address }}, so "
    "that the driveway is clear (car, bins).\n\n"
    "To accept or decline these alerts, open this link:\n{{ confirm_url }}\n\n"
    "Without an answer from you, you will receive nothing.",
)

OPT_IN_REQUEST = register(
    EventType(
        code="alerts.opt_in_request",
        label=_("Snow alerts: confirmation request"),
        group=SNOW,
        roles=[RecipientRole("contact_point", _("The new contact point"), the_point)],
        variables=[
            Variable("company", _("Company"), "Déneigement Boréal"),
            Variable("address", _("Address"), "1234, rue des Érables"),
            Variable("confirm_url", _("Confirmation link"), "https://relais.example/alerts/c/…/"),
        ],
        context=context,
        conditions=[BY_SMS, BY_EMAIL, BY_VOICE, COMPANY_ON],
        priority=Priority.HIGH,
        mandatory=True,
        opt_in=OPT_IN_REQUEST,
        link=lambda point: "",
        voice_gather=tokens.voice_url,
        default_rules=[
            rule(
                "alerts.opt_in_request/sms",
                _("Ask a new mobile number to confirm (OUI / NON)"),
                ["contact_point"],
                {"sms": {"fr": ("", SMS_FR), "en": ("", SMS_EN)}},
                conditions=["by_sms", "company_on"],
            ),
            rule(
                "alerts.opt_in_request/email",
                _("Ask a new email address to confirm (signed link)"),
                ["contact_point"],
                {"email": {"fr": EMAIL_FR, "en": EMAIL_EN}},
                conditions=["by_email", "company_on"],
            ),
            rule(
                "alerts.opt_in_request/voice",
                _("Call a new number to confirm (keypad: 1 yes, 2 no)"),
                ["contact_point"],
                {"voice": {"fr": ("", VOICE_FR), "en": ("", VOICE_EN)}},
                conditions=["by_voice", "company_on"],
                send_window=(datetime.time(8, 0), datetime.time(20, 0), ["voice"]),
            ),
        ],
    )
)
