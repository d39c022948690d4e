"""Account changes that people are told about."""

from django.db.models.signals import post_save
from django.dispatch import receiver

import notifications
from accounts.models import Membership


@receiver(post_save, sender=Membership, dispatch_uid="accounts.member_joined")
def member_joined(sender, instance, created, **kwargs):
    if created:
        notifications.emit("accounts.member_joined", instance)
