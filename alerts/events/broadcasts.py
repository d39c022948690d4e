"""A broadcast (SPEC A-10): the company's own words to the contracts chosen by criteria."""

import datetime

from django.utils.translation import gettext_lazy as _

from alerts.consent import OPT_IN
from alerts.events.common import COMPANY_ON, SNOW, rule
from alerts.models import Occupant
from alerts.recipients import occupants_of
from notifications.events import EventType, Priority, RecipientRole, Variable, register


def chosen_occupants(broadcast, event):
    from alerts.services.broadcasts import chosen_contracts

    if not broadcast.company.alerts_enabled:
        return []
    contracts = chosen_contracts(broadcast.company, broadcast.criteria)
    pairs = (
        Occupant.contracts.through.objects.filter(contract__in=contracts)
        .order_by("contract_id", "occupant_id")
        .values_list("occupant_id", "contract_id")
        .iterator(chunk_size=2000)
    )
    return occupants_of(pairs)


def context(contract, data):
    return {
        "company": contract.company.name,
        "address": contract.address,
        "city": contract.city,
        "message": data.get("message", ""),
    }


BROADCAST = register(
    EventType(
        code="alerts.broadcast",
        label=_("Snow alerts: broadcast"),
        group=SNOW,
        roles=[
            RecipientRole("chosen", _("People to alert on the contracts chosen"), chosen_occupants)
        ],
        variables=[
            Variable("company", _("Company"), "Déneigement Boréal"),
            Variable("address", _("Address"), "1234, rue des Érables"),
            Variable("city", _("City"), "Laval"),
            Variable(
                "message", _("Message"), "Tempête prévue cette nuit\u00a0: pas de stationnement."
            ),
        ],
        context=context,
        conditions=[COMPANY_ON],
        priority=Priority.BULK,
        opt_in=OPT_IN,
        link=lambda obj: "",
        default_rules=[
            rule(
                "alerts.broadcast/chosen",
                _("Send a broadcast to the people of the contracts chosen"),
                ["chosen"],
                {
                    "sms": {
                        "fr": ("", "{{ company }} - {{ message }}"),
                        "en": ("", "{{ company }} - {{ message }}"),
                    },
                    "email": {
                        "fr": ("Message de {{ company }}", "{{ message }}"),
                        "en": ("Message from {{ company }}", "{{ message }}"),
                    },
                },
                conditions=["company_on"],
                send_window=(datetime.time(7, 0), datetime.time(20, 0), ["sms"]),
            )
        ],
    )
)
