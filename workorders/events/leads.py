"""Leads (SPEC R-10): status changes → the client and the responsible employee, per their rules;
"no answer" → the client is told, the employee reminded before the call-back.

Each unanswered call is an attempt (`Lead.call_attempts`) with its own `leads.no_answer`
event; its call-back reminder is anchored on `Lead.callback_at`, moves with it
(`notifications.target_moved`), and is cancelled when the lead moves on
(`notifications.target_cancelled`). The condition "current call-back" keeps an
earlier attempt's event from planning a reminder again when the lead is re-planned.
"""

import datetime

from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from notifications.events import (
    Anchor,
    Condition,
    EventGroup,
    EventType,
    Priority,
    RecipientRole,
    Variable,
    register,
)
from workorders.events.common import active, admin_path, organisation_managers, rule
from workorders.models import Lead

LEADS = EventGroup("leads", _("Leads"))


def the_client(lead, event):
    return [lead.client]


def the_responsible(lead, event):
    return active(lead.responsible)


def the_managers(lead, event):
    return organisation_managers(lead.organisation_id)


ROLES = {
    role.code: role
    for role in [
        RecipientRole("client", _("The prospect"), the_client),
        RecipientRole("responsible", _("The responsible employee"), the_responsible),
        RecipientRole("managers", _("The organisation's managers"), the_managers),
    ]
}

CALLBACK = datetime.datetime(2026, 12, 1, 14, 30, tzinfo=datetime.UTC)
VARIABLES = [
    Variable("company_name", _("Company · Name"), "Atelier Réparfix"),
    Variable("client_name", _("Prospect's name"), "Marc Dubois"),
    Variable("client_phone", _("Prospect's phone"), "+33 6 98 76 54 32"),
    Variable("client_email", _("Prospect's email"), "marc.dubois@example.fr"),
    Variable("source", _("Source"), "Appel téléphonique"),
    Variable("status", _("Status"), "Pas de réponse"),
    Variable("old_status", _("Previous status"), "Nouveau"),
    Variable("interest", _("What they ask for"), "Devis pour un écran de MacBook Air"),
    Variable("responsible_name", _("Responsible employee"), "Théo Lambert"),
    Variable("callback_at", _("Call back at"), CALLBACK),
    Variable("call_attempts", _("Unanswered calls"), 2),
    Variable(
        "admin_url", _("Link to the lead in the back office"), "https://relais.example/admin/"
    ),
]


def label_of(status):
    return Lead.Status(status).label if status in Lead.Status.values else ""


def lead_context(lead, data):
    return {
        "company_name": lead.organisation.name,
        "client_name": lead.client.name,
        "client_phone": str(lead.client.phone or ""),
        "client_email": lead.client.email,
        "source": lead.get_source_display(),
        "status": label_of(data.get("status")) or lead.get_status_display(),
        "old_status": label_of(data.get("old_status")),
        "interest": lead.interest,
        "responsible_name": str(lead.responsible or ""),
        "callback_at": lead.callback_at,
        "call_attempts": lead.call_attempts,
        "admin_url": settings.SITE_URL + admin_path(lead),
    }


def new_status_is(status):
    return lambda lead, event: event.data.get("status") == status


STATUS_CONDITIONS = [
    Condition(
        f"status_{status}",
        format_lazy(_("The new status is “{status}”"), status=label),
        new_status_is(status),
    )
    for status, label in Lead.Status.choices
]


def current_call_back(lead, event):
    """This attempt's call-back is still to make: no answer since, and no later attempt."""
    return (
        lead.status == Lead.Status.NO_ANSWER
        and lead.callback_at is not None
        and event.data.get("attempt") == lead.call_attempts
    )


def lead_event(code, label, roles, **options):
    return register(
        EventType(
            code=code,
            label=label,
            group=LEADS,
            roles=[ROLES[role] for role in roles],
            variables=VARIABLES,
            context=lead_context,
            link=admin_path,
            **options,
        )
    )


CALLBACK_FR = "{{ callback_at|date:'j F Y' }} à {{ callback_at|time:'H:i' }}"
CALLBACK_EN = "{{ callback_at|date:'F j, Y' }} at {{ callback_at|time:'g:i A' }}"

