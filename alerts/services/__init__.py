"""Every change of the snow alerts' objects, from the admin, the operator page and demo alike.

Each service saves, then sends its signal (`alerts.signals`) with the actor.
"""

from alerts.services.broadcasts import chosen_contracts, send_broadcast
from alerts.services.contacts import (
    ContactError,
    add_contact_point,
    answer_by_link,
    delete_contact_point,
    resend_confirmation,
)
from alerts.services.contracts import alertable, save_contract
from alerts.services.runs import RunError, end_run, serve, start_run

__all__ = [
    "ContactError",
    "RunError",
    "add_contact_point",
    "alertable",
    "answer_by_link",
    "chosen_contracts",
    "delete_contact_point",
    "end_run",
    "resend_confirmation",
    "save_contract",
    "send_broadcast",
    "serve",
    "start_run",
]
