"""Work orders (SPEC R-8): the client, the specialists and the managers, each with their rules.

A status's own message is a rule of `workorders.status_changed` that the status
lists among its triggers (`StatusTrigger`); its condition "entered a status that
lists this rule" is checked against the status the order entered. Shipped rules
follow the status's kind instead: every organisation names its statuses, but a
"ready" or "closed" one means the same everywhere.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from notifications.events import Condition, EventGroup, EventType, Priority, RecipientRole, register
from workorders.events.common import active, admin_path, grouped, organisation_managers, rule
from workorders.models import StatusTrigger, WorkOrderStatus
from workorders.tokens import status_path, status_url

WORK_ORDERS = EventGroup("work_orders", _("Work orders"))


# Who: the three recipient groups of RemOnline.


def the_client(order, event):
    return [order.client]


def the_specialist(order, event):
    return active(order.specialist)


def the_managers(order, event):
    """The order's manager, else every manager of the organisation."""
    return active(order.manager) or organisation_managers(order.organisation_id)


ROLES = {
    role.code: role
    for role in [
        RecipientRole("client", _("The client"), the_client),
        RecipientRole("specialist", _("The specialist"), the_specialist),
        RecipientRole(
            "managers", _("The order's manager, else the organisation's managers"), the_managers
        ),
    ]
}

# What: variables grouped as RemOnline groups them, each with an example for previews.

EXAMPLE_DAY = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.UTC)
VARIABLES = [
    *grouped(_("Company"), ("company_name", _("Name"), "Atelier Réparfix")),
    *grouped(
        _("Client"),
        ("client_name", _("Name"), "Claire Petit"),
        ("client_phone", _("Phone"), "+33 6 12 34 56 78"),
        ("client_email", _("Email"), "claire.petit@example.fr"),
    ),
    *grouped(
        _("Order"),
        ("order_number", _("Number"), 1042),
        ("order_status", _("Status"), "Fermé"),
        ("malfunction", _("Reported fault"), "L’écran ne s’allume plus."),
        ("work_done", _("Work done"), "Écran remplacé, batterie contrôlée."),
        ("status_url", _("Link to the order's status page"), "https://relais.example/o/abc/"),
        ("admin_url", _("Link to the order in the back office"), "https://relais.example/admin/"),
    ),
    *grouped(
        _("Asset"),
        ("asset", _("Name"), "iPhone 12"),
        ("serial_number", _("Serial number"), "F2LZK1ABCD"),
    ),
    *grouped(
        _("Employees"),
        ("specialist_name", _("Specialist"), "Théo Lambert"),
        ("manager_name", _("Manager"), "Bob Martin"),
    ),
    *grouped(
        _("Finances"),
        ("price", _("Price"), Decimal("189.00")),
        ("prepaid", _("Paid in advance"), Decimal("50.00")),
        ("balance_due", _("Balance due"), Decimal("139.00")),
    ),
    *grouped(
        _("Dates"),
        ("created_at", _("Created"), EXAMPLE_DAY),
        ("due_at", _("Promised for"), EXAMPLE_DAY + datetime.timedelta(days=3)),
        ("closed_at", _("Closed"), EXAMPLE_DAY + datetime.timedelta(days=2)),
    ),
]
STATUS_VARIABLES = grouped(_("Order"), ("old_status", _("Previous status"), "En cours"))


def order_context(order, data):
    return {
        "company_name": order.organisation.name,
        "client_name": order.client.name,
        "client_phone": str(order.client.phone or ""),
        "client_email": order.client.email,
        "order_number": order.number,
        # The status the event is about (a later change does not rewrite this message).
        "order_status": data.get("status_name") or order.status.name,
        "old_status": data.get("old_status_name", ""),
        "malfunction": order.malfunction,
        "work_done": order.work_done,
        "status_url": status_url(order),
        "admin_url": settings.SITE_URL + admin_path(order),
        "asset": order.asset,
        "serial_number": order.serial_number,
        "specialist_name": str(order.specialist or ""),
        "manager_name": str(order.manager or ""),
        "price": order.price,
        "prepaid": order.prepaid,
        "balance_due": order.balance_due,
        "created_at": order.created_at,
        "due_at": order.due_at,
        "closed_at": order.closed_at,
    }


# When: the status entered, as the event recorded it.


def entered_a_status_listing_the_rule(order, event, rule):
    return StatusTrigger.objects.filter(rule=rule, status=event.data.get("status_id")).exists()


