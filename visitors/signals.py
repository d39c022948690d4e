"""Visit and visitor changes -> notifications.emit. Thin: what changed, who acted.

One event per visitor (see events.py): each gets their own link and .ics.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

import notifications
from accounts.models import Site
from visitors.models import Visit, Visitor

MOVING_FIELDS = ("start", "end", "site")


def _actor(instance):
    # Set by the service or admin that made the change (see services.py).
    return getattr(instance, "actor", None)


@receiver(post_save, sender=Visitor, dispatch_uid="visitors.visitor_saved")
def visitor_saved(sender, instance, created, **kwargs):
    visit = instance.visit
    if created and instance.removed_at is None and visit.is_planned:
        notifications.emit("visits.invited", visit, actor=_actor(instance), visitor_id=instance.pk)
    elif not created and instance.tracker.has_changed("removed_at") and instance.removed_at:
        notifications.emit(
            "visits.cancelled", visit, actor=_actor(instance), visitor_id=instance.pk
        )


@receiver(post_save, sender=Visit, dispatch_uid="visitors.visit_saved")
def visit_saved(sender, instance, created, **kwargs):
    if created:
        return  # its visitors are invited as they are added
    tracker = instance.tracker
    if tracker.has_changed("status") and instance.status == Visit.Status.CANCELLED:
        _each_visitor(instance, "visits.cancelled")
    elif instance.is_planned and any(tracker.has_changed(field) for field in MOVING_FIELDS):
        old_site = Site.objects.filter(pk=tracker.previous("site")).first()
        _each_visitor(
            instance,
            "visits.changed",
            old_start=tracker.previous("start").isoformat(),
            old_end=tracker.previous("end").isoformat(),
            old_site=old_site.name if old_site else "",
        )


def _each_visitor(visit, code, **data):
    for visitor_id in visit.visitors.filter(removed_at=None).values_list("pk", flat=True):
        notifications.emit(code, visit, actor=_actor(visit), visitor_id=visitor_id, **data)
