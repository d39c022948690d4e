"""Resources and their maintenance (SPEC B-1, B-14)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import constraints, signals
from bookings.models import Booking, Maintenance


@transaction.atomic
def save_resource(resource, actor):
    """Save a resource; its bookings follow a change of capacity (the database's guard)."""
    resource.save()
    try:
        with transaction.atomic():
            Booking.objects.filter(resource=resource).exclude(
                exclusive=resource.is_exclusive
            ).update(exclusive=resource.is_exclusive)
    except IntegrityError as error:
        if constraints.is_violation(error):
            raise ValidationError(
                {"capacity": _("Bookings overlap on this resource: it cannot take only one.")}
            ) from error
        raise
    return resource


@transaction.atomic
def save_maintenance(maintenance, actor):
    """A new maintenance period, or new dates, is announced (B-14); ending it, too."""
    created = maintenance.pk is None
    before = None if created else Maintenance.objects.get(pk=maintenance.pk)
    maintenance.organisation = maintenance.resource.organisation
    maintenance.full_clean(exclude=["organisation"])
    maintenance.save()
    if maintenance.status != Maintenance.Status.PLANNED:
        was_planned = before is not None and before.status == Maintenance.Status.PLANNED
        if was_planned and maintenance.status == Maintenance.Status.ENDED:
            signals.maintenance_ended.send(sender=Maintenance, maintenance=maintenance, actor=actor)
        return maintenance
    if created or (before.start, before.end) != (maintenance.start, maintenance.end):
        signals.maintenance_announced.send(sender=Maintenance, maintenance=maintenance, actor=actor)
    return maintenance


@transaction.atomic
def end_maintenance(maintenance, actor, now=None):
    """The resource is back in service, now (or at its planned end if that came first)."""
    now = now or timezone.now()
    claimed = Maintenance.objects.filter(
        pk=maintenance.pk, status=Maintenance.Status.PLANNED
    ).update(status=Maintenance.Status.ENDED)
    maintenance.refresh_from_db()
    if not claimed:
        return False
    if maintenance.end > now > maintenance.start:
        Maintenance.objects.filter(pk=maintenance.pk).update(end=now)
        maintenance.refresh_from_db()
    signals.maintenance_ended.send(sender=Maintenance, maintenance=maintenance, actor=actor)
    return True
