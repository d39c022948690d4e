"""Request changes -> notifications.emit. Thin: what changed, who acted, nothing more."""

from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

import notifications
from requests_center.models import Comment, Request


def _actor(instance):
    # Set by the service or admin that made the change (see services.py).
    return getattr(instance, "actor", None)


@receiver(post_save, sender=Request, dispatch_uid="requests.request_saved")
def request_saved(sender, instance, created, **kwargs):
    actor = _actor(instance)
    if created:
        notifications.emit("requests.created", instance, actor=actor)
        return
    tracker = instance.tracker
    if tracker.has_changed("assigned_to") and instance.assigned_to_id:
        notifications.emit("requests.assigned", instance, actor=actor)
    if tracker.has_changed("status"):
        notifications.emit(
            "requests.status_changed", instance, actor=actor, old_status=tracker.previous("status")
        )


@receiver(post_save, sender=Comment, dispatch_uid="requests.comment_saved")
def comment_saved(sender, instance, created, **kwargs):
    if created:
        code = "requests.internal_comment" if instance.is_internal else "requests.commented"
        notifications.emit(code, instance.request, actor=instance.author, comment_id=instance.pk)


@receiver(m2m_changed, sender=Request.followers.through, dispatch_uid="requests.followers")
def followers_changed(sender, instance, action, pk_set, reverse, **kwargs):
    if action != "post_add" or reverse:
        return
    for follower_id in pk_set:
        notifications.emit(
            "requests.follower_added", instance, actor=_actor(instance), follower_id=follower_id
        )