lead_event(
    "leads.created",
    _("New lead"),
    ["responsible", "managers", "client"],
    default_rules=[
        rule(
            "leads.created/responsible",
            _("Tell the responsible employee about their new lead"),
            ["responsible"],
            ["email", "inapp"],
            fr=(
                "Nouveau prospect\u00a0: {{ client_name }}",
                "{{ client_name }} ({{ source }}){% if client_phone %}, {{ client_phone }}"
                "{% endif %}{% if interest %}\u00a0: {{ interest }}{% endif %}\n\n{{ link }}",
            ),
            en=(
                "New lead: {{ client_name }}",
                "{{ client_name }} ({{ source }}){% if client_phone %}, {{ client_phone }}"
                "{% endif %}{% if interest %}: {{ interest }}{% endif %}\n\n{{ link }}",
            ),
        )
    ],
)

lead_event(
    "leads.status_changed",
    _("Lead status changed"),
    ["client", "responsible", "managers"],
    conditions=STATUS_CONDITIONS,
    default_rules=[
        rule(
            "leads.status_changed/responsible",
            _("Tell the responsible employee about the lead's new status"),
            ["responsible"],
            ["inapp"],
            fr=(
                "{{ client_name }}\u00a0: {{ status }}",
                "Le prospect {{ client_name }} est passé de «\u00a0{{ old_status }}\u00a0» "
                "à «\u00a0{{ status }}\u00a0».\n\n{{ link }}",
            ),
            en=(
                "{{ client_name }}: {{ status }}",
                "Lead {{ client_name }} went from “{{ old_status }}” to “{{ status }}”."
                "\n\n{{ link }}",
            ),
        )
    ],
)

lead_event(
    "leads.no_answer",
    _("Lead did not answer (call-back planned)"),
    ["client", "responsible"],
    priority=Priority.HIGH,
    anchors=[Anchor("callback", _("Call-back time"), "callback_at")],
    notify_actor=True,  # the employee who got no answer is the one to remind
    conditions=[
        Condition(
            "current_call_back",
            _("The lead still awaits this call-back (no answer since, not moved on)"),
            current_call_back,
        )
    ],
    default_rules=[
        rule(
            "leads.no_answer/client",
            _("Tell the prospect we tried to reach them, and when we call back"),
            ["client"],
            ["email", "sms"],
            fr=(
                "{{ company_name }} a essayé de vous joindre",
                "Bonjour {{ recipient_name }},\n\nNous avons essayé de vous joindre au sujet de "
                "votre demande{% if interest %} («\u00a0{{ interest }}\u00a0»){% endif %}."
                "{% if callback_at %} Nous vous rappellerons le " + CALLBACK_FR + ".{% endif %}"
                "\n\nÀ bientôt,\n{{ company_name }}",
            ),
            en=(
                "{{ company_name }} tried to reach you",
                "Hello {{ recipient_name }},\n\nWe tried to reach you about your request"
                "{% if interest %} (“{{ interest }}”){% endif %}."
                "{% if callback_at %} We will call you back on " + CALLBACK_EN + ".{% endif %}"
                "\n\nSpeak soon,\n{{ company_name }}",
            ),
            sms=(
                "{{ company_name }}\u00a0: nous avons essayé de vous joindre."
                "{% if callback_at %} Nous vous rappelons le " + CALLBACK_FR + ".{% endif %}",
                "{{ company_name }}: we tried to reach you."
                "{% if callback_at %} We will call you back on " + CALLBACK_EN + ".{% endif %}",
            ),
        ),
        rule(
            "leads.no_answer/callback_reminder",
            _("Remind the responsible employee 15 min before the call-back"),
            ["responsible"],
            ["email", "inapp"],
            anchor="callback",
            offset_minutes=-15,
            conditions=["current_call_back"],
            fr=(
                "Rappel\u00a0: appeler {{ client_name }} à {{ callback_at|time:'H:i' }}",
                "Rappelez {{ client_name }}{% if client_phone %} au {{ client_phone }}{% endif %} "
                "le " + CALLBACK_FR + " (appels sans réponse\u00a0: {{ call_attempts }})."
                "{% if interest %}\nDemande\u00a0: {{ interest }}{% endif %}\n\n{{ link }}",
            ),
            en=(
                "Reminder: call {{ client_name }} at {{ callback_at|time:'g:i A' }}",
                "Call {{ client_name }} back{% if client_phone %} on {{ client_phone }}{% endif %} "
                "on " + CALLBACK_EN + " (unanswered calls: {{ call_attempts }})."
                "{% if interest %}\nRequest: {{ interest }}{% endif %}\n\n{{ link }}",
            ),
        ),
    ],
)
