"""In-app messages (SPEC C-5, N-13): the delivery row is the inbox entry."""

from notifications.channels.base import ChannelBackend, SendResult


class InAppChannel(ChannelBackend):
    kind = "inapp"
    leaves_relais = False  # the inbox is Relais's own page

    def address_for(self, recipient):
        # Only people who log in have an inbox.
        return f"user:{recipient.user_id}" if recipient.user_id else ""

    def send(self, delivery):
        return SendResult()