def entered_kind(kind):
    return lambda order, event: event.data.get("status_kind") == kind


TRIGGER_CONDITION = "entered_status_with_trigger"
CONDITIONS = [
    Condition(
        TRIGGER_CONDITION,
        _("The order entered a status that lists this rule among its triggers"),
        entered_a_status_listing_the_rule,
        per_rule=True,
    ),
    *(
        Condition(
            f"entered_{kind}",
            format_lazy(_("The order entered a status of the kind “{kind}”"), kind=label),
            entered_kind(kind),
        )
        for kind, label in WorkOrderStatus.Kind.choices
    ),
]


def order_event(code, label, roles, variables=VARIABLES, **options):
    """Register a work order event; its link is the client's status page (no login needed)."""
    return register(
        EventType(
            code=code,
            label=label,
            group=WORK_ORDERS,
            roles=[ROLES[role] for role in roles],
            variables=variables,
            context=order_context,
            link=status_path,
            **options,
        )
    )


NUMBER_FR = "n\u00b0\u00a0{{ order_number }}"
ASSET_FR = "{{ asset }}{% if serial_number %} (n° de série {{ serial_number }}){% endif %}"
ASSET_EN = "{{ asset }}{% if serial_number %} (serial number {{ serial_number }}){% endif %}"

order_event(
    "workorders.created",
    _("Work order created"),
    ["client", "specialist", "managers"],
    default_rules=[
        rule(
            "workorders.created/client",
            _("Tell the client their order is registered, with its status link"),
            ["client"],
            ["email", "sms"],
            fr=(
                f"Commande {NUMBER_FR} enregistrée",
                "Bonjour {{ recipient_name }},\n\n{{ company_name }} a bien enregistré votre "
                f"commande {NUMBER_FR}\u00a0: {ASSET_FR}.\nPanne signalée\u00a0: "
                "{{ malfunction }}{% if due_at %}\nPrévue pour le {{ due_at|date:'j F Y' }}"
                "{% endif %}\n\nSuivez son avancement ici\u00a0:\n\n{{ link }}",
            ),
            en=(
                "Work order No. {{ order_number }} registered",
                "Hello {{ recipient_name }},\n\n{{ company_name }} has registered your work order "
                f"No. {{{{ order_number }}}}: {ASSET_EN}.\nReported fault: {{{{ malfunction }}}}"
                "{% if due_at %}\nExpected by {{ due_at|date:'F j, Y' }}{% endif %}"
                "\n\nFollow it here:\n\n{{ link }}",
            ),
            sms=(
                f"{{{{ company_name }}}}\u00a0: commande {NUMBER_FR} ({{{{ asset }}}}) "
                "enregistrée. Suivi\u00a0: {{ link }}",
                "{{ company_name }}: work order No. {{ order_number }} ({{ asset }}) registered. "
                "Follow it: {{ link }}",
            ),
        ),
        rule(
            "workorders.created/managers",
            _("Tell the managers about a new work order"),
            ["managers"],
            ["email"],
            fr=(
                f"Nouvelle commande {NUMBER_FR}\u00a0: {{{{ asset }}}}",
                f"{{{{ client_name }}}} — {ASSET_FR}\nPanne signalée\u00a0: {{{{ malfunction }}}}"
                "\n\n{{ admin_url }}",
            ),
            en=(
                "New work order No. {{ order_number }}: {{ asset }}",
                f"{{{{ client_name }}}} — {ASSET_EN}\nReported fault: {{{{ malfunction }}}}"
                "\n\n{{ admin_url }}",
            ),
        ),
    ],
)

order_event(
    "workorders.specialist_assigned",
    _("Specialist assigned to a work order"),
    ["specialist", "client", "managers"],
    priority=Priority.HIGH,
    default_rules=[
        rule(
            "workorders.specialist_assigned/specialist",
            _("Tell the specialist the order is theirs, with its number"),
            ["specialist"],
            ["email", "inapp"],
            fr=(
                f"La commande {NUMBER_FR} vous est attribuée",
                f"Bonjour {{{{ recipient_name }}}},\n\nLa commande {NUMBER_FR} vous est "
                f"attribuée\u00a0: {ASSET_FR}, pour {{{{ client_name }}}}.\nPanne signalée\u00a0: "
                "{{ malfunction }}{% if due_at %}\nPromise pour le "
                "{{ due_at|date:'j F Y' }} à {{ due_at|time:'H:i' }}{% endif %}\n\n{{ admin_url }}",
            ),
            en=(
                "Work order No. {{ order_number }} is yours",
                "Hello {{ recipient_name }},\n\nWork order No. {{ order_number }} is yours: "
                f"{ASSET_EN}, for {{{{ client_name }}}}.\nReported fault: {{{{ malfunction }}}}"
                "{% if due_at %}\nPromised for {{ due_at|date:'F j, Y' }} at "
                "{{ due_at|time:'g:i A' }}{% endif %}\n\n{{ admin_url }}",
            ),
        )
    ],
)

