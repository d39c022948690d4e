"""Contracts (SPEC A-1, A-9): saved with a note of what changed, for the contract's log."""

from django.db import transaction
from django.utils.translation import gettext as _

from alerts import signals
from alerts.models import Contract, ContractNote

LOGGED_FIELDS = ["holder", "address", "city", "route", "position", "active", "alerts_enabled"]


def alertable(contracts=None):
    """Contracts a run may alert: active, alerts on, on a route, at least one service, and
    their company switched on (A-1)."""
    contracts = Contract.objects.all() if contracts is None else contracts
    return contracts.filter(
        active=True,
        alerts_enabled=True,
        route__isnull=False,
        company__alerts_enabled=True,
        services__isnull=False,
    ).distinct()


@transaction.atomic
def save_contract(contract, actor=None):
    """Create or change a contract; each change is a line of its log."""
    contract.clean()  # a route of another company is refused, whoever calls
    before = None if contract.pk is None else Contract.objects.filter(pk=contract.pk).first()
    contract.save()
    if before is None:
        changes = [_("Contract created")]
    else:
        changes = [
            _("%(field)s: %(old)s → %(new)s")
            % {
                "field": Contract._meta.get_field(name).verbose_name,
                "old": _shown(before, name),
                "new": _shown(contract, name),
            }
            for name in LOGGED_FIELDS
            if getattr(before, name) != getattr(contract, name)
        ]
    ContractNote.objects.bulk_create(
        ContractNote(contract=contract, actor=actor, text=text[:500]) for text in changes
    )
    if changes:
        signals.contract_changed.send(
            sender=Contract, contract=contract, actor=actor, changes=changes
        )
    return contract


def _shown(contract, name):
    value = getattr(contract, name)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value if value not in (None, "") else "—"
