"""The alert of a route run: "the truck is coming" to each occupant of the contracts ahead
(SPEC A-5, A-6, A-7). Bulk priority; one per occupant per day; SMS and calls only 07:00–20:00
in the company's zone, and never late: served, or the run ended, it is stale."""

import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from alerts.consent import OPT_IN
from alerts.events.common import SNOW, rule
from alerts.models import Occupant, RouteRun, RunStop
from alerts.recipients import occupants_of
from notifications.events import (
    Condition,
    EventType,
    Priority,
    RecipientRole,
    Variable,
    register,
)

WINDOW = (datetime.time(7, 0), datetime.time(20, 0), ["sms", "voice"])


def occupants_ahead(run, event):
    """The occupants of the stops this step alerts (`first`…`last` in the truck's order)."""
    if not run.company.alerts_enabled:
        return []
    pairs = (
        Occupant.contracts.through.objects.filter(
            contract__stops__run=run,
            contract__stops__order__range=(event.data["first"], event.data["last"]),
            contract__alerts_enabled=True,
            contract__active=True,
        )
        .order_by("contract__stops__order", "occupant_id")
        .values_list("occupant_id", "contract_id")
        .iterator(chunk_size=2000)
    )
    return occupants_of(pairs)


def still_coming(contract, event):
    """Not served yet, the run still going, its company on: read once per event object."""
    waiting = event.__dict__.get("_alerts_waiting")
    if waiting is None:
        run = RouteRun.objects.select_related("company").get(pk=event.target_id)
        waiting = set()
        if run.is_running and run.company.alerts_enabled:
            waiting = set(
                RunStop.objects.filter(run=run, served_at=None).values_list(
                    "contract_id", flat=True
                )
            )
        event.__dict__["_alerts_waiting"] = waiting
    return contract.pk in waiting


def context(contract, data):
    at = datetime.datetime.fromisoformat(data["at"])
    stops_away = abs(contract.position - data["first_position"])
    expected = at + datetime.timedelta(minutes=stops_away * data["minutes"])
    local = timezone.localtime(expected, contract.company.zone)
    return {
        "company": contract.company.name,
        "address": contract.address,
        "city": contract.city,
        "expected_time": formats.time_format(local, "H:i"),
    }


SMS_FR = (
    "{{ company }} - Déneigement au {{ address }} vers {{ expected_time }}. Libérez votre "
    "entrée (voiture, bacs). STOP pour ne plus recevoir ces alertes."
)
SMS_EN = (
    "{{ company }} - Snow removal at {{ address }} around {{ expected_time }}. Please clear "
    "the driveway (car, bins). STOP to receive no more alerts."
)
EMAIL_FR = (
    "Déneigement au {{ address }} vers {{ expected_time }}",
    "Bonjour {{ recipient_name }},\n\n"
    "La déneigeuse de {{ company }} arrive au {{ address }} ({{ city }}) vers "
    "{{ expected_time }}. Merci de libérer l’entrée\u00a0: voiture, bacs, obstacles.",
)
EMAIL_EN = (
    "Snow removal at {{ address }} around {{ expected_time }}",
    "Hello {{ recipient_name }},\n\n"
    "{{ company }}'s snow plough reaches {{ address }} ({{ city }}) around "
    "{{ expected_time }}. Please clear the driveway: car, bins, obstacles.",
)
VOICE_FR = (
    "Bonjour. Ici {{ company }}. La déneigeuse arrive au {{ address }} vers "
    "{{ expected_time }}. Merci de libérer l’entrée."
)
VOICE_EN = (
    "Hello. This is {{ company }}. The snow plough reaches {{ address }} around "
    "{{ expected_time }}. Please clear the driveway."
)

TRUCK_COMING = register(
    EventType(
        code="alerts.truck_coming",
        label=_("Snow alerts: the truck is coming"),
        group=SNOW,
        roles=[
            RecipientRole("occupants", _("People to alert on the contracts ahead"), occupants_ahead)
        ],
        variables=[
            Variable("company", _("Company"), "Déneigement Boréal"),
            Variable("address", _("Address"), "1234, rue des Érables"),
            Variable("city", _("City"), "Laval"),
            Variable("expected_time", _("Expected time"), "06:40"),
        ],
        context=context,
        conditions=[
            Condition("still_coming", _("Not served yet, and the run still going"), still_coming)
        ],
        priority=Priority.BULK,
        opt_in=OPT_IN,
        stale_outside_window=True,
        link=lambda obj: "",
        default_rules=[
            rule(
                "alerts.truck_coming/occupants",
                _("Tell the people ahead that the truck is coming"),
                ["occupants"],
                {
                    "sms": {"fr": ("", SMS_FR), "en": ("", SMS_EN)},
                    "email": {"fr": EMAIL_FR, "en": EMAIL_EN},
                    "voice": {"fr": ("", VOICE_FR), "en": ("", VOICE_EN)},
                },
                conditions=["still_coming"],
                send_window=WINDOW,
                daily_cap=1,
            )
        ],
    )
)
