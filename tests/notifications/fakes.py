"""Channel backends for tests: they record what would have left."""

from notifications.channels.base import ChannelBackend, SendResult


class PhoneChannel(ChannelBackend):
    kind = "sms"
    sent = []

    def address_for(self, recipient):
        return recipient.phone

    def send(self, delivery):
        PhoneChannel.sent.append((delivery.address, delivery.body))
        return SendResult(provider_message_id=f"fake-{delivery.pk}")
