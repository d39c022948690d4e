"""What happens to requests, and who hears of it.

Declared signals: `services.py` sends one for each change worth announcing,
after it is saved, with who acted as `actor` (a user, or None for the system).
A plain model save cannot tell who acted, so no receiver listens to one.
Receivers: thin, each turns one signal into `notifications.emit`.
"""

from django.dispatch import Signal, receiver

import notifications

# Declared signals. Senders pass the model class changed and the keyword arguments listed.
request_created = Signal()  # request, actor
request_assigned = Signal()  # request, actor
request_status_changed = Signal()  # request, actor, old_status
comment_added = Signal()  # request, comment, actor
comment_published = Signal()  # request, comment, actor: an internal note made public
follower_added = Signal()  # request, follower, actor


# Receivers.


@receiver(request_created, dispatch_uid="requests.created")
def announce_created(sender, request, actor, **kwargs):
    notifications.emit("requests.created", request, actor=actor)


@receiver(request_assigned, dispatch_uid="requests.assigned")
def announce_assigned(sender, request, actor, **kwargs):
    notifications.emit("requests.assigned", request, actor=actor)


@receiver(request_status_changed, dispatch_uid="requests.status_changed")
def announce_status_changed(sender, request, actor, old_status, **kwargs):
    notifications.emit("requests.status_changed", request, actor=actor, old_status=old_status)


@receiver(comment_added, dispatch_uid="requests.commented")
def announce_comment(sender, request, comment, actor, **kwargs):
    code = "requests.internal_comment" if comment.is_internal else "requests.commented"
    notifications.emit(code, request, actor=actor, comment_id=comment.pk)


@receiver(comment_published, dispatch_uid="requests.comment_published")
def announce_published(sender, request, comment, actor, **kwargs):
    notifications.emit("requests.commented", request, actor=actor, comment_id=comment.pk)


@receiver(follower_added, dispatch_uid="requests.follower_added")
def announce_follower(sender, request, follower, actor, **kwargs):
    notifications.emit("requests.follower_added", request, actor=actor, follower_id=follower.pk)