order_event(
    "workorders.status_changed",
    _("Work order status changed"),
    ["client", "specialist", "managers"],
    variables=VARIABLES + STATUS_VARIABLES,
    conditions=CONDITIONS,
    default_rules=[
        rule(
            "workorders.status_changed/client_ready",
            _("Tell the client their order is ready (a status of the kind “Ready”)"),
            ["client"],
            ["email", "sms"],
            conditions=["entered_ready"],
            fr=(
                f"Commande {NUMBER_FR} prête",
                f"Bonjour {{{{ recipient_name }}}},\n\nVotre commande {NUMBER_FR} "
                "({{ asset }}) est prête\u00a0: vous pouvez venir la retirer."
                "{% if balance_due %}\nReste à payer\u00a0: {{ balance_due }}\u00a0€{% endif %}"
                "\n\n{{ link }}",
            ),
            en=(
                "Work order No. {{ order_number }} is ready",
                "Hello {{ recipient_name }},\n\nYour work order No. {{ order_number }} "
                "({{ asset }}) is ready: you can come and collect it."
                "{% if balance_due %}\nBalance due: €{{ balance_due }}{% endif %}\n\n{{ link }}",
            ),
            sms=(
                f"{{{{ company_name }}}}\u00a0: votre commande {NUMBER_FR} ({{{{ asset }}}}) "
                "est prête{% if balance_due %}, reste {{ balance_due }}\u00a0€{% endif %}. "
                "{{ link }}",
                "{{ company_name }}: your work order No. {{ order_number }} ({{ asset }}) is "
                "ready{% if balance_due %}, €{{ balance_due }} due{% endif %}. {{ link }}",
            ),
        ),
        rule(
            "workorders.status_changed/client_closed",
            _("Send the client the order's details and price when it is closed"),
            ["client"],
            ["email", "sms"],
            conditions=["entered_closed"],
            fr=(
                f"Commande {NUMBER_FR} fermée\u00a0: {{{{ asset }}}}",
                f"Bonjour {{{{ recipient_name }}}},\n\nVotre commande {NUMBER_FR} est fermée."
                f"\n\nAppareil\u00a0: {ASSET_FR}\nPanne signalée\u00a0: {{{{ malfunction }}}}"
                "{% if work_done %}\nTravaux réalisés\u00a0: {{ work_done }}{% endif %}"
                "\n\nPrix\u00a0: {{ price }}\u00a0€{% if prepaid %}\nDéjà réglé\u00a0: "
                "{{ prepaid }}\u00a0€\nReste à payer\u00a0: {{ balance_due }}\u00a0€{% endif %}"
                "\n\nMerci de votre confiance,\n{{ company_name }}\n\n{{ link }}",
            ),
            en=(
                "Work order No. {{ order_number }} closed: {{ asset }}",
                "Hello {{ recipient_name }},\n\nYour work order No. {{ order_number }} is closed."
                f"\n\nAsset: {ASSET_EN}\nReported fault: {{{{ malfunction }}}}"
                "{% if work_done %}\nWork done: {{ work_done }}{% endif %}"
                "\n\nPrice: €{{ price }}{% if prepaid %}\nAlready paid: €{{ prepaid }}"
                "\nBalance due: €{{ balance_due }}{% endif %}"
                "\n\nThank you for your trust,\n{{ company_name }}\n\n{{ link }}",
            ),
            sms=(
                f"{{{{ company_name }}}}\u00a0: commande {NUMBER_FR} fermée. Prix\u00a0: "
                "{{ price }}\u00a0€{% if prepaid %}, reste à payer {{ balance_due }}\u00a0€"
                "{% endif %}. {{ link }}",
                "{{ company_name }}: work order No. {{ order_number }} closed. Price: "
                "€{{ price }}{% if prepaid %}, €{{ balance_due }} due{% endif %}. {{ link }}",
            ),
        ),
    ],
)
