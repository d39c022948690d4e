"""Channel backends, chosen by dotted path in settings.RELAIS_CHANNELS."""

import functools

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from notifications.channels.base import ChannelBackend, ChannelError, SendResult, Unconfigured

__all__ = ["ChannelBackend", "ChannelError", "SendResult", "get_backend"]


@functools.cache
def get_backend(channel) -> ChannelBackend:
    """The backend for a channel, imported on first use so a missing SDK only breaks that send."""
    path = settings.RELAIS_CHANNELS.get(channel)
    if not path:
        return Unconfigured(channel)
    backend = import_string(path)()
    if backend.kind != channel:
        raise ValueError(f"{path} is a {backend.kind!r} backend, configured for {channel!r}")
    return backend


@receiver(setting_changed)
def _forget_backends(setting, **kwargs):
    if setting == "RELAIS_CHANNELS":
        get_backend.cache_clear()
