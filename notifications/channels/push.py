"""Push through Firebase Cloud Messaging (SPEC C-3), to every active device of the user."""

import functools
import logging
import threading

from django.conf import settings

from notifications.channels.base import ChannelBackend, ChannelError, SendResult
from notifications.models import Device

logger = logging.getLogger(__name__)

# send_each_for_multicast makes one HTTP request per device, each on a thread it starts for
# the call (up to 500): ten at a time bounds what a person with many devices costs a worker.
FCM_BATCH = 10


class PushChannel(ChannelBackend):
    kind = "push"

    def address_for(self, recipient):
        return self.addresses([recipient]).get(recipient.key, "")

    def addresses(self, recipients):
        """One query for a whole chunk: who has at least one active device."""
        users = {r.user_id: r.key for r in recipients if r.user_id}
        reachable = (
            Device.objects.filter(user_id__in=users, active=True)
            .values_list("user_id", flat=True)
            .distinct()
        )
        return {users[user_id]: f"user:{user_id}" for user_id in reachable}

    def devices(self, delivery):
        devices = list(Device.objects.filter(user_id=delivery.user_id, active=True))
        if not devices:
            raise ChannelError("No active push device any more.", permanent=True)
        return devices


class ConsolePush(PushChannel):
    """Development: the notification is printed to the worker's log."""

    def send(self, delivery):
        devices = self.devices(delivery)
        logger.warning(
            "Push to %s device(s): %s — %s", len(devices), delivery.subject, delivery.body
        )
        return SendResult(provider_message_id=f"console-push-{delivery.pk}")


class FirebasePush(PushChannel):
    def send(self, delivery):
        from firebase_admin import messaging

        app = firebase_app()
        devices = self.devices(delivery)
        delivered, errors = [], []
        for start in range(0, len(devices), FCM_BATCH):
            batch = devices[start : start + FCM_BATCH]
            # firebase-admin 7 addresses app installs by Firebase Installation ID
            # (its `tokens` argument is deprecated): that is what apps register.
            message = messaging.MulticastMessage(
                fids=[device.token for device in batch],
                notification=messaging.Notification(title=delivery.subject, body=delivery.body),
                data={"delivery": str(delivery.pk)},
            )
            response = _send(message, app)
            for device, result in zip(batch, response.responses, strict=True):
                if result.success:
                    delivered.append(result.message_id)
                else:
                    errors.append((device, result.exception))
        live_errors = [error for device, error in errors if not _deactivate_if_dead(device, error)]
        if delivered:
            return SendResult(provider_message_id=delivered[0])
        if not live_errors:
            raise ChannelError("Every push token of the recipient is dead.", permanent=True)
        raise ChannelError(f"FCM: {live_errors[0]}")


def _send(message, app):
    """The one call to FCM; a failure of the whole request says nothing about the tokens."""
    from firebase_admin import exceptions, messaging

    try:
        return messaging.send_each_for_multicast(message, app=app)
    except (exceptions.UnauthenticatedError, exceptions.PermissionDeniedError) as error:
        raise ChannelError(f"FCM refused our credentials: {error}", permanent=True) from error
    except exceptions.FirebaseError as error:
        raise ChannelError(f"FCM unreachable: {error}") from error


def _deactivate_if_dead(device, error):
    """Unregistered or invalid tokens will never work again: stop using them (True if so)."""
    from firebase_admin import exceptions, messaging

    dead = (
        messaging.UnregisteredError,
        messaging.SenderIdMismatchError,
        exceptions.InvalidArgumentError,
    )
    if not isinstance(error, dead):
        return False
    Device.objects.filter(pk=device.pk).update(active=False, deactivated_reason=str(error)[:255])
    logger.info("Push device %s deactivated: %s", device.pk, error)
    return True


_firebase_lock = threading.Lock()


@functools.cache
def firebase_app():
    """The firebase-admin app, from the service-account file named in settings."""
    import firebase_admin
    from firebase_admin import credentials

    path = settings.FIREBASE_CREDENTIALS_FILE
    if not path:
        raise ChannelError(
            "Push is not configured: set FIREBASE_CREDENTIALS_FILE to a service-account JSON file.",
            permanent=True,
        )
    try:
        certificate = credentials.Certificate(path)
    except (OSError, ValueError) as error:
        raise ChannelError(
            f"Push credentials unusable ({path}): {error}", permanent=True
        ) from error
    # Worker threads (--pool threads) may all get here at first: the second
    # initialize_app of one name would raise, so the first one's app is reused.
    with _firebase_lock:
        try:
            return firebase_admin.get_app("relais")
        except ValueError:
            return firebase_admin.initialize_app(certificate, name="relais")
