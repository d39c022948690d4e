"""Broadcasts (SPEC A-10): a message to the contracts chosen by criteria, as one batch."""

from django.db import transaction
from django.utils.translation import gettext as _

from alerts import signals
from alerts.consent import green
from alerts.models import Broadcast, ContactPoint, Contract
from alerts.services.runs import RunError
from notifications import batches
from notifications.models import Batch

CRITERIA = ("routes", "cities", "enabled_only")


def chosen_contracts(company, criteria):
    """The company's active contracts the criteria choose: routes (ids), cities, alerts on."""
    contracts = Contract.objects.filter(company=company, active=True)
    if criteria.get("routes"):
        contracts = contracts.filter(route__in=criteria["routes"])
    if criteria.get("cities"):
        contracts = contracts.filter(city__in=criteria["cities"])
    if criteria.get("enabled_only", True):
        contracts = contracts.filter(alerts_enabled=True)
    return contracts


def reach(company, criteria):
    """(contracts, green contact points) the criteria would reach: the form's live counts."""
    contracts = chosen_contracts(company, criteria)
    points = ContactPoint.objects.filter(occupant__contracts__in=contracts).distinct()
    return contracts.count(), green(points, company).count()


@transaction.atomic
def send_broadcast(company, message, criteria, actor=None):
    """Send `message` to the contracts chosen; RunError when nothing may or would leave."""
    if not company.alerts_enabled:
        raise RunError(
            _("%(company)s's alerts are switched off: nothing would be sent.")
            % {"company": company.name}
        )
    message = (message or "").strip()
    if not message:
        raise RunError(_("Write the message to send."))
    criteria = {key: criteria[key] for key in CRITERIA if key in criteria}
    _contracts, targeted = reach(company, criteria)
    batch = batches.start(
        company.organisation,
        _("Broadcast: %(message)s") % {"message": message[:60]},
        Batch.Kind.BROADCAST,
        targeted=targeted,
        created_by=actor,
    )
    broadcast = Broadcast.objects.create(
        company=company, message=message, criteria=criteria, batch=batch, created_by=actor
    )
    signals.broadcast_sent.send(sender=Broadcast, broadcast=broadcast, actor=actor)
    return broadcast
